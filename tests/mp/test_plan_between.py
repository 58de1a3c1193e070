"""Between-rounds steps (@between) on both interpreters: the device cursor drops them from the
last round, counts and totals follow, and misuse is refused."""

import micropython
import plan

B = plan.OPT_BETWEEN
FLY = {"title": "Fly", "flags": 0, "steps": [
    ("warmup", 600, "", 0),
    ("repeat", 5, [("work", 0, "40 m fly", 0), ("recover", 180, "Playful", B)]),
    ("cooldown", 300, "", 0)]}
NESTED = {"title": "Sets", "flags": 0, "steps": [
    ("repeat", 3, [("repeat", 4, [("work", 10, "", 0), ("rest", 50, "", B)]),
                   ("rest", 180, "Set rest", B), ("recover", 20, "", 0)])]}


def walk(t):
    c = plan.Cursor(t)
    out = []
    while c.next():
        out.append((c.index, plan.KIND_NAMES[c.kind], c.dur_s, c.rep, c.reps))
    return out


def test_fly_rest_only_between_reps():
    t = plan.Table(plan.encode(FLY))
    s = walk(t)
    assert [k for _, k, _, _, _ in s] == ["warmup"] + ["work", "recover"] * 4 + [
        "work", "cooldown"]
    assert s[9] == (9, "work", 0, 5, 5)  # the last rep is followed by the cool-down
    assert t.step_count() == len(s) == 11
    assert t.total_s() == 600 + 4 * 180 + 300


def test_nested_between_drops_per_round():
    t = plan.Table(plan.encode(NESTED))
    s = walk(t)
    one_set = ["work", "rest"] * 3 + ["work"]
    assert [k for _, k, _, _, _ in s] == (one_set + ["rest", "recover"]) * 2 + one_set + [
        "recover"]
    assert t.step_count() == len(s) == 3 * 7 + 2 * 2 + 1
    assert t.total_s() == 3 * (4 * 10 + 3 * 50 + 20) + 2 * 180
    assert [(x[3], x[4]) for x in s if x[2] == 180] == [(1, 3), (2, 3)]


def test_skip_leaves_the_cursor_fields_alone():
    t = plan.Table(plan.encode(FLY))
    c = plan.Cursor(t)
    for _ in range(11):
        assert c.next()
    assert (c.kind, c.dur_s, c.label) == (plan.K_COOLDOWN, 300, -1)
    assert not c.next()
    pv = plan.Cursor(t)
    c.reset()
    for _ in range(10):
        c.next()
    pv.copy_from(c)  # the preview of the last rep is the cool-down, not the rest
    assert c.kind == plan.K_WORK and pv.next() and pv.kind == plan.K_COOLDOWN


def test_cursor_skips_without_allocating():
    t = plan.Table(plan.encode(NESTED))
    c = plan.Cursor(t)
    n = 0
    micropython.heap_lock()
    try:
        while c.next():
            n += 1
    finally:
        micropython.heap_unlock()
    assert n == t.step_count()


def refused(p, words):
    try:
        plan.encode(p)
    except plan.PlanError as e:
        assert words in str(e), str(e)
        return
    raise AssertionError("accepted")


def test_misplaced_between_refused():
    refused({"title": "T", "flags": 0, "steps": [("work", 10, "", B)]}, "outside a repeat")
    refused({"title": "T", "flags": 0, "steps": [
        ("repeat", 2, [("rest", 10, "", B), ("rest", 5, "", B)])]}, "only between-rounds")


def test_session_runs_rests_only_between_reps():
    import cue_rig
    import session

    tab = cue_rig.table([("repeat", 3, [("work", 10, "", 0), ("rest", 20, "", B)]),
                         ("cooldown", 5, "", 0)])
    rig = cue_rig.Rig(tab)
    t0 = rig.clock.now_us
    rig.s.start()
    rig.run(cue_rig.T1_MS + 75000 + 1000, step_ms=50)
    s = rig.s
    assert s.state == session.S_DONE and s.n_done == s.n_steps == 6
    assert list(s.planned_ms) == [10000, 20000, 10000, 20000, 10000, 5000]
    assert list(s.actual_ms) == list(s.planned_ms)
    assert s.elapsed_ms() == 75000
    assert cue_rig.on_time(rig.errors)
    got = cue_rig.tones(rig.events)
    exp = cue_rig.expected_tones(cue_rig.planned_cues(tab), t0 + cue_rig.STEP1_US)
    assert len(got) == len(exp) and all(map(cue_rig.near_tone, got, exp))
