# Session.extend(ms) in virtual time on the fake rp2 Timer/PWM (CPython and MicroPython).
import gc

import buzzer
import cue_rig
import cues
import machine
import plan
import session

S = session
STEPS = [("work", 20, "", 0), ("rest", 10, "", 0), ("work", 8, "", 0)]


def _longer(steps, i, ms):
    """The flat plan with step i made ms longer (the oracle for extend)."""
    out = list(steps)
    k, d, lab, o = out[i]
    out[i] = (k, d + ms // 1000, lab, o)
    return out


def spliced(steps, i, ms, at_ms, flags=0):
    """[(cue, off_ms)] expected when step i gets ms longer at at_ms (from step 1's start).

    Cues up to at_ms are the plan's; after it, those of the plan with step i ms longer. A
    halfway already given is not given again.
    """
    a = cue_rig.planned_cues(cue_rig.table(steps, flags))
    b = cue_rig.planned_cues(cue_rig.table(_longer(steps, i, ms), flags))
    out = [c for c in a if c[1] <= at_ms]
    half_given = len([c for c in out if c[0] == cues.HALF])
    halves = 0
    for c in b:
        if c[0] == cues.HALF:
            halves += 1
            if halves <= half_given:
                continue
        if c[1] > at_ms:
            out.append(c)
    return out


def _rig(tab, start_us=0):
    """A fresh rig; the last one's event lists are freed first (Pico-sized heap, 8 KB arrays)."""
    gc.collect()
    n = machine.PWM.EVENTS
    machine.PWM.EVENTS = 384  # the rig drains the ring every pass
    try:
        return cue_rig.Rig(tab, start_us=start_us)
    finally:
        machine.PWM.EVENTS = n


def _run_to(rig, at_ms):
    """Main loop until at_ms from step 1's start (cue_rig.STEP1_US after start())."""
    rig.run_to(rig.t_start + cue_rig.STEP1_US + at_ms * 1000)


def _check(rig, exp_cues, t0):
    got = cue_rig.tones(rig.events)
    exp = cue_rig.expected_tones(exp_cues, t0 + cue_rig.STEP1_US)
    assert len(got) == len(exp), (len(got), len(exp), got[-3:], exp[-3:])
    for k in range(len(exp)):
        assert cue_rig.near_tone(got[k], exp[k]), (k, got[k], exp[k])
    assert rig.errors and cue_rig.on_time(rig.errors), rig.errors


def _extend_once(steps, i, at_ms, ms=10000, start_us=0, flags=0):
    tab = cue_rig.table(steps, flags)
    rig = _rig(tab, start_us)
    t0 = rig.clock.now_us
    s = rig.s
    s.start()
    _run_to(rig, at_ms)
    rig.ev |= s.poll()
    assert s.step == i and s.state == S.S_RUNNING, (s.step, at_ms)
    left = s.remaining_ms()
    assert s.extend(ms)
    assert s.remaining_ms() == left + ms
    assert s.flags[i] == S.F_EXTENDED
    rig.run(3600 * 1000, step_ms=10)
    assert s.state == S.S_DONE and s.end_reason == S.END_DONE
    _check(rig, spliced(steps, i, ms, at_ms, flags), t0)
    return rig


def test_extend_every_cue_exact_at_many_moments():
    # Before the ticks, on a tick, between ticks with the next tick loaded, in the last second
    # (the next step's start loaded), 1 ms before the end, and while the start cue sounds.
    n = 0
    for at in (0, 200, 5000, 16999, 17000, 17500, 18500, 19000, 19500, 19990, 19999):
        rig = None
        rig = _extend_once(STEPS, 0, at)
        s = rig.s
        assert list(s.actual_ms) == [30000, 10000, 8000], (at, list(s.actual_ms))
        assert list(s.planned_ms) == [20000, 10000, 8000]
        assert list(s.flags) == [S.F_EXTENDED, 0, 0]
        assert s.elapsed_ms() == 48000
        n += len(rig.errors)
    assert n > 11 * 12


def test_extend_near_a_tick_cancels_the_loaded_one():
    # 1.5 s before the end: the 3- and 2-s ticks sounded, the 1-s tick is in the timer.
    tab = cue_rig.table(STEPS)
    rig = _rig(tab)
    t0 = rig.clock.now_us
    s = rig.s
    s.start()
    _run_to(rig, 18500)
    assert not rig.edge.free() and s.cue_pending() == cues.TICK  # loaded, not started
    n = rig.edge.n_onsets
    assert s.extend(10000)
    assert rig.edge.n_onsets == n
    assert 8499000 < s.until_cue_us() <= 8500000  # the new 3-s tick, 27 s into the step
    rig.run(1500)
    assert rig.edge.n_onsets == n  # the old 1-s tick and the REST did not sound
    rig.run(60000)
    _check(rig, spliced(STEPS, 0, 10000, 18500), t0)
    ticks = [c for c in spliced(STEPS, 0, 10000, 18500) if c[0] == cues.TICK][:5]
    assert [c[1] for c in ticks] == [17000, 18000, 27000, 28000, 29000]


def test_extend_last_step_moves_done():
    rig = _extend_once(STEPS, 2, 30000 + 7600, ms=5000)
    assert list(rig.s.actual_ms) == [20000, 10000, 13000]
    assert list(rig.s.flags) == [0, 0, S.F_EXTENDED]


def test_extend_twice_in_one_step():
    tab = cue_rig.table(STEPS)
    rig = _rig(tab)
    t0 = rig.clock.now_us
    s = rig.s
    s.start()
    _run_to(rig, 19500)
    assert s.extend(10000)
    rig.run(10000)  # to 29.5 s: in the new last second again
    assert s.step == 0 and s.remaining_ms() == 500
    assert s.extend(4000)
    rig.run(60000)
    first = spliced(STEPS, 0, 10000, 19500)  # the schedule after the first extend
    second = spliced(_longer(STEPS, 0, 10000), 0, 4000, 29500)
    exp = [c for c in first if c[1] <= 29500] + [c for c in second if c[1] > 29500]
    _check(rig, exp, t0)
    assert list(s.actual_ms) == [34000, 10000, 8000]


def test_extend_with_repeats_and_long_plan_across_wraps():
    steps = [("warmup", 1500, "", 0),
             ("repeat", 3, [("work", 20, "", 0), ("rest", 10, "", 0)])]
    flat = [("warmup", 1500, "", 0)] + [("work", 20, "", 0), ("rest", 10, "", 0)] * 3
    tab = cue_rig.table(steps)
    rig = _rig(tab, (1 << 30) - 8000000)
    t0 = rig.clock.now_us
    s = rig.s
    s.start()
    at = 1500000 + 30000 + 25000  # the second rest, 5 s in
    rig.run(cue_rig.T1_MS + at - 60000, step_ms=100)
    rig.run(60000)
    assert s.step == 4
    assert s.extend(10000)
    rig.run(3600 * 1000, step_ms=50)
    assert rig.clock.now_us > 2 * (1 << 30)
    _check(rig, spliced(flat, 4, 10000, at), t0)
    assert list(s.actual_ms) == [1500000, 20000, 10000, 20000, 20000, 20000, 10000]


def test_extend_then_pause_and_skip():
    tab = cue_rig.table(STEPS)
    rig = _rig(tab)
    t0 = rig.clock.now_us
    s = rig.s
    s.start()
    _run_to(rig, 5000)
    assert s.extend(10000)
    rig.run(3000)
    s.pause()
    rig.clock.sleep_ms(7000)
    s.resume()
    assert s.remaining_ms() == 22000
    rig.run(60000)
    assert s.state == S.S_DONE
    assert list(s.actual_ms) == [30000, 10000, 8000]
    assert list(s.flags) == [S.F_EXTENDED | S.F_PAUSED, 0, 0]
    # every cue after the pause is the extended plan's, 7 s later
    exp = spliced(STEPS, 0, 10000, 5000)
    moved = [(c, off if off <= 8000 else off + 7000) for c, off in exp]
    _check(rig, moved, t0)

    # extend, then skip the rest of the (longer) interval: the rest starts at the skip
    rig = _rig(tab)
    s = rig.s
    s.start()
    _run_to(rig, 19000)
    assert s.extend(10000)
    rig.run(4000)
    t_skip = rig.clock.now_us
    s.skip()
    assert s.step == 1 and s.flags[0] == S.F_EXTENDED | S.F_SKIPPED
    assert s.actual_ms[0] == 23000
    rig.run(60000)
    assert list(s.actual_ms)[1:] == [10000, 8000]
    rest = [t for t in cue_rig.tones(rig.events) if t[2] == 880]
    assert cue_rig.near(rest[0][0], t_skip)
    assert cue_rig.on_time(rig.errors)

    # extend the step that follows a skip: deadlines from the re-based frame
    rig = _rig(tab)
    s = rig.s
    s.start()
    _run_to(rig, 3000)
    t_skip = rig.clock.now_us
    s.skip()
    rig.run(2000)
    assert s.extend(10000) and s.remaining_ms() == 18000
    rig.run(60000)
    assert list(s.actual_ms) == [3000, 20000, 8000]
    work2 = [t for t in cue_rig.tones(rig.events) if t[2] == 1760 and t[0] > t_skip]
    assert cue_rig.near(work2[0][0], t_skip + 20000000)
    assert cue_rig.on_time(rig.errors)


def test_extend_catches_up_with_a_boundary_not_yet_polled():
    # The REST cue sounded from the timer at 20 s but poll() has not run: the rest is extended.
    rig = _rig(cue_rig.table(STEPS))
    t0 = rig.clock.now_us
    s = rig.s
    s.start()
    rig.run(cue_rig.T1_MS + 19990)
    rig.clock.sleep_ms(10)
    assert s.step == 0
    assert s.extend(10000)
    assert s.step == 1 and list(s.flags) == [0, S.F_EXTENDED, 0]
    assert s.remaining_ms() == 20000
    rig.run(60000)
    _check(rig, spliced(STEPS, 1, 10000, 20000), t0)
    assert list(s.actual_ms) == [20000, 20000, 8000]


def test_extend_then_finish():
    rig = _rig(cue_rig.table(STEPS))
    s = rig.s
    s.start()
    _run_to(rig, 19000)
    assert s.extend(10000)
    rig.run(5000)
    s.finish()
    assert s.n_done == 1 and s.actual_ms[0] == 24000
    assert s.flags[0] == S.F_EXTENDED | S.F_SKIPPED and s.end_reason == S.END_EARLY


def test_extend_refused():
    steps = [("work", 10, "", 0), ("work", 0, "fly", 0), ("rest", 10, "", 0)]
    rig = _rig(cue_rig.table(steps))
    s = rig.s
    assert not s.extend(10000)  # not started
    s.start()
    assert not s.extend(10000)  # countdown
    assert s.remaining_ms() == 10000
    rig.run(4000)
    assert not s.extend(0) and not s.extend(-5)
    assert not s.extend(s.MAX_EXTEND_MS + 1)
    s.pause()
    assert not s.extend(10000)  # paused
    s.resume()
    assert s.flags[0] == S.F_PAUSED
    rig.run(9500)
    assert s.state == S.S_WAIT_LAP
    assert not s.extend(10000)  # open lap step
    s.lap()
    rig.run(11000)
    assert s.state == S.S_DONE
    assert not s.extend(10000)  # done
    assert list(s.flags) == [S.F_PAUSED, S.F_LAP, 0]
    assert s.actual_ms[0] == 10000 and s.actual_ms[2] == 10000
    assert cue_rig.on_time(rig.errors)


def test_extend_halfway_moves_or_is_not_repeated():
    steps = [("work", 20, "", 0), ("rest", 10, "", 0)]
    # before halfway: it moves to the new halfway (15 s)
    rig = _extend_once(steps, 0, 6000, flags=plan.FLAG_HALFWAY)
    half = [t for t in cue_rig.tones(rig.events) if t[2] == 2093 and t[0] < 33000000]
    assert len(half) == 1 and cue_rig.near(half[0][0], cue_rig.STEP1_US + 15000000)
    # after it: not given again
    rig = _extend_once(steps, 0, 12000, flags=plan.FLAG_HALFWAY)
    half = [t for t in cue_rig.tones(rig.events) if t[2] == 2093 and t[0] < 33000000]
    assert len(half) == 1 and cue_rig.near(half[0][0], cue_rig.STEP1_US + 10000000)


def test_short_step_gets_ticks_when_extended():
    steps = [("work", 5, "", 0), ("rest", 5, "", 0)]  # too short for ticks
    rig = _extend_once(steps, 0, 4000, ms=5000)
    tick_hz = buzzer.PATTERNS[cues.TICK][0][0]
    ticks = [t for t in cue_rig.tones(rig.events) if t[2] == tick_hz]
    exp = [cue_rig.STEP1_US + k * 1000000 for k in (7, 8, 9)]
    assert len(ticks) == 3 and all(cue_rig.near(ticks[k][0], exp[k]) for k in range(3))


def test_extended_interval_in_the_log_record():
    tab = cue_rig.table(STEPS)
    rig = _rig(tab)
    s = rig.s
    s.start()
    _run_to(rig, 18500)
    assert s.extend(10000)
    rig.run(60000)
    import logbook  # imported here: the filesystem modules cost heap the rigs above need
    import store
    import storefs

    root, dev = storefs.fresh(blocks=32)
    try:
        lb = logbook.Logbook(store.Store(root))
        seq = lb.append(s, tab.crc, 1767225600, 6)
        recs = list(lb.records())
        assert len(recs) == 1 and recs[0]["seq"] == seq
        ivs = [tuple(iv)[:4] for iv in recs[0]["intervals"]]
        assert ivs == [(20000, 30000, logbook.F_EXTENDED, 0), (10000, 10000, 0, 0),
                       (8000, 8000, 0, 0)]
        assert logbook.F_EXTENDED == S.F_EXTENDED
    finally:
        storefs.release(root, dev)
