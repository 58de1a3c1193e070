"""Terminal drawings of the panel: each character stands for the right pixels."""

from host_tools.sim.simulator import frame_half_blocks, frame_quadrants, frame_text


def panel(pixels):
    """128x64 SSD1306 page-layout bytes with the given (x, y) pixels lit."""
    buf = bytearray(1024)
    for x, y in pixels:
        buf[(y >> 3) * 128 + x] |= 1 << (y & 7)
    return bytes(buf)


def test_plain_rows_are_pixels():
    rows = frame_text(panel([(0, 0), (127, 63)])).splitlines()
    assert len(rows) == 64 and rows[0][0] == "#" and rows[63][127] == "#"
    assert rows[0].count("#") == 1 and rows[1] == "." * 128


def test_half_blocks_stack_two_rows():
    rows = frame_half_blocks(panel([(0, 0), (1, 1), (2, 0), (2, 1)])).splitlines()
    assert rows[0] == "\u2580\u2584\u2588"
    assert len(frame_half_blocks(panel([(127, 63)])).splitlines()[31]) == 128


def test_quadrants_pack_two_by_two():
    rows = frame_quadrants(panel([(0, 0), (3, 1), (4, 0), (5, 0), (4, 1), (5, 1)])).splitlines()
    assert rows[0] == "\u2598\u2597\u2588"
    assert max(len(r) for r in frame_quadrants(panel([(127, 63)])).splitlines()) == 64
