"""Watchdog and REPL: the app feeds it from its loop; the keeper (main.py on exit, boot.py after
a soft reset) feeds it at the REPL; a hung app is still reset. Virtual time throughout."""

import gc
import sys

import app
import app_rig
import machine

FIRMWARE_MODULES = ("main", "boot", "keeper", "board")


class Stop(Exception):
    """Ends the app's loop from its service hook (stands for an app error)."""


def _forget_modules():
    """A soft reset wipes the heap: every module is imported afresh afterwards."""
    for m in FIRMWARE_MODULES:
        sys.modules.pop(m, None)


def _boot_main(hw_box, service):
    """Import main.py with a board whose build() returns a fresh rig hw; the app draws on the
    rig's screen. Returns the exception main.py ended with. The test keeps no reference to hw
    (hw_box is emptied), as on a Pico where only the dead app held it."""
    made = []

    class Board:
        @staticmethod
        def build():
            hw = hw_box.pop()
            hw.service = service
            made.append(1)
            return hw

        @staticmethod
        def running_watchdog():
            return None

    real_run = app.run

    def run(hw):
        fb, _panel = app_rig.make_screen(hw)
        app.App(hw, fb=fb).run()

    _forget_modules()
    sys.modules["board"] = Board
    app.run = run
    try:
        __import__("main")
        raise AssertionError("main returned")
    except (KeyboardInterrupt, Stop, machine.WatchdogReset) as e:
        ended = e
    finally:
        app.run = real_run
        sys.modules.pop("board", None)
    assert made
    return ended


def _stop_after(n, exc, counter):
    def service(_app):
        counter[0] += 1
        if counter[0] >= n:
            raise exc

    return service


def _fresh():
    """(clock, wdt, [hw]) of a freshly powered rig with its watchdog started."""
    hw = app_rig.make_hw()
    return hw.clock, hw.wdt, [hw]


def _boot_py():
    """What rp2 does after every soft reset: run /boot.py (fresh module state)."""
    import pico

    sys.modules["board"] = pico  # the real Pico board file: mem32, WDT, Timer from `machine`
    try:
        __import__("boot")
    finally:
        sys.modules.pop("board", None)


def test_ctrl_c_then_gc_then_a_minute_at_the_repl_no_reset():
    clock, wdt, box = _fresh()
    n = [0]
    ended = _boot_main(box, _stop_after(50, KeyboardInterrupt(), n))
    assert isinstance(ended, KeyboardInterrupt) and n[0] == 50
    del ended
    import keeper

    assert keeper.active()
    gc.collect()  # on rp2 this finalises any Timer only the dead app still referenced
    feeds = wdt.feeds
    clock.advance_ms(60000)
    assert not wdt.expired and clock.wdt_resets == 0
    assert wdt.feeds >= feeds + 59


def test_an_app_error_also_leaves_the_repl_fed():
    clock, wdt, box = _fresh()
    ended = _boot_main(box, _stop_after(20, Stop(), [0]))
    assert isinstance(ended, Stop)
    gc.collect()
    clock.advance_ms(30000)
    assert clock.wdt_resets == 0


def _ctrl_c_then_soft_reset():
    """Boot main.py, Ctrl-C out of the app, then a soft reset (as mpremote does): the clock,
    the WDT and the box of hw, with the firmware modules forgotten like a fresh VM."""
    clock, wdt, box = _fresh()
    _boot_main(box, _stop_after(10, KeyboardInterrupt(), [0]))
    try:
        machine.soft_reset()
        raise AssertionError("soft_reset returned")
    except SystemExit:
        pass
    _forget_modules()
    return clock, wdt, box


def test_soft_reset_kills_the_keeper_timer_and_boot_py_rearms_it():
    # without boot.py: the soft reset cancels every soft Timer, the watchdog runs on and fires
    clock, wdt, box = _ctrl_c_then_soft_reset()
    assert machine.mem32[0x40058000] & (1 << 30)  # the hardware still runs
    try:
        clock.advance_ms(10000)
        raise AssertionError("no watchdog reset")
    except machine.WatchdogReset:
        pass
    # with boot.py (what rp2 runs on every soft reset, also before the raw REPL)
    clock, wdt, box = _ctrl_c_then_soft_reset()
    _boot_py()
    import keeper

    assert keeper.active()
    gc.collect()
    clock.advance_ms(3600 * 1000)  # an hour at the REPL (fs cp, exec, ...)
    assert clock.wdt_resets == 0


def test_power_on_boot_py_starts_no_watchdog():
    clock = app_rig.make_hw().clock
    clock.wdt = None  # a fresh power-on: nothing enabled the watchdog yet
    assert machine.mem32[0x40058000] & (1 << 30) == 0
    _forget_modules()
    _boot_py()
    import keeper

    assert not keeper.active()
    clock.advance_ms(20000)
    assert clock.wdt_resets == 0


def test_hung_app_after_boot_py_is_still_reset():
    clock, wdt, box = _ctrl_c_then_soft_reset()
    _boot_py()  # the keeper feeds the watchdog ...
    box.append(app_rig.make_hw(clock.now_us))  # ... main.py builds the board again
    clock = box[0].clock

    def hang(_app):
        clock.advance_ms(20000)  # the loop never comes back: nobody may feed the watchdog

    ended = _boot_main(box, hang)
    assert isinstance(ended, machine.WatchdogReset)
    assert clock.wdt_resets == 1


def test_rp2350_reads_its_own_watchdog_register():
    import pico
    import pico2

    app_rig.make_hw()  # a started WDT
    machine.set_chip("rp2350")
    try:
        assert pico.running_watchdog() is None  # the RP2040 address means nothing there
        parts = pico2.running_watchdog()
        assert parts is not None and isinstance(parts[1], machine.Timer)
    finally:
        machine.set_chip("rp2040")
