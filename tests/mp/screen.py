"""Reading screens back in tests: text and the seven-segment clock, from any pixel(x, y) source."""

import ui

try:
    import framebuf
except ImportError:  # CPython: only the Canvas (which records text) is used there
    framebuf = None


def has_text(target, s, y, x=None):
    """True if `s` is drawn at row y (at x, or anywhere on the row)."""
    if hasattr(target, "chars"):  # tests/mp/canvas.Canvas
        xs = range(0, 129 - 8 * len(s)) if x is None else (x,)
        for x0 in xs:
            ok = True
            for i in range(len(s)):
                got = target.chars.get((x0 + 8 * i, y))
                if (got[0] if got else " ") != s[i]:
                    ok = False
                    break
            if ok:
                return True
        return False
    w = 8 * len(s)
    ref = framebuf.FrameBuffer(bytearray(w), w, 8, framebuf.MONO_VLSB)
    ref.fill(0)
    ref.text(s, 0, 0, 1)
    xs = range(0, 129 - w) if x is None else (x,)
    for x0 in xs:
        if _same(ref, target, x0, y, w):
            return True
    return False


def _same(ref, target, x0, y, w):
    """ref's w x 8 pixels equal target's at (x0, y) (no allocation: loops only)."""
    for j in range(8):
        for i in range(w):
            if bool(ref.pixel(i, j)) != bool(target.pixel(x0 + i, y + j)):
                return False
    return True


def has_inverted_text(target, s, y, x=None):
    """True if `s` is drawn dark on a lit bar at row y."""
    if hasattr(target, "chars"):
        xs = range(0, 129 - 8 * len(s)) if x is None else (x,)
        for x0 in xs:
            got = [target.chars.get((x0 + 8 * i, y)) for i in range(len(s))]
            if all(g and g[0] == s[i] and g[1] == 0 or (s[i] == " " and g is None)
                   for i, g in enumerate(got)):
                return True
        return False

    class Inv:
        def pixel(self, px, py):
            return 0 if target.pixel(px, py) else 1

    return has_text(Inv(), s, y, x)


def read_digit(target, x, y, w, h, t):
    """The seven-segment digit at (x, y), or -1 if the lit segments are no digit."""
    bits = 0
    rects = ui.seg_rects(x, y, w, h, t)
    for i in range(7):
        rx, ry, rw, rh = rects[i]
        # sample the middle of the segment away from the shared corners
        if target.pixel(rx + rw // 2, ry + rh // 2):
            bits |= 1 << i
    for d in range(10):
        if ui.SEGS[d] == bits:
            return d
    return -1


def blank(target, x, y, w, h):
    """True if no pixel is lit in the box."""
    for yy in range(y, y + h):
        for xx in range(x, x + w):
            if target.pixel(xx, yy):
                return False
    return True


def read_clock(target):
    """The big mm:ss clock as a string like '0:20' (leading zero minute dropped)."""
    ds = [read_digit(target, x, ui.CLOCK_Y, ui.DIG_W, ui.DIG_H, ui.DIG_T) for x in ui.CLOCK_XS]
    if ds[0] == -1 and blank(target, ui.CLOCK_XS[0], ui.CLOCK_Y, ui.DIG_W, ui.DIG_H):
        ds[0] = 0  # leading zero not drawn
    if -1 in ds:
        return None
    m = ds[0] * 10 + ds[1]
    return "%d:%d%d" % (m, ds[2], ds[3])


def read_big(target):
    """The big countdown digit."""
    return read_digit(target, ui.BIG_X, ui.BIG_Y, ui.BIG_W, ui.BIG_H, ui.BIG_T)


def diff_pixels(a, b, w=128, h=64):
    """Number of pixels that differ between two pixel(x, y) sources (0 = identical)."""
    n = 0
    for y in range(h):
        for x in range(w):
            if bool(a.pixel(x, y)) != bool(b.pixel(x, y)):
                n += 1
    return n
