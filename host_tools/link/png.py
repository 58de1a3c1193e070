"""A pure-Python PNG writer for the 128x64 panel (1-bit page layout in, greyscale PNG out)."""

import struct
import zlib


def _chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def panel_png(buf, scale=4, width=128, height=64):
    """PNG bytes of SSD1306 page-layout panel bytes, each pixel scale x scale."""
    rows = []
    for y in range(height):
        page, bit = divmod(y, 8)
        line = bytes(255 if buf[page * width + x] >> bit & 1 else 0
                     for x in range(width) for _ in range(scale))
        rows.extend([b"\x00" + line] * scale)
    ihdr = struct.pack(">IIBBBBB", width * scale, height * scale, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b""))
