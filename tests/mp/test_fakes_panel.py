"""Panel decodes SSD1306 streams; on MicroPython adafruit_ssd1306 over the fake I2C matches."""

import sys

import machine
from ssd1306_panel import Panel
from vclock import VirtualClock


def _setup():
    """Fresh clock, I2C at 400 kHz and a Panel at 0x3C."""
    machine.set_clock(VirtualClock())
    i2c = machine.I2C(0, freq=400000)
    p = Panel()
    i2c.attach(0x3C, p)
    return i2c, p


def test_commands_split_over_transactions():
    """0x80-prefixed single command bytes (adafruit style) still collect their arguments."""
    i2c, p = _setup()
    for b in (0xAE, 0x20, 0x00, 0x81, 0x10, 0xA1, 0xC8, 0xAF):
        i2c.writeto(0x3C, bytes((0x80, b)))
    assert p.on and p.mode == 0 and p.contrast == 0x10 and p.unknown == 0
    i2c.writeto(0x3C, b"\x00\x21\x00\x7f\x22\x00\x07")  # one 0x00 run with arguments
    data = bytearray(1025)
    data[0] = 0x40
    data[1] = 0x01  # x=0, y=0
    data[1 + 128 + 5] = 0x80  # x=5, y=15
    data[1024] = 0x80  # x=127, y=63
    i2c.writeto(0x3C, data)
    assert p.frames == 1
    lit = [(x, y) for y in range(64) for x in range(128) if p.pixel(x, y)]
    assert lit == [(0, 0), (5, 15), (127, 63)]


def test_invert_off_and_render():
    """Invert, display off, and the terminal renderings."""
    i2c, p = _setup()
    i2c.writeto(0x3C, b"\x00\x20\x00\xa1\xc8\xaf\x21\x00\x7f\x22\x00\x07")
    i2c.writeto(0x3C, b"\x40\x03" + bytes(1023))
    rows = p.text_rows()
    assert len(rows) == 32 and rows[0][0] == "\u2588" and rows[0][1] == " "
    assert p.to_text(plain=True).split("\n")[1][:2] == "#."
    i2c.writeto(0x3C, b"\x80\xa7")
    assert p.pixel(0, 0) == 0 and p.pixel(1, 0) == 1
    i2c.writeto(0x3C, b"\x80\xae")
    assert not p.on and p.pixel(1, 0) == 0
    buf = bytearray(1)
    i2c.readfrom_into(0x3C, buf)
    assert buf[0] & 0x40
    assert p.to_pbm()[:9] == b"P4\n128 64"


def test_page_addressing_mode():
    """Page mode (0xB0 + page, column nibbles) writes where it says."""
    i2c, p = _setup()
    i2c.writeto(0x3C, b"\x00\xa1\xc8\xaf\x20\x02\xb3\x02\x11")  # page 3, column 0x12
    i2c.writeto(0x3C, b"\x40\xff")
    assert p.pixel(0x12, 24) and p.pixel(0x12, 31) and not p.pixel(0x13, 24)


def _lib_dir():
    """The OLED driver files from the installed wheels, staged by tests/conftest.py."""
    return __file__.rsplit("/", 3)[0] + "/build/mplib"


class _Bus:
    """Minimal busio-style adapter over machine.I2C for adafruit_bus_device."""

    def __init__(self, i2c):
        self.i2c = i2c

    def try_lock(self):
        return True

    def unlock(self):
        pass

    def writeto(self, addr, buf, *, start=0, end=None):
        self.i2c.writeto(addr, memoryview(buf)[start:len(buf) if end is None else end])

    def readfrom_into(self, addr, buf, *, start=0, end=None):
        self.i2c.readfrom_into(addr, memoryview(buf)[start:len(buf) if end is None else end])


def test_adafruit_driver_pixels_match():
    """MicroPython: text drawn with framebuf via adafruit_ssd1306 shows up pixel-exact."""
    try:
        import framebuf  # noqa: F401
    except ImportError:
        return  # CPython: the driver would need Blinka
    sys.path.insert(0, _lib_dir())
    import adafruit_ssd1306

    i2c, p = _setup()
    clk = machine.get_clock()
    oled = adafruit_ssd1306.SSD1306_I2C(128, 64, _Bus(i2c))
    assert p.on and p.unknown == 0 and p.frames == 1  # init_display() ends with show()
    oled.fill(0)
    oled.text("Interval 3/6", 0, 0, 1)
    oled.rect(10, 20, 50, 30, 1)
    oled.fill_rect(100, 40, 20, 20, 1)
    t0 = clk.now_us
    oled.show()
    frame_us = clk.now_us - t0
    assert 23000 <= frame_us <= 25000, frame_us
    assert p.frames == 2
    for y in range(64):
        for x in range(128):
            assert p.pixel(x, y) == oled.pixel(x, y), (x, y)
    assert bytes(oled.buffer[1:]) == p.snapshot()
    oled.invert(True)
    assert p.pixel(0, 63) == 1
    oled.contrast(7)
    assert p.contrast == 7
    oled.poweroff()
    assert not p.on
