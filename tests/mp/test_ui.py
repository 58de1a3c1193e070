"""Screens: on MicroPython through adafruit_ssd1306 + fake I2C + Panel; on CPython a Canvas."""

import machine
import screen
import ui
import vclock

try:
    import framebuf  # noqa: F401 - MicroPython: the real driver path
    REAL = True
except ImportError:
    REAL = False


def make():
    """(fb, panel_or_fb, clock): what the UI draws on and where the image ends up."""
    clock = vclock.VirtualClock()
    machine.set_clock(clock)
    if not REAL:
        import canvas
        c = canvas.Canvas()
        return c, c, clock
    import display
    import ssd1306_panel
    i2c = machine.I2C(0, scl=machine.Pin(5), sda=machine.Pin(4), freq=400000)
    panel = ssd1306_panel.Panel()
    i2c.attach(0x3C, panel)
    fb = display.make_oled(i2c, 0x3C)
    return fb, panel, clock


def shown(u, fb, panel):
    """show(), and on MicroPython check the panel rebuilt exactly the frame buffer."""
    u.show()
    if REAL:
        assert screen.diff_pixels(fb, panel) == 0
    return panel


def test_menu_shows_title_minutes_intervals():
    fb, panel, _ = make()
    u = ui.UI(fb)
    u.menu("Beginner speed session", 720, 6, 0, 3)
    p = shown(u, fb, panel)
    assert screen.has_text(p, "PLAN 1/3", 0, 0)
    assert screen.has_text(p, "Beginner speed s", 14, 0)
    assert screen.has_text(p, "ession", 24, 0)
    assert screen.has_text(p, "12 min", 36, 0)
    assert screen.has_text(p, "6 intervals", 46, 0)
    assert not screen.has_text(p, "FULL", 0)
    u.menu("Short", 61, 1, 2, 3, full=True)
    p = shown(u, fb, panel)
    assert screen.has_text(p, "PLAN 3/3", 0, 0)
    assert screen.has_text(p, "2 min", 36, 0)
    assert screen.has_text(p, "1 interval ", 46, 0)  # singular
    assert screen.has_text(p, "FULL", 0, 96)


def test_countdown_big_digits():
    fb, panel, _ = make()
    u = ui.UI(fb)
    for n in (3, 2, 1):
        u.countdown(n, "Beginner")
        p = shown(u, fb, panel)
        assert screen.read_big(p) == n
        assert screen.has_text(p, "Beginner", 0)


def test_running_screen_and_clock_region_changes():
    fb, panel, _ = make()
    u = ui.UI(fb)
    u.running(1, "High knees", 20000, 3, 6, 2, "Walking recovery")
    p = shown(u, fb, panel)
    assert screen.has_text(p, "WORK", 0, 0)
    assert screen.has_text(p, "3/6", 0, 128 - 24)
    assert screen.has_text(p, "High knees", 9, 0)
    assert screen.read_clock(p) == "0:20"
    assert screen.has_text(p, ">REST Walking re", 56, 0)
    before = [[p.pixel(x, y) for x in range(128)] for y in range(64)]
    u.running(1, "High knees", 18200, 3, 6, 2, "Walking recovery")  # 18.2 s -> shows 0:19
    p = shown(u, fb, panel)
    assert screen.read_clock(p) == "0:19"
    changed_rows = [y for y in range(64)
                    if [p.pixel(x, y) for x in range(128)] != before[y]]
    assert changed_rows
    # only the clock band changed
    assert min(changed_rows) >= ui.CLOCK_Y and max(changed_rows) < ui.CLOCK_Y + ui.DIG_H


def test_clock_formats():
    assert ui.clock_digits(0) == (0, 0, 0, 0)
    assert ui.clock_digits(1) == (0, 0, 0, 1)  # rounded up: 0:00 only at the very end
    assert ui.clock_digits(180000) == (0, 3, 0, 0)
    assert ui.clock_digits(179001) == (0, 3, 0, 0)
    assert ui.clock_digits(179000) == (0, 2, 5, 9)
    assert ui.clock_digits(4 * 3600 * 1000) == (9, 9, 5, 9)
    fb, panel, _ = make()
    u = ui.UI(fb)
    for ms, want in ((754000, "12:34"), (59000, "0:59"), (600000, "10:00"), (0, "0:00")):
        u.running(0, "Warm", ms, 0, 0, -1, "")
        p = shown(u, fb, panel)
        assert screen.read_clock(p) == want
        # no leading zero: the tens-of-minutes box is dark below 10 minutes
        assert screen.blank(p, ui.CLOCK_XS[0], ui.CLOCK_Y, ui.DIG_W, ui.DIG_H) == (ms < 600000)
        assert screen.has_text(p, ">FINISH", 56, 0)
        assert screen.has_text(p, "WARM-UP", 0, 0)


