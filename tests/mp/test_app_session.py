"""A whole session driven by scripted button presses in virtual time, checked on screen and log."""

import app
import app_rig
import cue_rig
import defaults
import plan
import screen
import session as ses

STEPS = [
    ("warmup", 5, "Jog", 0),
    ("repeat", 2, [("work", 6, "Sprint", 0), ("rest", 5, "Walk", 0)]),
    ("work", 0, "Fly", 0),
    ("cooldown", 4, "Stretch", 0),
]


def near(a, b, tol):
    return abs(a - b) <= tol, (a, b)


def test_whole_session_scripted():
    tab = app_rig.table(STEPS, "Test run")
    r = app_rig.Rig(tables=[tab, plan.Table(defaults.BEGINNER)])
    hw, a, sc = r.hw, r.app, r.screen
    r.settle()
    assert screen.has_text(sc, "PLAN 1/2", 0, 0)
    assert screen.has_text(sc, "Test run", 14, 0)
    assert screen.has_text(sc, "3 intervals", 46, 0)  # 2 repeated + the lap step
    r.tap(hw.btn_b)
    r.settle()
    assert screen.has_text(sc, "PLAN 2/2", 0, 0)
    assert screen.has_text(sc, "12 min", 36, 0)
    assert screen.has_text(sc, "6 intervals", 46, 0)
    r.tap(hw.btn_c)
    r.settle()
    assert screen.has_text(sc, "PLAN 1/2", 0, 0)

    # start: 3-2-1
    r.tap(hw.btn_a)
    assert a.mode == app.M_RUN
    s = a.sess
    # step 1 starts 3 s (+ the first cue's arming lead) after the start press was handled
    t_start = s._base_us - 3000000 - ses.Session.START_LEAD_MS * 1000
    r.settle()
    assert screen.read_big(sc) == 3
    r.until(lambda: s.state == ses.S_RUNNING)
    r.settle()
    assert screen.has_text(sc, "WARM-UP", 0, 0)
    assert screen.has_text(sc, "Jog", 9, 0)
    assert screen.read_clock(sc) == "0:05"
    assert screen.has_text(sc, ">WORK Sprint", 56, 0)

    # pause 2 s in the warm-up
    r.run(1500)
    r.tap(hw.btn_a)
    assert s.state == ses.S_PAUSED
    r.settle()
    assert screen.has_inverted_text(sc, "PAUSED", 1)
    frozen = screen.read_clock(sc)
    assert frozen == "0:04", frozen
    r.run(2000)
    assert screen.read_clock(sc) == frozen
    r.tap(hw.btn_a)
    assert s.state == ses.S_RUNNING

    # work 1: two rep taps
    r.until(lambda: s.step == 1)
    r.settle()
    assert screen.has_text(sc, "WORK", 0, 0)
    assert screen.has_text(sc, "1/2", 0, 104)
    assert screen.has_text(sc, "Sprint", 9, 0)
    r.tap(hw.btn_b)
    r.tap(hw.btn_b)
    shown1 = screen.read_clock(sc)
    r.run(1100)
    shown2 = screen.read_clock(sc)
    assert shown1 != shown2  # the remaining time region keeps changing

    # rest 1: skip after 1 s
    r.until(lambda: s.step == 2)
    r.run(1000)
    r.tap(hw.btn_c)
    assert s.step == 3
    r.settle()
    assert screen.has_text(sc, "2/2", 0, 104)

    # the lap step: 3 s, then B ends it
    r.until(lambda: s.state == ses.S_WAIT_LAP, 20000)
    r.run(3000)
    assert screen.has_text(sc, "B:lap done", 56, 0)
    assert screen.has_text(sc, "Fly", 9, 0)
    assert screen.read_clock(sc) == "0:03", screen.read_clock(sc)  # counts up
    r.tap(hw.btn_b)
    assert s.step == 6

    # cool-down: finish early by holding C
    r.run(1000)
    r.hold(hw.btn_c, 900)
    assert s.state == ses.S_DONE
    assert a.mode == app.M_RPE
    r.settle()
    assert screen.has_inverted_text(sc, "HOW HARD? RPE", 1)
    r.tap(hw.btn_b)
    r.tap(hw.btn_b)
    r.tap(hw.btn_b)
    r.tap(hw.btn_c)
    assert a.rpe == 7
    assert not r.logbook.appends  # no log record during the session: checkpoints only
    assert a.checkpoints >= 3 and all(r.clock.now_us > t for t, _k in r.flash_ops)
    r.tap(hw.btn_a)
    r.until(lambda: a.mode == app.M_SUMMARY, 3000)
    r.settle()
    assert screen.has_inverted_text(sc, "ENDED EARLY", 1)
    assert screen.has_text(sc, "steps 7/7", 20, 0)
    assert screen.has_text(sc, "work  3", 29, 0)
    assert screen.has_text(sc, "skip 2 lap 3", 38, 0)
    assert screen.has_text(sc, "RPE 7  log #1", 47, 0)

    recs = list(r.logbook.records())
    assert len(recs) == 1
    rec = recs[0]
    assert rec["rpe"] == 7
    assert rec["end_reason"] == ses.END_EARLY
    assert rec["plan_hash"] == tab.crc
    assert rec["start_s"] == 1767225600 + t_start // 1000000
    # the log carries the worst onset error the CueTimer saw in this session, early or late
    worst = max(abs(act - pl) for pl, act in r.onsets)
    assert len(r.onsets) > 10 and rec["worst_onset_us"] == worst
    # tap tail, settle, run, then the resuming press's debounce: A has no long action while
    # paused, so it acts at the press, not at the release
    ok, v = near(rec["paused_ms"], 60 + 300 + 2000 + 20, 30)
    assert ok, v
    ivs = rec["intervals"]
    assert [iv[0] for iv in ivs] == [5000, 6000, 5000, 6000, 5000, 0, 4000]
    flags = [iv[2] for iv in ivs]
    assert flags == [ses.F_PAUSED, 0, ses.F_SKIPPED, 0, 0, ses.F_LAP, ses.F_SKIPPED], flags
    laps = [iv[3] for iv in ivs]
    assert laps == [0, 2, 0, 0, 0, 1, 0], laps
    # record v2: kinds and labels by interval, the title, when in this boot, cue accuracy
    assert [iv[4] for iv in ivs] == [0, 1, 2, 1, 2, 1, 4]
    assert [rec["strings"][iv[5]] for iv in ivs] == ["Jog", "Sprint", "Walk", "Sprint",
                                                      "Walk", "Fly", "Stretch"]
    assert rec["title"] == "Test run" and not rec["rtc_set"]
    # ticks at the start press; t_start is step 1's anchor minus the 3-2-1 (a lead apart)
    ok, v = near(rec["start_ticks_ms"], (t_start // 1000) & ((1 << 30) - 1), 100)
    assert ok, v
    assert 0 <= rec["worst_onset_us"] < 1000, rec["worst_onset_us"]  # virtual time: latency
    actual = [iv[1] for iv in ivs]
    # full steps are exact; button-ended ones within the debounce + loop latency
    assert actual[0] == 5000 and actual[1] == 6000 and actual[3] == 6000 and actual[4] == 5000
    # the lap is timed at B's press edge (its IRQ timestamp): no hold, no debounce in it
    for got, want in ((actual[2], 1000 + 80 + 25), (actual[5], 3000 + 25),
                      (actual[6], 120 + 1000 + 700)):  # cool-down from B's press on
        ok, v = near(got, want, 60)
        assert ok, (v, actual)

    # back to the menu
    r.tap(hw.btn_a)
    r.settle()
    assert a.mode == app.M_MENU and a.sess is None
    assert screen.has_text(sc, "PLAN 1/2", 0, 0)
    assert hw.services == r.passes  # the service hook ran once per pass
    assert hw.wdt.feeds == r.passes


def test_no_show_or_flash_write_near_a_cue():
    tab = app_rig.table([("warmup", 5, "", 0), ("repeat", 3, [("work", 6, "", 0),
                                                              ("rest", 5, "", 0)])])
    r = app_rig.Rig(tables=[tab])
    hw, a = r.hw, r.app
    r.settle()
    r.tap(hw.btn_a)
    r.run(5000)
    r.tap(hw.btn_b)  # a rep tap, redraw requested mid-step
    r.run(2000)
    r.tap(hw.btn_a)  # pause / resume: redraws
    r.tap(hw.btn_a)
    r.until(lambda: a.mode == app.M_RPE, 60000)
    r.run(300)
    r.tap(hw.btn_a)
    r.until(lambda: a.mode == app.M_SUMMARY, 3000)
    r.run(500)
    tones = r.tones()
    cue_onsets = [pl for pl, _act in r.onsets]  # where each cue's pattern starts
    assert len(cue_onsets) > 15
    frames = r.frames()
    assert len(frames) > 20
    # A full show (~24 ms of bus) never starts within 50 ms before a cue onset, so it never
    # overlaps one. (It may overlap the tail of a sounding pattern: those edges are hard-timer.)
    for t0, t1 in frames:
        for on in cue_onsets:
            assert not (t0 <= on < t0 + 50000), (t0, t1, on)
    # redraws throttled to <= 5/s
    for i in range(1, len(frames)):
        assert frames[i][0] - frames[i - 1][0] >= app.App.REDRAW_MS * 1000 - 1000
    # one log write, after DONE and after the last tone ended (no cue is left to delay)
    assert len(r.logbook.appends) == 1
    last_end = max(te for _ts, te, _f in tones)
    assert r.logbook.appends[0] > last_end
    # checkpoints during the session: no flash op within the guard before a cue, or while
    # a pattern sounds
    assert a.checkpoints >= 5, a.checkpoints
    guard = app.App.CHECKPOINT_GUARD_MS * 1000
    for t, _k in r.flash_ops:
        for on in cue_onsets:
            assert not (t <= on < t + guard), (t, on)
        for ts, te, _f in tones:
            assert not (ts <= t < te), (t, ts, te)
    if app_rig.MP:
        assert r.flash_ops  # the record really went through the block device
    # cues on time despite the screen traffic (hard timer)
    errs = [act - pl for pl, act in r.onsets]
    assert cue_rig.on_time(errs), errs


def test_flash_full_warns_and_timing_continues():
    tab = app_rig.table([("work", 3, "Go", 0), ("rest", 2, "", 0)])
    r = app_rig.Rig(tables=[tab], full=True)
    hw, a, sc = r.hw, r.app, r.screen
    r.tap(hw.btn_a)
    r.until(lambda: a.mode == app.M_RPE, 20000)
    r.tap(hw.btn_a)
    r.until(lambda: a.mode == app.M_FULL, 3000)
    r.settle()
    assert screen.has_inverted_text(sc, "LOG FULL", 1)
    assert screen.has_text(sc, "log full - sync", 16)
    assert r.logbook.full and a.full
    r.tap(hw.btn_a)
    r.settle()
    assert a.mode == app.M_SUMMARY
    assert screen.has_inverted_text(sc, "LOG FULL - SYNC", 48, 0)
    r.tap(hw.btn_a)
    r.settle()
    assert screen.has_text(sc, "FULL", 0, 96)  # the menu keeps saying so
    # and the next session still times and beeps on schedule
    n0 = len(r.onsets)
    r.tap(hw.btn_a)
    r.until(lambda: a.mode == app.M_RPE, 20000)
    errs = [act - pl for pl, act in r.onsets[n0:]]
    assert len(errs) >= 6  # 3-2-1, GO, ticks, REST, DONE
    assert cue_rig.on_time(errs), errs
    s = a.sess
    assert [s.actual_ms[i] for i in range(2)] == [3000, 2000]


def test_countdown_abandon_and_no_store():
    tab = app_rig.table([("work", 3, "", 0)])
    r = app_rig.Rig(tables=[tab], with_store=False)
    hw, a = r.hw, r.app
    r.tap(hw.btn_a)
    assert a.sess.state == ses.S_COUNTDOWN
    r.hold(hw.btn_c, 800)
    assert a.mode == app.M_MENU and a.sess is None
    assert not hw.buzzer_pwm.sounding()
    # without a logbook the session still runs and ends on the summary
    r.tap(hw.btn_a)
    r.until(lambda: a.mode == app.M_RPE, 20000)
    r.tap(hw.btn_a)
    r.until(lambda: a.mode == app.M_SUMMARY, 3000)
    assert a.seq == -1


def test_defaults_when_no_plans_stored():
    r = app_rig.Rig()  # empty store: the built-in examples
    assert len(r.app.tables) == len(defaults.PLANS)
    assert r.app.tables[0].title() == "Beginner speed session"
    r.settle()
    assert screen.has_text(r.screen, "PLAN 1/3", 0, 0)
    assert screen.has_text(r.screen, "12 min", 36, 0)
    st = r.store
    st.save_plans([app_rig.table([("work", 60, "", 0)], "Mine").buf])
    import app as app_mod
    a2 = app_mod.App(r.hw, store=st, logbook=r.logbook, fb=r.fb)
    assert [t.title() for t in a2.tables] == ["Mine"]
