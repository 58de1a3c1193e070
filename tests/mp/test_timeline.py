# Timeline: cue offsets per step and per session (pure; runs on CPython and MicroPython).
import cue_rig
import cues
import plan
import timeline


def _step(kind, dur_s, opts):
    sc = timeline.StepCues()
    sc.reset(kind, dur_s, opts)
    out = []
    while sc.next():
        out.append((sc.cue, sc.off_ms))
    return out


def test_constants_match_plan():
    assert timeline.OPT_NO_TICKS == plan.OPT_NO_TICKS
    assert len(cues.NAMES) == cues.N_CUES


def test_step_cues_ticks_and_end():
    assert _step(plan.K_WORK, 30, 0) == [
        (cues.WORK, 0), (cues.TICK, 27000), (cues.TICK, 28000), (cues.TICK, 29000),
        (timeline.T_END, 30000)]


def test_step_cues_halfway_order():
    assert _step(plan.K_REST, 40, plan.OPT_HALFWAY) == [
        (cues.REST, 0), (cues.HALF, 20000), (cues.TICK, 37000), (cues.TICK, 38000),
        (cues.TICK, 39000), (timeline.T_END, 40000)]


def test_short_steps_no_ticks_no_half():
    assert _step(plan.K_WARMUP, 5, plan.OPT_HALFWAY) == [(cues.STEP, 0), (timeline.T_END, 5000)]
    assert _step(plan.K_WORK, 6, 0)[1] == (cues.TICK, 3000)
    assert _step(plan.K_WORK, 9, plan.OPT_HALFWAY)[1] == (cues.TICK, 6000)  # too short for half
    assert _step(plan.K_WORK, 10, plan.OPT_HALFWAY)[1] == (cues.HALF, 5000)


def test_no_ticks_option():
    assert _step(plan.K_COOLDOWN, 60, plan.OPT_NO_TICKS) == [
        (cues.STEP, 0), (timeline.T_END, 60000)]


def test_lap_step_is_open():
    assert _step(plan.K_WORK, 0, plan.OPT_HALFWAY) == [(cues.LAP_WAIT, 0)]


def test_start_cue_per_kind():
    assert cues.for_step(plan.K_WORK, 20) == cues.WORK
    assert cues.for_step(plan.K_REST, 20) == cues.REST
    assert cues.for_step(plan.K_RECOVER, 20) == cues.REST
    assert cues.for_step(plan.K_WARMUP, 20) == cues.STEP
    assert cues.for_step(plan.K_COOLDOWN, 20) == cues.STEP
    assert cues.for_step(plan.K_WORK, 0) == cues.LAP_WAIT


def test_session_offsets_absolute():
    tab = cue_rig.table([("warmup", 8, "", plan.OPT_NO_TICKS),
                         ("repeat", 2, [("work", 20, "", 0), ("rest", 10, "", 0)])],
                        flags=plan.FLAG_HALFWAY)
    got = cue_rig.planned_cues(tab)
    assert got == [
        (cues.COUNT, -3000), (cues.COUNT, -2000), (cues.COUNT, -1000),
        (cues.STEP, 0),
        (cues.WORK, 8000), (cues.HALF, 18000), (cues.TICK, 25000), (cues.TICK, 26000),
        (cues.TICK, 27000),
        (cues.REST, 28000), (cues.TICK, 35000), (cues.TICK, 36000), (cues.TICK, 37000),
        (cues.WORK, 38000), (cues.HALF, 48000), (cues.TICK, 55000), (cues.TICK, 56000),
        (cues.TICK, 57000),
        (cues.REST, 58000), (cues.TICK, 65000), (cues.TICK, 66000), (cues.TICK, 67000),
        (cues.DONE, 68000)]


def test_timeline_index_start_and_done():
    tab = cue_rig.table([("work", 5, "", 0), ("rest", 5, "", 0)])
    tl = timeline.Timeline(plan.Cursor(tab), 0)
    seen = []
    while tl.next():
        seen.append((tl.cue, tl.index, tl.start))
    assert seen == [(cues.WORK, 0, True), (cues.REST, 1, True), (cues.DONE, 2, False)]
    assert tl.done


def test_timeline_skip_and_lap_wait():
    tab = cue_rig.table([("work", 30, "", 0), ("work", 0, "", 0), ("rest", 10, "", 0)])
    tl = timeline.Timeline(plan.Cursor(tab), 3)
    assert tl.next() and tl.cue == cues.COUNT
    tl.skip_step()  # skip the rest of the countdown
    assert tl.next() and tl.cue == cues.WORK and tl.off_ms == 0
    assert tl.next() and tl.cue == cues.TICK
    tl.skip_step()  # skip the rest of the work step: the lap step starts at its planned 30 s
    assert tl.next() and tl.cue == cues.LAP_WAIT and tl.off_ms == 30000 and tl.index == 1
    assert not tl.next() and tl.waiting
    tl.skip_step()  # lap pressed: the open step counts 0 ms in the plan frame
    assert tl.next() and tl.cue == cues.REST and tl.off_ms == 30000 and tl.start
