"""The OLED: a busio-style adapter over machine.I2C and the adafruit_ssd1306 driver on it."""

WIDTH = 128
HEIGHT = 64


class I2CBus:
    """What adafruit_bus_device expects of a bus (try_lock, writeto with start/end), over I2C."""

    def __init__(self, i2c):
        self._i2c = i2c
        self._locked = False

    def try_lock(self):
        """Take the bus; False if already taken (single-threaded: never contended)."""
        if self._locked:
            return False
        self._locked = True
        return True

    def unlock(self):
        """Release the bus."""
        self._locked = False

    def writeto(self, addr, buf, *, start=0, end=None):
        """Write buf[start:end] to addr without copying it."""
        n = len(buf)
        if end is None:
            end = n
        if start == 0 and end == n:
            self._i2c.writeto(addr, buf)
        else:
            self._i2c.writeto(addr, memoryview(buf)[start:end])

    def readfrom_into(self, addr, buf, *, start=0, end=None):
        """Read into buf[start:end] from addr."""
        if end is None:
            end = len(buf)
        self._i2c.readfrom_into(addr, memoryview(buf)[start:end])

    def writeto_then_readfrom(self, addr, out_buf, in_buf, *, out_start=0, out_end=None,
                              in_start=0, in_end=None):
        """Write then read with a repeated start."""
        if out_end is None:
            out_end = len(out_buf)
        if in_end is None:
            in_end = len(in_buf)
        self._i2c.writeto(addr, memoryview(out_buf)[out_start:out_end], False)
        self._i2c.readfrom_into(addr, memoryview(in_buf)[in_start:in_end])

    def scan(self):
        """Addresses that answer."""
        return self._i2c.scan()


def make_oled(i2c, addr=0x3C):
    """The SSD1306 driver on `i2c` (raises ValueError/OSError when nothing answers)."""
    import adafruit_ssd1306  # imported here: it is big, and CPython must never load it

    return adafruit_ssd1306.SSD1306_I2C(WIDTH, HEIGHT, I2CBus(i2c), addr=addr)


def make_blind():
    """A framebuf that draws but shows nothing: the beeper keeps timing without its screen."""
    import framebuf

    class Blind(framebuf.FrameBuffer):
        """Offscreen 128x64 frame buffer with a no-op show()."""

        def __init__(self):
            self.buffer = bytearray(WIDTH * HEIGHT // 8)
            super().__init__(self.buffer, WIDTH, HEIGHT, framebuf.MONO_VLSB)

        def show(self):
            """Nothing to show on."""

    return Blind()


def open_display(i2c, addr=0x3C):
    """The OLED if it answers, else a blind frame buffer (the beeper still beeps)."""
    try:
        return make_oled(i2c, addr)
    except (OSError, ValueError):
        return make_blind()
