"""main.py boots board.build() into app.run(); Ctrl-C leaves the REPL safe from the watchdog."""

import sys

import app
import app_rig
import machine


class Stop(Exception):
    """Ends the forever loop from the service hook."""


def _stop_after(hw, n, exc):
    def service(app):
        hw.services += 1
        if hw.services >= n:
            raise exc

    return service


def test_main_py_runs_the_app_on_the_board():
    if not app_rig.MP:
        return  # needs the real OLED driver, which CPython must never import (Blinka)
    hw = app_rig.make_hw()
    fb, panel = app_rig.make_screen(hw)
    hw.service = _stop_after(hw, 300, Stop())

    class Board:
        @staticmethod
        def build():
            return hw

    sys.modules["board"] = Board
    sys.modules.pop("main", None)
    try:
        __import__("main")
        raise AssertionError("main returned")
    except Stop:
        pass
    finally:
        sys.modules.pop("board", None)
    assert hw.services == 300
    assert hw.wdt.feeds == 301  # 300 loop passes, then the keeper's first feed
    assert hw.clock.now_us >= 300 * app.App.IDLE_MS * 1000 - 20000
    import screen
    assert screen.has_text(panel, "PLAN 1/3", 0, 0)  # the built-in plans, on the panel
    assert screen.has_text(panel, "12 min", 36, 0)


def test_ctrl_c_silences_the_buzzer_and_stops_feeding():
    tab = app_rig.table([("work", 30, "", 0)])
    r = app_rig.Rig(tables=[tab], with_store=False)
    hw, a = r.hw, r.app
    r.tap(hw.btn_a)
    r.run(4200)  # running, GO pattern sounding
    hw.service = _stop_after(hw, hw.services + 3, KeyboardInterrupt())
    try:
        a.run()
        raise AssertionError("run returned")
    except KeyboardInterrupt:
        pass
    assert not hw.buzzer_pwm.sounding()
    assert not hw.timer.armed()  # the app left nothing running: main.py hands over (keeper)


def test_watchdog_fires_if_the_loop_stops():
    r = app_rig.Rig(with_store=False)
    r.run(100)
    try:
        r.clock.advance_ms(6000)  # loop hung: no step() for longer than the WDT timeout
        raise AssertionError("no watchdog reset")
    except machine.WatchdogReset:
        pass
