"""CRC-32 (IEEE, same values as zlib.crc32): binascii's C version, else a 16-entry table."""

try:
    from binascii import crc32 as _c_crc32
except ImportError:  # a port built without binascii.crc32
    _c_crc32 = None

# Nibble table for the reflected polynomial 0xEDB88320: 16 words instead of 256.
_T = (0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158,
      0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4,
      0xA00AE278, 0xBDBDF21C)


def crc32_py(buf, crc=0):
    """Pure-Python CRC-32 of buf continuing from crc (slow; the fallback)."""
    crc ^= 0xFFFFFFFF
    for b in buf:
        crc = (crc >> 4) ^ _T[(crc ^ b) & 15]
        crc = (crc >> 4) ^ _T[(crc ^ (b >> 4)) & 15]
    return crc ^ 0xFFFFFFFF


def crc32(buf, crc=0):
    """CRC-32 of buf continuing from crc, as an unsigned int (matches zlib.crc32)."""
    if _c_crc32 is None:
        return crc32_py(buf, crc)
    return _c_crc32(buf, crc) & 0xFFFFFFFF
