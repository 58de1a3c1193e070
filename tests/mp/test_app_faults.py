"""Faults a user meets: the OLED cable comes loose mid-session; the screen after days idle."""

import app
import app_rig
import screen
import session as ses


def _unplug(r):
    """Pull the OLED: its I2C writes fail with OSError (the real driver on the fake bus)."""
    if app_rig.MP:
        r.hw.i2c.detach(0x3C)
        return

    def fail():
        raise OSError(5)  # EIO, as a NACKed rp2 I2C transfer

    r.fb.show = fail


def _replug(r):
    if app_rig.MP:
        r.hw.i2c.attach(0x3C, r.screen)
    else:
        del r.fb.show


def test_oled_unplugged_mid_session_keeps_timing_and_the_log():
    tab = app_rig.table([("work", 10, "Sprint", 0), ("rest", 10, "Walk", 0),
                         ("work", 10, "Sprint", 0)])
    r = app_rig.Rig(tables=[tab])
    hw, a = r.hw, r.app
    r.tap(hw.btn_a)
    r.run(5000)  # countdown done, step 1 running
    onsets = len(r.onsets)
    _unplug(r)
    r.run(10000)  # every redraw now fails: nothing escapes step(), cues go on
    assert a.show_errors >= 5
    assert a.show_errors <= 10000 // app.App.SHOW_RETRY_MS + 1  # retried about once a second
    assert a.sess.step == 1 and len(r.onsets) > onsets
    shows = a.ui.shows
    _replug(r)
    r.run(app.App.SHOW_RETRY_MS + 300)
    assert a.ui.shows > shows and not a._show_failed  # the display came back by itself
    assert screen.has_text(r.screen, "REST", 0, 0)
    r.until(lambda: a.mode == app.M_RPE)
    r.tap(hw.btn_a)  # RPE chosen: the log is written
    r.until(lambda: a.mode == app.M_SUMMARY)
    assert len(r.logbook.appends) == 1 and a.seq >= 0
    assert a.sess.n_done == 3 and a.sess.end_reason == ses.END_DONE


def test_screen_redraws_after_six_days_idle():
    r = app_rig.Rig(tables=[app_rig.table([("work", 10, "", 0)], "One"),
                            app_rig.table([("work", 20, "", 0)], "Two")], with_store=False)
    r.hw.wdt = None
    r.clock.wdt = None  # a build without the watchdog: only the screen is under test
    r.settle()
    assert screen.has_text(r.screen, "PLAN 1/2", 0, 0)
    r.clock.advance_ms((1 << 29) + 5000)  # idle past half the ticks_ms period (~6.2 days)
    shows = r.app.ui.shows
    r.tap(r.hw.btn_b)
    r.settle()
    assert r.app.ui.shows > shows
    assert screen.has_text(r.screen, "PLAN 2/2", 0, 0)


def test_lap_is_timed_at_the_press_edge_and_a_long_press_of_b_counts():
    tab = app_rig.table([("work", 0, "Fly", 0), ("rest", 10, "Walk", 0),
                         ("work", 0, "Fly", 0), ("rest", 10, "Walk", 0)])
    r = app_rig.Rig(tables=[tab], with_store=False)
    hw, a = r.hw, r.app
    r.tap(hw.btn_a)
    s = a.sess
    r.until(lambda: s.state == ses.S_WAIT_LAP)
    t0 = s._base_us  # the lap step started here
    r.run(3000)
    t_press = r.clock.now_us
    hw.btn_b.press()
    r.clock.busy_us(150000)  # the loop is stuck in a long C call: only the IRQ sees the edge
    r.run(100)
    assert s.step == 1 and s.laps[0] == 1
    # measured to the press edge, not to when the loop got round to it
    assert abs(s.actual_ms[0] - (t_press - t0) // 1000) <= 2, (s.actual_ms[0], t_press - t0)
    r.run(1400)  # B still held: 1.5 s in all, a long press
    hw.btn_b.release()
    r.run(60)
    assert s.step == 1 and s.laps[0] == 1  # the release adds nothing
    r.until(lambda: s.state == ses.S_WAIT_LAP)
    r.run(2000)
    r.hold(hw.btn_b, 1500)  # a long press of B ends the lap step too
    assert s.step == 3 and s.laps[2] == 1 and 1990 <= s.actual_ms[2] <= 2070, s.actual_ms[2]


def test_long_press_only_where_a_long_action_exists():
    tabs = [app_rig.table([("work", 10, "", 0)], "One"),
            app_rig.table([("work", 20, "", 0)], "Two")]
    r = app_rig.Rig(tables=tabs, with_store=False)
    hw, a = r.hw, r.app
    r.hold(hw.btn_c, 1500)  # the menu has no long actions: a hold is a press (previous plan)
    assert a.idx == 1 and a.mode == app.M_MENU
    r.hold(hw.btn_a, 1500)  # and A held starts the plan
    assert a.mode == app.M_RUN
    s = a.sess
    r.until(lambda: s.state == ses.S_RUNNING)
    r.hold(hw.btn_a, 1000)  # running: A has its long action (+10 s), no pause follows
    assert s.state == ses.S_RUNNING and s.flags[0] & ses.F_EXTENDED
    r.hold(hw.btn_c, 1000)  # C held: finish early
    assert s.state == ses.S_DONE and a.mode == app.M_RPE
    r.hold(hw.btn_b, 1500)  # RPE: no long actions; B held still counts as +1
    assert a.rpe == app.App.RPE_START + 1
