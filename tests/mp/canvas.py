"""A small honest 128x64 canvas for tests on both interpreters: pixels, plus text per 8x8 cell."""


class Canvas:
    """framebuf's drawing API; text is recorded as characters (no font), shapes as pixels."""

    def __init__(self, w=128, h=64, clock=None, show_us=0):
        self.clock = clock  # with a VirtualClock, show() takes show_us of busy bus time
        self.show_us = show_us
        self.frames = []  # (start_us, end_us) of each show() when a clock is given
        self.width = w
        self.height = h
        self.px = bytearray(w * h)
        self.chars = {}  # (x, y) of a character's top-left -> (char, colour)
        self.shows = 0
        self.log = []  # one entry per show(): the lines of text on screen

    def _clip_text(self, x, y, w, h):
        """Forget characters whose cell overlaps the rectangle (they were drawn over)."""
        for k in list(self.chars):
            cx, cy = k
            if cx < x + w and cx + 8 > x and cy < y + h and cy + 8 > y:
                del self.chars[k]

    def fill(self, c):
        for i in range(len(self.px)):
            self.px[i] = c
        self.chars = {}

    def pixel(self, x, y, c=None):
        if not (0 <= x < self.width and 0 <= y < self.height):
            return 0 if c is None else None
        if c is None:
            return self.px[y * self.width + x]
        self.px[y * self.width + x] = c
        return None

    def fill_rect(self, x, y, w, h, c):
        self._clip_text(x, y, w, h)
        for yy in range(max(0, y), min(self.height, y + h)):
            for xx in range(max(0, x), min(self.width, x + w)):
                self.px[yy * self.width + xx] = c

    def rect(self, x, y, w, h, c, f=False):
        if f:
            self.fill_rect(x, y, w, h, c)
            return
        self.hline(x, y, w, c)
        self.hline(x, y + h - 1, w, c)
        self.vline(x, y, h, c)
        self.vline(x + w - 1, y, h, c)

    def hline(self, x, y, w, c):
        for xx in range(x, x + w):
            self.pixel(xx, y, c)

    def vline(self, x, y, h, c):
        for yy in range(y, y + h):
            self.pixel(x, yy, c)

    def text(self, s, x, y, c=1):
        for i, ch in enumerate(s):
            cx = x + 8 * i
            if cx >= self.width or y >= self.height:
                break
            self._clip_text(cx, y, 8, 8)
            if ch != " ":
                self.chars[(cx, y)] = (ch, c)

    def show(self):
        self.shows += 1
        if self.clock is not None:
            t0 = self.clock.now_us
            self.clock.busy_us(self.show_us)
            self.frames.append((t0, self.clock.now_us))
        self.log.append(self.lines())

    def lines(self):
        """Text on screen, one string per distinct y, top to bottom (gaps as spaces)."""
        rows = {}
        for (x, y), (ch, _c) in self.chars.items():
            rows.setdefault(y, []).append((x, ch))
        out = []
        for y in sorted(rows):
            cells = sorted(rows[y])
            s = ""
            pos = cells[0][0]
            for x, ch in cells:
                while pos + 8 <= x:
                    s += " "
                    pos += 8
                s += ch
                pos = x + 8
            out.append(s)
        return out

    def screen_text(self):
        """All lines joined by newlines."""
        return "\n".join(self.lines())
