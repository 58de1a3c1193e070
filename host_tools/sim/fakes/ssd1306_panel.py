"""SSD1306 panel: decodes the I2C command/data stream into a 128x64 image; both interpreters."""
# Attach with machine.I2C.attach(0x3C, Panel()). Control byte per transaction: 0x00 commands to
# the end, 0x40 data to the end, 0x80 / 0xC0 one command / data byte then another control
# byte. Multi-byte commands may be split over transactions (adafruit_ssd1306 sends every byte
# of a command as its own 0x80 transaction), so argument collection persists across writes.

# argument counts of SSD1306 commands that take arguments (all others take none)
_ARGS = {0x20: 1, 0x21: 2, 0x22: 2, 0x26: 6, 0x27: 6, 0x29: 5, 0x2A: 5, 0x81: 1, 0x8D: 1,
         0xA3: 2, 0xA8: 1, 0xAD: 1, 0xD3: 1, 0xD5: 1, 0xD8: 1, 0xD9: 1, 0xDA: 1, 0xDB: 1}


class Panel:
    """Display RAM, the registers that change the picture, and readers for tests."""

    def __init__(self, width=128, height=64):
        self.width = width
        self.height = height
        self.pages = height // 8
        self.ram = bytearray(width * self.pages)
        self.on = False
        self.contrast = 0x7F
        self.inverted = False
        self.entire_on = False
        self.seg_remap = False  # 0xA1: column 127 drives SEG0
        self.com_reversed = False  # 0xC8: scan COM[N-1] .. COM0
        self.start_line = 0
        self.mode = 2  # page addressing after reset
        self.col = 0
        self.page = 0
        self.col0 = 0
        self.col1 = width - 1
        self.page0 = 0
        self.page1 = self.pages - 1
        self.frames = 0  # completed passes over the whole addressing window (one per show())
        self.commands = 0
        self.data_bytes = 0
        self.transactions = 0
        self.unknown = 0
        self._cmd = -1
        self._need = 0
        self._args = bytearray(8)
        self._nargs = 0

    # --- I2C device side -----------------------------------------------------------------
    def i2c_write(self, buf):
        """One I2C write transaction (address already matched)."""
        n = len(buf)
        self.transactions += 1
        i = 0
        while i < n:
            ctrl = buf[i]
            i += 1
            if ctrl & 0x80:  # Co=1: one byte, then another control byte
                if i >= n:
                    break
                if ctrl & 0x40:
                    self._data(buf, i, i + 1)
                else:
                    self._byte(buf[i])
                i += 1
            else:
                if ctrl & 0x40:
                    self._data(buf, i, n)
                else:
                    for j in range(i, n):
                        self._byte(buf[j])
                i = n

    def i2c_read_into(self, buf):
        """Status reads: bit 6 set while the display is off."""
        for i in range(len(buf)):
            buf[i] = 0 if self.on else 0x40

    # --- commands ------------------------------------------------------------------------
    def _byte(self, b):
        if self._need:
            self._args[self._nargs] = b
            self._nargs += 1
            self._need -= 1
            if not self._need:
                self._apply(self._cmd)
            return
        self.commands += 1
        need = _ARGS.get(b, 0)
        if need:
            self._cmd = b
            self._need = need
            self._nargs = 0
        else:
            self._apply(b)

    def _apply(self, c):
        a = self._args
        if c == 0xAE or c == 0xAF:
            self.on = c == 0xAF
        elif c == 0x81:
            self.contrast = a[0]
        elif c == 0xA6 or c == 0xA7:
            self.inverted = c == 0xA7
        elif c == 0xA4 or c == 0xA5:
            self.entire_on = c == 0xA5
        elif c == 0xA0 or c == 0xA1:
            self.seg_remap = c == 0xA1
        elif c == 0xC0 or c == 0xC8:
            self.com_reversed = c == 0xC8
        elif c == 0x20:
            self.mode = a[0] & 3
        elif c == 0x21:
            self.col0 = self.col = a[0] % self.width
            self.col1 = a[1] % self.width
        elif c == 0x22:
            self.page0 = self.page = a[0] % self.pages
            self.page1 = a[1] % self.pages
        elif 0x40 <= c <= 0x7F:
            self.start_line = c & 0x3F
        elif 0xB0 <= c <= 0xB7:
            self.page = c & 7
        elif c <= 0x0F:
            self.col = (self.col & 0xF0) | c
        elif c <= 0x1F:
            self.col = (self.col & 0x0F) | ((c & 0x0F) << 4)
        elif c not in _ARGS and c not in (0x2E, 0x2F, 0xE3):
            self.unknown += 1

    # --- data ----------------------------------------------------------------------------
    def _data(self, buf, i, n):
        """Write buf[i:n] at the RAM pointer, advancing it as the addressing mode says."""
        self.data_bytes += n - i
        w = self.width
        while i < n:
            if self.mode == 1:  # vertical
                self.ram[self.page * w + self.col] = buf[i]
                i += 1
                if self.page < self.page1:
                    self.page += 1
                    continue
                self.page = self.page0
                if self.col < self.col1:
                    self.col += 1
                else:
                    self.col = self.col0
                    self.frames += 1
                continue
            last = self.col1 if self.mode == 0 else w - 1
            k = min(n - i, last - self.col + 1)
            if k <= 0:  # pointer outside the window: write one byte, wrap
                k = 1
            base = self.page * w + self.col
            self.ram[base:base + k] = buf[i:i + k]
            i += k
            self.col += k
            if self.col <= last:
                continue
            if self.mode == 2:  # page mode: column wraps, page stays
                self.col = 0
                if self.page == self.pages - 1:
                    self.frames += 1
                continue
            self.col = self.col0
            if self.page < self.page1:
                self.page += 1
            else:
                self.page = self.page0
                self.frames += 1

    # --- reading the picture -------------------------------------------------------------
    def ram_pixel(self, col, row):
        """Display RAM bit at column col, row row (framebuf MONO_VLSB layout)."""
        return (self.ram[(row >> 3) * self.width + col] >> (row & 7)) & 1

    def pixel(self, x, y):
        """Visible pixel (1 lit) at x, y, assuming a module mounted for 0xA1 + 0xC8 (as set up
        by adafruit_ssd1306 and micropython-lib ssd1306)."""
        if not self.on:
            return 0
        if self.entire_on:
            return 1
        col = x if self.seg_remap else self.width - 1 - x
        row = y if self.com_reversed else self.height - 1 - y
        row = (row + self.start_line) % self.height
        v = self.ram_pixel(col, row)
        return v ^ 1 if self.inverted else v

    def snapshot(self):
        """The visible image as bytes in MONO_VLSB layout (like the driver's buffer)."""
        out = bytearray(len(self.ram))
        for y in range(self.height):
            for x in range(self.width):
                if self.pixel(x, y):
                    out[(y >> 3) * self.width + x] |= 1 << (y & 7)
        return bytes(out)

    def text_rows(self, plain=False):
        """Terminal drawing: 2 pixel rows per character with half blocks, or '#'/'.' per pixel."""
        rows = []
        if plain:
            for y in range(self.height):
                rows.append("".join("#" if self.pixel(x, y) else "." for x in range(self.width)))
            return rows
        glyph = (" ", "\u2580", "\u2584", "\u2588")
        for y in range(0, self.height, 2):
            rows.append("".join(glyph[self.pixel(x, y) | (self.pixel(x, y + 1) << 1)]
                                for x in range(self.width)))
        return rows

    def to_text(self, plain=False):
        """text_rows() joined with newlines."""
        return "\n".join(self.text_rows(plain))

    def to_pbm(self):
        """The visible image as a binary PBM (P4) file's bytes (1 = black ink = lit pixel)."""
        stride = (self.width + 7) // 8
        out = bytearray(stride * self.height)
        for y in range(self.height):
            for x in range(self.width):
                if self.pixel(x, y):
                    out[y * stride + (x >> 3)] |= 0x80 >> (x & 7)
        return ("P4\n%d %d\n" % (self.width, self.height)).encode() + bytes(out)