def test_paused_and_wait_lap():
    fb, panel, _ = make()
    u = ui.UI(fb)
    u.running(2, "Walk", 33000, 2, 6, 1, "High knees", paused=True)
    p = shown(u, fb, panel)
    assert screen.has_inverted_text(p, "PAUSED", 1)
    assert screen.read_clock(p) == "0:33"
    assert screen.has_text(p, "A:go C-hold:end", 56, 0)
    u.wait_lap(1, "Fly 40 m", 65000, 2, 3, 5)
    p = shown(u, fb, panel)
    assert screen.has_text(p, "WORK", 0, 0)
    assert screen.has_text(p, "3/5", 0)
    assert screen.has_text(p, "Fly 40 m", 9, 0)
    assert screen.read_clock(p) == "1:05"
    assert screen.has_text(p, "B:lap done", 56, 0)
    assert screen.has_text(p, "2", 56, 120)


def test_rpe_picker():
    fb, panel, _ = make()
    u = ui.UI(fb)
    for v in (1, 7, 10):
        u.rpe(v)
        p = shown(u, fb, panel)
        assert screen.has_inverted_text(p, "HOW HARD? RPE", 1)
        filled = [i for i in range(10) if p.pixel(4 + i * 12 + 5, 51)]
        assert len(filled) == v
        if v < 10:
            assert screen.read_digit(p, (128 - ui.DIG_W) // 2, 14, ui.DIG_W, ui.DIG_H,
                                     ui.DIG_T) == v
        else:
            assert screen.read_digit(p, 66, 14, ui.DIG_W, ui.DIG_H, ui.DIG_T) == 0


def test_summary_and_flash_full():
    fb, panel, _ = make()
    u = ui.UI(fb)
    u.summary(734, 13, 14, 6, 1, 3, 7, 12, False, early=True)
    p = shown(u, fb, panel)
    assert screen.has_inverted_text(p, "ENDED EARLY", 1)
    assert screen.has_text(p, "time 12:14", 11, 0)
    assert screen.has_text(p, "steps 13/14", 20, 0)
    assert screen.has_text(p, "work  6", 29, 0)
    assert screen.has_text(p, "skip 1 lap 3", 38, 0)
    assert screen.has_text(p, "RPE 7  log #12", 47, 0)
    u.summary(720, 14, 14, 6, 0, 0, 5, -1, True)
    p = shown(u, fb, panel)
    assert screen.has_inverted_text(p, "DONE", 1)
    assert screen.has_inverted_text(p, "LOG FULL - SYNC", 48, 0)
    u.flash_full()
    p = shown(u, fb, panel)
    assert screen.has_inverted_text(p, "LOG FULL", 1)
    assert screen.has_text(p, "log full - sync", 16)


def test_show_costs_bus_time():
    fb, panel, clock = make()
    if not REAL:
        return  # the Canvas has no bus
    u = ui.UI(fb)
    u.menu("x", 60, 1, 0, 1)
    t0 = clock.now_us
    u.show()
    cost = clock.now_us - t0
    # 1025 data bytes + 6 command transactions at 400 kHz, 9 bits a byte: about 23.6 ms
    assert 22000 < cost < 26000, cost


def test_running_note_replaces_next_line():
    fb, panel, _ = make()
    u = ui.UI(fb)
    u.running(1, "Sprint", 24000, 0, 0, 2, "Walk", note="+10 s")
    p = shown(u, fb, panel)
    assert screen.has_inverted_text(p, "+10 s", 56)
    assert not screen.has_text(p, ">REST Walk", 56, 0)
    assert screen.read_clock(p) == "0:24"
    u.running(1, "Sprint", 24000, 0, 0, 2, "Walk")
    p = shown(u, fb, panel)
    assert screen.has_text(p, ">REST Walk", 56, 0)


def test_menu_warning_bar_and_set_name():
    fb, panel, _ = make()
    u = ui.UI(fb)
    u.menu("Beginner speed session", 720, 6, 0, 3, True, "PLANS DAMAGED", "BUILT-IN")
    p = shown(u, fb, panel)
    assert screen.has_text(p, "BUILT-IN 1/3", 0, 0)
    assert screen.has_text(p, "FULL", 0, 96)
    assert screen.has_inverted_text(p, "PLANS DAMAGED", 56)
    assert not screen.has_text(p, "A:go B:> C:<", 56, 0)
    assert screen.has_text(p, "6 intervals", 46, 0)
