"""Property tests (CPython, hypothesis): random plans and random button presses."""

import cue_rig
import session as S
from hypothesis import given, settings
from hypothesis import strategies as st

KINDS = ("warmup", "work", "rest", "recover", "cooldown")

step = st.tuples(st.sampled_from(KINDS), st.integers(1, 75), st.just(""), st.integers(0, 3))
steps = st.lists(st.one_of(
    step, st.tuples(st.just("repeat"), st.integers(1, 4), st.lists(step, min_size=1, max_size=3))),
    min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@given(steps, st.integers(0, (1 << 30) - 1), st.integers(0, 1))
def test_random_plans_every_tone_exact(stp, start_us, flags):
    tab = cue_rig.table(stp, flags=flags)
    rig = cue_rig.Rig(tab, start_us=start_us)
    t0 = rig.clock.now_us
    rig.stream_check(tab, t0 + cue_rig.STEP1_US)
    rig.s.start()
    rig.run_blocking(4 * 3600 * 1000, blocks=(25000, 40000, 3000))
    assert rig.s.state == S.S_DONE and rig.s.n_done == rig.s.n_steps
    assert rig.mismatch is None, rig.mismatch
    assert rig.errors and cue_rig.on_time(rig.errors)
    assert list(rig.s.actual_ms) == list(rig.s.planned_ms)
    assert rig.s.elapsed_ms() == sum(rig.s.planned_ms)


press = st.tuples(st.integers(0, 40000), st.sampled_from(("pause", "resume", "skip", "lap")))


lap_step = st.tuples(st.sampled_from(KINDS), st.integers(0, 75), st.just(""), st.integers(0, 3))
lap_steps = st.lists(st.one_of(
    lap_step,
    st.tuples(st.just("repeat"), st.integers(1, 4), st.lists(lap_step, min_size=1, max_size=3))),
    min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(lap_steps, st.lists(press, max_size=12), st.integers(0, (1 << 30) - 1))
def test_random_presses_keep_books_straight(stp, presses, start_us):
    tab = cue_rig.table(stp)
    rig = cue_rig.Rig(tab, start_us=start_us)
    s = rig.s
    s.start()
    for gap, what in presses:
        rig.run(gap, step_ms=7)
        getattr(s, what)()
    if s.state == S.S_PAUSED:
        s.resume()
    while s.state != S.S_DONE:
        rig.run(100000, step_ms=50)
        s.lap()  # ends a lap step that is waiting
    rig.run(2000)
    assert s.state == S.S_DONE and s.end_reason == S.END_DONE
    assert s.n_done == s.n_steps
    assert max(rig.errors) <= 0  # never late; a cue cut short by a skip may not sound at all
    total = 0
    for i in range(s.n_steps):
        a = s.actual_ms[i]
        assert a >= 0
        if s.planned_ms[i] == 0:
            assert s.flags[i] & (S.F_LAP | S.F_SKIPPED)
        elif not s.flags[i] & S.F_SKIPPED:
            assert a == s.planned_ms[i]
        else:
            assert a <= s.planned_ms[i]
        total += a
    assert s.elapsed_ms() == total
    assert len(rig.errors) == rig.edge.n_onsets


flat_steps = st.lists(step, min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(flat_steps, st.integers(0, 1), st.data(), st.integers(1, 30),
       st.integers(0, (1 << 30) - 1))
def test_random_extend_every_tone_exact(stp, flags, data, ext_s, start_us):
    # extend() at any ms of any step: every tone is the one of the plan with that step ext_s
    # longer (after the extend moment), to the microsecond, wrap or not.
    from test_session_extend import spliced

    i = data.draw(st.integers(0, len(stp) - 1))
    u = data.draw(st.integers(0, stp[i][1] * 1000 - 1))
    at = sum(d for _k, d, _l, _o in stp[:i]) * 1000 + u
    tab = cue_rig.table(stp, flags=flags)
    rig = cue_rig.Rig(tab, start_us=start_us)
    t0 = rig.clock.now_us
    s = rig.s
    s.start()
    rig.run_to(t0 + cue_rig.STEP1_US + at * 1000)
    assert s.extend(ext_s * 1000)
    assert s.step == i
    rig.run(4 * 3600 * 1000, step_ms=20)
    assert s.state == S.S_DONE
    got = cue_rig.tones(rig.events)
    exp = cue_rig.expected_tones(spliced(stp, i, ext_s * 1000, at, flags), t0 + cue_rig.STEP1_US)
    assert len(got) == len(exp) and all(map(cue_rig.near_tone, got, exp))
    assert cue_rig.on_time(rig.errors)
    for k in range(s.n_steps):
        assert s.actual_ms[k] == s.planned_ms[k] + (ext_s * 1000 if k == i else 0)
        assert s.flags[k] == (S.F_EXTENDED if k == i else 0)


press_x = st.tuples(st.integers(0, 40000),
                    st.sampled_from(("pause", "resume", "skip", "lap", "extend", "extend")))


@settings(max_examples=60, deadline=None)
@given(lap_steps, st.lists(press_x, max_size=12), st.integers(0, (1 << 30) - 1))
def test_random_presses_with_extend_keep_books_straight(stp, presses, start_us):
    tab = cue_rig.table(stp)
    rig = cue_rig.Rig(tab, start_us=start_us)
    s = rig.s
    s.start()
    ext = [0] * s.n_steps
    for gap, what in presses:
        rig.run(gap, step_ms=7)
        if what == "extend":
            ok = s.extend(3000)
            assert ok == (s.state == S.S_RUNNING and s.step >= 0)
            if ok:
                ext[s.step] += 3000
        else:
            getattr(s, what)()
    if s.state == S.S_PAUSED:
        s.resume()
    while s.state != S.S_DONE:
        rig.run(100000, step_ms=50)
        s.lap()
    rig.run(2000)
    assert s.state == S.S_DONE and s.n_done == s.n_steps
    assert max(rig.errors) <= 0
    total = 0
    for i in range(s.n_steps):
        a = s.actual_ms[i]
        assert bool(s.flags[i] & S.F_EXTENDED) == (ext[i] > 0)
        if s.planned_ms[i] and not s.flags[i] & S.F_SKIPPED:
            assert a == s.planned_ms[i] + ext[i], (i, a, ext[i])
        elif s.planned_ms[i]:
            assert a <= s.planned_ms[i] + ext[i]
        total += a
    assert s.elapsed_ms() == total
