# Session + CueTimer in virtual time on the fake rp2 Timer/PWM (CPython and MicroPython).
import buzzer
import cue_rig
import cues
import plan
import session

S = session


def _hour():
    return cue_rig.table([("repeat", 60, [("work", 30, "", 0), ("rest", 30, "", 0)])])


def _n_tones(tab):
    n = 0
    for c, _ in cue_rig.planned_cues(tab):
        n += len(buzzer.PATTERNS[c])
    return n


def _check_exact(rig, tab, t0):
    got = cue_rig.tones(rig.events)
    exp = cue_rig.expected_tones(cue_rig.planned_cues(tab), t0 + cue_rig.STEP1_US)
    assert len(got) == len(exp), (len(got), len(exp))
    for i in range(len(exp)):
        assert cue_rig.near_tone(got[i], exp[i]), (i, got[i], exp[i])


def test_sixty_minutes_every_onset_exact():
    tab = _hour()
    rig = cue_rig.Rig(tab)
    t0 = rig.clock.now_us
    rig.stream_check(tab, t0 + cue_rig.STEP1_US)  # every tone start and end, to the microsecond
    rig.s.start()
    rig.run(3700 * 1000, step_ms=50)
    s = rig.s
    assert s.state == S.S_DONE and s.end_reason == S.END_DONE
    assert s.n_done == 120
    assert rig.clock.now_us > 3 * (1 << 30)  # ticks_us wrapped three times
    assert len(rig.errors) == len(cue_rig.planned_cues(tab)) == 3 + 120 * 4 + 1
    assert cue_rig.on_time(rig.errors)  # the last cue as exact as the first
    assert rig.mismatch is None, rig.mismatch
    assert rig.n_tones == _n_tones(tab)
    for i in range(120):
        assert s.actual_ms[i] == s.planned_ms[i] == 30000 and s.flags[i] == 0
    assert s.elapsed_ms() == 3600000


def test_wrap_mid_session_and_long_step():
    # ticks_us wraps 5 s into a session whose 25-minute warmup outlasts ticks_diff's range.
    tab = cue_rig.table([("warmup", 1500, "", 0), ("work", 20, "", 0)])
    rig = cue_rig.Rig(tab, start_us=(1 << 30) - 8000000)
    t0 = rig.clock.now_us
    rig.s.start()
    rig.run(1600 * 1000, step_ms=100)
    assert rig.s.state == S.S_DONE
    assert rig.errors and cue_rig.on_time(rig.errors)
    _check_exact(rig, tab, t0)
    assert list(rig.s.actual_ms) == [1500000, 20000]


def test_countdown_then_step():
    tab = cue_rig.table([("work", 20, "", 0), ("rest", 10, "", 0)])
    rig = cue_rig.Rig(tab)
    s = rig.s
    assert s.state == S.S_IDLE
    s.start()
    assert s.state == S.S_COUNTDOWN and s.countdown_s() == 3 and s.step == -1
    assert s.cursor.index == 0 and s.preview.index == 1 and s.remaining_ms() == 20000
    rig.run(1500)
    assert s.countdown_s() == 2 and s.elapsed_ms() == 0
    rig.run(1600)
    assert s.state == S.S_RUNNING and s.step == 0 and rig.ev & S.EV_STEP
    assert s.countdown_s() == 0
    assert 19000 < s.remaining_ms() <= 20000


def test_quiet_ms():
    tab = cue_rig.table([("work", 20, "", 0)])
    rig = cue_rig.Rig(tab)
    rig.s.start()
    rig.run(3050, step_ms=5)  # the WORK pattern (480 ms) is sounding
    assert rig.edge.busy() and rig.s.quiet_ms() == 0
    rig.run(1000)
    q = rig.s.quiet_ms()
    assert 15000 < q <= 16000  # until the first tick at 17 s
    assert rig.s.cue_pending() == cues.TICK


