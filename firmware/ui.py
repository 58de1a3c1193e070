"""Screens drawn on any framebuf-like canvas (fill, text, rect, fill_rect, hline, show)."""

from micropython import const

W = const(128)
H = const(64)
COLS = const(16)  # 8x8 font: 16 characters a line

KIND_TITLES = ("WARM-UP", "WORK", "REST", "RECOVER", "COOL-DOWN")

# Seven-segment digits drawn with fill_rect (no font scaling, no extra frame buffer).
# Bits: a b c d e f g = 1 2 4 8 16 32 64 (a top, then clockwise, g middle).
SEGS = (0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F)

# The big clock "mm:ss": 4 digits of DIG_W x DIG_H, segment thickness DIG_T.
DIG_W = const(22)
DIG_H = const(32)
DIG_T = const(4)
DIG_GAP = const(4)
COLON_W = const(12)
CLOCK_W = const(4 * DIG_W + 2 * DIG_GAP + COLON_W)  # 108
CLOCK_X = const((W - CLOCK_W) // 2)  # 10
CLOCK_Y = const(18)
# x of each clock digit (m m : s s)
CLOCK_XS = (CLOCK_X, CLOCK_X + DIG_W + DIG_GAP, CLOCK_X + 2 * DIG_W + DIG_GAP + COLON_W,
            CLOCK_X + 3 * DIG_W + 2 * DIG_GAP + COLON_W)
# The big countdown digit.
BIG_W = const(36)
BIG_H = const(52)
BIG_T = const(8)
BIG_X = const((W - BIG_W) // 2)
BIG_Y = const(12)


def seg_rects(x, y, w, h, t):
    """The 7 segment rectangles (x, y, w, h) of a digit box, in bit order a..g."""
    m = y + (h - t) // 2  # top of the middle bar
    return ((x, y, w, t), (x + w - t, y, t, m + t - y), (x + w - t, m, t, y + h - m),
            (x, y + h - t, w, t), (x, m, t, y + h - m), (x, y, t, m + t - y), (x, m, w, t))


def draw_digit(fb, d, x, y, w, h, t):
    """One seven-segment digit 0-9 at (x, y)."""
    bits = SEGS[d]
    r = seg_rects(x, y, w, h, t)
    for i in range(7):
        if bits & (1 << i):
            rx, ry, rw, rh = r[i]
            fb.fill_rect(rx, ry, rw, rh, 1)


def clock_digits(ms):
    """(m10, m1, s10, s1) of a duration in ms, seconds rounded up, capped at 99:59."""
    s = (ms + 999) // 1000 if ms > 0 else 0
    if s > 99 * 60 + 59:
        s = 99 * 60 + 59
    m = s // 60
    s -= m * 60
    return m // 10, m % 10, s // 10, s % 10


def draw_clock(fb, ms):
    """The big mm:ss clock in its fixed band (CLOCK_Y .. CLOCK_Y + DIG_H)."""
    fb.fill_rect(0, CLOCK_Y, W, DIG_H, 0)
    ds = clock_digits(ms)
    for i in range(4):
        if i or ds[0]:  # no leading zero: " 0:20", "12:34"
            draw_digit(fb, ds[i], CLOCK_XS[i], CLOCK_Y, DIG_W, DIG_H, DIG_T)
    cx = CLOCK_X + 2 * DIG_W + DIG_GAP + (COLON_W - DIG_T) // 2
    fb.fill_rect(cx, CLOCK_Y + 8, DIG_T, DIG_T, 1)
    fb.fill_rect(cx, CLOCK_Y + DIG_H - 12, DIG_T, DIG_T, 1)


def fit(s, n=COLS):
    """s cut to n characters."""
    return s if len(s) <= n else s[:n]


def mmss(s):
    """Seconds as m:ss (or h:mm:ss)."""
    if s >= 3600:
        return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
    return "%d:%02d" % (s // 60, s % 60)


def kind_title(kind):
    """Upper-case name of a step kind."""
    return KIND_TITLES[kind] if 0 <= kind < len(KIND_TITLES) else "?"


class UI:
    """Draws whole screens into `fb`; show() sends the frame (the costly part, ~25 ms)."""

    def __init__(self, fb):
        self.fb = fb
        self.shows = 0

    def show(self):
        """Send the frame to the panel."""
        self.shows += 1
        self.fb.show()

    def wake(self):
        """Initialise the panel again after an I2C failure (it may have lost power)."""
        init = getattr(self.fb, "init_display", None)
        if init is not None:
            init()

    def _center(self, s, y, c=1):
        s = fit(s)
        self.fb.text(s, (W - 8 * len(s)) // 2, y, c)

    def _right(self, s, y, c=1):
        self.fb.text(s, W - 8 * len(s), y, c)

    def _bar(self, s, y=0):
        """An inverted full-width title bar."""
        self.fb.fill_rect(0, y, W, 9, 1)
        self._center(s, y + 1, 0)

    def menu(self, title, total_s, intervals, idx, count, full=False, warn="", head="PLAN"):
        """Plan chooser: title, total minutes, number of work intervals.

        `warn` (e.g. "PLANS DAMAGED") is an inverted bar in place of the button help; `head`
        names the set ("BUILT-IN" when a damaged stored set was replaced by the built-ins).
        """
        fb = self.fb
        fb.fill(0)
        fb.text("%s %d/%d" % (head, idx + 1, count), 0, 0, 1)
        if full:
            self._right("FULL", 0)
        fb.hline(0, 10, W, 1)
        fb.text(fit(title), 0, 14, 1)
        if len(title) > COLS:
            fb.text(fit(title[COLS:]), 0, 24, 1)
        fb.text("%d min" % ((total_s + 59) // 60), 0, 36, 1)
        fb.text("%d interval%s" % (intervals, "" if intervals == 1 else "s"), 0, 46, 1)
        if warn:
            self._bar(warn, 55)
        else:
            fb.text("A:go B:> C:<", 0, 56, 1)

    def countdown(self, n, title):
        """Get ready: a big 3, 2, 1."""
        fb = self.fb
        fb.fill(0)
        self._center(title, 0)
        draw_digit(fb, n % 10, BIG_X, BIG_Y, BIG_W, BIG_H, BIG_T)

    def running(self, kind, label, remaining_ms, rep, reps, nxt_kind, nxt_label, paused=False,
                note=""):
        """A timed step: kind and label, big remaining mm:ss, round n/N, the next step.

        A note (e.g. "+10 s" after an extend) is shown inverted in place of the next step.
        """
        fb = self.fb
        fb.fill(0)
        if paused:
            self._bar("PAUSED")
        else:
            fb.text(kind_title(kind), 0, 0, 1)
            if reps:
                self._right("%d/%d" % (rep, reps), 0)
        fb.text(fit(label), 0, 9, 1)
        draw_clock(fb, remaining_ms)
        if paused:
            fb.text("A:go C-hold:end", 0, 56, 1)
        elif note:
            self._bar(note, 55)
        elif nxt_kind >= 0:
            fb.text(fit(">" + kind_title(nxt_kind) + " " + nxt_label), 0, 56, 1)
        else:
            fb.text(">FINISH", 0, 56, 1)

    def wait_lap(self, kind, label, elapsed_ms, laps, rep, reps):
        """An open `lap` step: counts up until B ends it."""
        fb = self.fb
        fb.fill(0)
        fb.text(kind_title(kind), 0, 0, 1)
        if reps:
            self._right("%d/%d" % (rep, reps), 0)
        fb.text(fit(label), 0, 9, 1)
        draw_clock(fb, elapsed_ms)
        fb.text("B:lap done", 0, 56, 1)
        if laps:
            self._right("%d" % laps, 56)

    def rpe(self, value):
        """RPE 1-10 picker: big number and a 10-box scale."""
        fb = self.fb
        fb.fill(0)
        self._bar("HOW HARD? RPE")
        if value >= 10:
            draw_digit(fb, 1, 64 - DIG_W - 2, 14, DIG_W, DIG_H, DIG_T)
            draw_digit(fb, 0, 66, 14, DIG_W, DIG_H, DIG_T)
        else:
            draw_digit(fb, value, (W - DIG_W) // 2, 14, DIG_W, DIG_H, DIG_T)
        for i in range(10):
            x = 4 + i * 12
            if i < value:
                fb.fill_rect(x, 49, 10, 5, 1)
            else:
                fb.rect(x, 49, 10, 5, 1)
        fb.text("B:+ C:- A:ok", 16, 56, 1)

    def summary(self, elapsed_s, done, steps, intervals, skipped, laps, rpe, seq, full,
                early=False):
        """After the session: duration, intervals, skips, laps, RPE, and whether it was saved."""
        fb = self.fb
        fb.fill(0)
        self._bar("ENDED EARLY" if early else "DONE")
        fb.text("time " + mmss(elapsed_s), 0, 11, 1)
        fb.text("steps %d/%d" % (done, steps), 0, 20, 1)
        fb.text("work  %d" % intervals, 0, 29, 1)
        fb.text("skip %d lap %d" % (skipped, laps), 0, 38, 1)
        if full:
            fb.fill_rect(0, 47, W, 9, 1)
            fb.text("LOG FULL - SYNC", 0, 48, 0)
        elif seq >= 0:
            fb.text("RPE %d  log #%d" % (rpe, seq), 0, 47, 1)
        fb.text("A:ok", 0, 56, 1)

    def flash_full(self):
        """Warning: the log could not be written; timing still works."""
        fb = self.fb
        fb.fill(0)
        self._bar("LOG FULL")
        self._center("log full - sync", 16)
        self._center("log not saved;", 28)
        self._center("beeper pull", 38)
        self._center("A:ok", 56)

    def message(self, line1, line2=""):
        """Two centred lines (boot, errors)."""
        fb = self.fb
        fb.fill(0)
        self._center(line1, 24)
        self._center(line2, 36)
