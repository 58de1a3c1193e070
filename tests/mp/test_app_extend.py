"""A held while running = +10 s: the app's A_LONG path, on screen, in the cues and in the log."""

import app
import app_rig
import cue_rig
import cues
import screen
import session as ses


def test_hold_a_extends_the_running_interval():
    tab = app_rig.table([("work", 20, "Go", 0), ("rest", 10, "Walk", 0)], "Ext")
    r = app_rig.Rig(tables=[tab])
    hw, a, sc = r.hw, r.app, r.screen
    r.settle()
    r.tap(hw.btn_a)
    s = a.sess
    t1 = s._base_us  # step 1 starts here (the clock starts at 0: no wrap in this test)
    r.until(lambda: s.state == ses.S_RUNNING)
    r.run(5000)
    hw.btn_a.press()
    r.run(900)  # A_LONG is sent while A is held (after 700 ms)
    assert s.flags[0] == ses.F_EXTENDED and s.state == ses.S_RUNNING
    left = s.remaining_ms()
    hw.btn_a.release()
    r.run(60)
    assert s.state == ses.S_RUNNING  # the release of a long press is silent
    assert 23000 < left < 24500, left
    r.settle()
    assert screen.has_inverted_text(sc, "+10 s", 56)  # the brief acknowledgement
    shown = screen.read_clock(sc)
    assert shown in ("0:23", "0:24"), shown
    r.run(a.NOTE_MS + 300)
    assert not screen.has_inverted_text(sc, "+10 s", 56)
    assert screen.has_text(sc, ">REST Walk", 56, 0)

    # paused: A has no long action, so a hold resumes at the press like a tap
    r.tap(hw.btn_a)
    assert s.state == ses.S_PAUSED
    hw.btn_a.press()
    r.run(100)
    assert s.state == ses.S_RUNNING
    r.run(800)
    hw.btn_a.release()
    r.run(60)
    assert s.state == ses.S_RUNNING and s.flags[0] & ses.F_EXTENDED  # one +10 s, no more

    r.until(lambda: a.mode == app.M_RPE, 60000)
    paused_us = s.paused_ms * 1000
    # every cue where the 30-s interval puts it, moved by the pause, to the microsecond
    offs = [(cues.COUNT, -3000), (cues.COUNT, -2000), (cues.COUNT, -1000), (cues.WORK, 0),
            (cues.TICK, 27000), (cues.TICK, 28000), (cues.TICK, 29000), (cues.REST, 30000),
            (cues.TICK, 37000), (cues.TICK, 38000), (cues.TICK, 39000), (cues.DONE, 40000)]
    planned = [pl for pl, _ in r.onsets]
    assert len(planned) == len(offs), (len(planned), planned)
    for k in range(len(offs)):
        want = t1 + offs[k][1] * 1000 + (paused_us if offs[k][1] > 0 else 0)
        assert abs(planned[k] - want) < 1000, (k, planned[k], want)  # paused_ms is whole ms
    # the pause moved the base once: cues after it keep their exact spacing
    for k in range(5, len(offs)):
        assert planned[k] - planned[4] == (offs[k][1] - offs[4][1]) * 1000
    errs = [act - pl for pl, act in r.onsets]
    assert cue_rig.on_time(errs), errs

    r.tap(hw.btn_a)
    r.until(lambda: a.mode == app.M_SUMMARY, 3000)
    rec = list(r.logbook.records())[0]
    ivs = [tuple(iv) for iv in rec["intervals"]]
    assert ivs[0][:3] == (20000, 30000, ses.F_EXTENDED | ses.F_PAUSED), ivs
    assert ivs[1][:3] == (10000, 10000, 0), ivs