def test_pause_shifts_base_once():
    tab = cue_rig.table([("work", 20, "", 0), ("rest", 10, "", 0)])
    rig = cue_rig.Rig(tab)
    t0 = rig.clock.now_us
    s = rig.s
    s.start()
    rig.run(cue_rig.T1_MS + 5000)
    s.pause()
    assert s.state == S.S_PAUSED and not rig.pwm.sounding()
    n = rig.edge.n_onsets
    rig.clock.sleep_ms(20 * 60 * 1000)  # 20 minutes: longer than ticks_us can span
    rig.run(100)
    assert rig.edge.n_onsets == n  # silence while paused
    el = s.elapsed_ms()
    s.resume()
    assert s.state == S.S_RUNNING and s.elapsed_ms() == el
    rig.run(60000)
    assert s.state == S.S_DONE
    assert s.flags[0] == S.F_PAUSED and s.flags[1] == 0
    assert list(s.actual_ms) == [20000, 10000]
    assert 1200000 <= s.paused_ms <= 1200200
    shift = rig.clock.now_us  # the cues after resume are the plan's, moved by the paused span
    got = cue_rig.tones(rig.events)
    exp = cue_rig.expected_tones(cue_rig.planned_cues(tab), t0 + cue_rig.STEP1_US)
    paused_us = None
    for i in range(len(exp)):
        if not cue_rig.near_tone(got[i], exp[i]):
            if paused_us is None:
                paused_us = got[i][0] - exp[i][0]
            g, e = got[i], exp[i]
            assert cue_rig.near_tone((g[0] - paused_us, g[1] - paused_us, g[2]), e)
    assert paused_us is not None and abs(paused_us - s.paused_ms * 1000) < 1000, shift
    assert cue_rig.on_time(rig.errors)


def test_skip_rebases_following_steps():
    tab = cue_rig.table([("work", 20, "", 0), ("rest", 30, "", 0), ("work", 10, "", 0)])
    rig = cue_rig.Rig(tab)
    s = rig.s
    s.start()
    rig.run(cue_rig.T1_MS + 7000)
    t_skip = rig.clock.now_us
    s.skip()
    assert s.step == 1 and s.state == S.S_RUNNING
    assert s.flags[0] == S.F_SKIPPED and 6900 <= s.actual_ms[0] <= 7000
    rig.run(700)
    tones = cue_rig.tones(rig.events)
    rest = [t for t in tones if t[2] == 880]
    assert cue_rig.near(rest[0][0], t_skip)  # REST sounds at the skip itself
    rig.run(29000)
    rig.run(2000)
    assert s.step == 2
    work2 = [t for t in cue_rig.tones(rig.events) if t[0] > t_skip + 1000000 and t[2] == 1760]
    # re-based: the rest runs its full 30 s from the skip
    assert cue_rig.near(work2[0][0], t_skip + 30000000)
    rig.run(20000)
    assert s.state == S.S_DONE and list(s.actual_ms)[1:] == [30000, 10000]
    assert cue_rig.on_time(rig.errors)


def test_skip_countdown_and_last_step():
    tab = cue_rig.table([("work", 20, "", 0)])
    rig = cue_rig.Rig(tab)
    s = rig.s
    s.start()
    rig.run(500)
    s.skip()
    assert s.state == S.S_RUNNING and s.step == 0 and s.flags[0] == 0
    rig.run(2000)
    s.skip()
    assert s.state == S.S_DONE and s.end_reason == S.END_DONE and s.n_done == 1
    assert s.flags[0] == S.F_SKIPPED and 1900 <= s.actual_ms[0] <= 2000
    assert s.poll() & S.EV_DONE


def test_lap_step_waits_then_rebases():
    tab = cue_rig.table([("work", 10, "", 0), ("work", 0, "fly", 0), ("rest", 20, "", 0)])
    rig = cue_rig.Rig(tab)
    s = rig.s
    s.start()
    rig.run(cue_rig.T1_MS + 10000 + 600)
    assert s.state == S.S_WAIT_LAP and s.step == 1 and s.remaining_ms() == -1
    assert s.quiet_ms() == S.QUIET_MAX
    lap_tones = [t for t in cue_rig.tones(rig.events) if t[2] == 1047]
    assert len(lap_tones) == 3 and cue_rig.near(lap_tones[0][0], cue_rig.STEP1_US + 10000000)
    rig.run(12 * 60 * 1000, step_ms=200)  # a 12-minute lap: longer than ticks_us can span
    assert s.state == S.S_WAIT_LAP
    t_lap = rig.clock.now_us
    s.lap()
    assert s.state == S.S_RUNNING and s.step == 2
    assert s.flags[1] == S.F_LAP and s.laps[1] == 1
    assert 12 * 60 * 1000 + 590 <= s.actual_ms[1] <= 12 * 60 * 1000 + 610
    rig.run(25000)
    assert s.state == S.S_DONE and s.actual_ms[2] == 20000
    done = [t for t in cue_rig.tones(rig.events) if t[2] == 2093]  # DONE's last tone, C7
    assert cue_rig.near(done[-1][0], t_lap + 20000000 + (180 + 60 + 180 + 60) * 1000)
    assert cue_rig.on_time(rig.errors)


def test_lap_taps_counted_per_interval():
    tab = cue_rig.table([("work", 10, "", 0), ("rest", 10, "", 0)])
    rig = cue_rig.Rig(tab)
    s = rig.s
    s.lap()  # ignored before start
    s.start()
    s.lap()  # ignored in the countdown
    rig.run(4000)
    s.lap()
    s.lap()
    rig.run(10000)
    s.lap()
    assert list(s.laps) == [2, 1] and s.step == 1 and s.flags[0] == 0


def test_finish_early():
    tab = cue_rig.table([("work", 20, "", 0), ("rest", 20, "", 0), ("work", 20, "", 0)])
    rig = cue_rig.Rig(tab)
    s = rig.s
    s.start()
    rig.run(cue_rig.T1_MS + 25000)
    t_fin = rig.clock.now_us
    s.finish()
    assert s.state == S.S_DONE and s.end_reason == S.END_EARLY and s.n_done == 2
    assert s.actual_ms[0] == 20000 and 4900 <= s.actual_ms[1] <= 5000
    assert s.flags[1] == S.F_SKIPPED and s.actual_ms[2] == 0
    assert s.poll() & S.EV_DONE
    rig.run(2000)
    done = [t for t in cue_rig.tones(rig.events) if t[0] >= t_fin]
    assert [t[2] for t in done] == [1319, 1568, 2093] and cue_rig.near(done[0][0], t_fin)
    s.finish()  # idempotent
    assert s.n_done == 2


def test_pause_during_countdown_and_skip_while_paused():
    tab = cue_rig.table([("work", 20, "", 0), ("rest", 20, "", 0)])
    rig = cue_rig.Rig(tab)
    s = rig.s
    s.start()
    rig.run(1200)
    s.pause()
    rig.clock.sleep_ms(5000)
    s.resume()
    assert s.state == S.S_COUNTDOWN and s.countdown_s() == 2
    rig.run(2000)
    assert s.state == S.S_RUNNING and s.step == 0
    s.pause()
    s.skip()  # resumes and skips
    assert s.state == S.S_RUNNING and s.step == 1 and s.flags[0] == S.F_PAUSED | S.F_SKIPPED
    assert cue_rig.on_time(rig.errors) and s.paused_ms >= 5000


def test_halfway_from_plan_flag():
    tab = cue_rig.table([("work", 20, "", 0)], flags=plan.FLAG_HALFWAY)
    rig = cue_rig.Rig(tab)
    t0 = rig.clock.now_us
    rig.s.start()
    rig.run(30000)
    half = [t for t in cue_rig.tones(rig.events) if t[2] == 2093]
    assert cue_rig.near(half[0][0], t0 + cue_rig.STEP1_US + 10000000)


def test_skip_right_after_a_boundary_not_yet_polled():
    # The REST cue sounded from the timer but poll() has not run: skip() ends the rest.
    tab = cue_rig.table([("work", 20, "", 0), ("rest", 30, "", 0), ("work", 10, "", 0)])
    rig = cue_rig.Rig(tab)
    s = rig.s
    s.start()
    rig.run(cue_rig.T1_MS + 19990)
    rig.clock.sleep_ms(15)
    assert s.step == 0
    s.skip()
    assert s.step == 2 and s.flags[0] == 0 and s.flags[1] == S.F_SKIPPED
    assert s.actual_ms[0] == 20000 and 0 <= s.actual_ms[1] <= 10
    assert s.poll() & S.EV_STEP
    rig.run(1000)
    assert len([t for t in cue_rig.tones(rig.events) if t[2] == 880]) == 1  # REST once
