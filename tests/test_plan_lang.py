"""The plan language: samples, every error kind at its exact position, round trips."""

import pytest
from hypothesis import given, settings
from plan_strategies import plans

from host_tools import fw
from host_tools.plans import coach, lang

table = fw.load("plan")


def errors(text, name="p.plan"):
    """All diagnostics of a plan text as 'file:line:col: message' strings."""
    with pytest.raises(lang.PlanSyntaxError) as e:
        lang.parse(text.encode() if isinstance(text, str) else text, name)
    return [str(d) for d in e.value.diagnostics]


@pytest.mark.parametrize("name,total,ratio,band", [
    ("beginner", 720, "1:2", "metabolic conditioning"),
    ("intermediate", 900, "1:3", "speed-endurance"),
    ("advanced", 1080, "1:1", "metabolic conditioning"),
])
def test_design_samples(name, total, ratio, band):
    s = coach.summary(lang.load("examples/%s.plan" % name))
    assert (s["total_s"], s["ratio"], s["band"]) == (total, ratio, band)


def test_intermediate_band_comes_from_ratio_not_title():
    s = coach.summary(lang.load("examples/intermediate.plan"))
    assert "Power" in s["title"] and s["band"] == "speed-endurance"


def test_sprint_days_use_open_lap_steps():
    p = lang.load("examples/sprint-fly.plan")
    flat = list(coach.expand(p["steps"]))
    assert [s[1] for s in flat if s[0] == "work"] == [0] * 5
    assert coach.summary(p)["band"] == "open"
    assert flat[0][:2] == ("warmup", 600)
    assert [s[0] for s in flat[-3:]] == ["recover", "work", "cooldown"]  # no rest after rep 5
    assert coach.summary(p)["rest_s"] == 4 * 180
    acc = coach.summary(lang.load("examples/sprint-accelerations.plan"))
    assert (acc["total_s"], acc["rest_s"], acc["intervals"]) == (900 + 3 * 150, 3 * 150, 4)


@pytest.mark.parametrize("work,rest,band", [
    (10, 55, "power"), (10, 60, "power"), (20, 60, "speed-endurance"),
    (20, 80, "speed-endurance"), (30, 30, "metabolic conditioning"),
    (20, 40, "metabolic conditioning"), (40, 10, "work-heavy"), (0, 60, "open"),
])
def test_band_boundaries(work, rest, band):
    assert coach.band(work, rest) == band


@pytest.mark.parametrize("tok,sec", [
    ("45s", 45), ("3m", 180), ("1m30s", 90), ("1:30", 90), ("lap", 0), ("1h", 3600),
    ("0:05", 5),
])
def test_durations(tok, sec):
    assert lang.parse_duration(tok) == sec
    if sec:
        assert lang.parse_duration(lang.format_duration(sec)) == sec


BASE = "title: T\n"


@pytest.mark.parametrize("text,expected", [
    (BASE + "wrk 20s\n", "p.plan:2:1: unknown step kind 'wrk' (did you mean 'work'?)"),
    (BASE + "work 20x\n", "p.plan:2:6: bad duration '20x' (expected e.g. 45s, 3m, 1m30s, "
     "1:30 or lap)"),
    (BASE + "work 1:75\n", "p.plan:2:6: bad duration '1:75': seconds after minutes run "
     "00-59 (write 2:15)"),
    (BASE + "work 1m90s\n", "p.plan:2:6: bad duration '1m90s': seconds after minutes run "
     "00-59 (write 2m30s)"),
    (BASE + "work 1h75m\n", "p.plan:2:6: bad duration '1h75m': minutes after hours run "
     "00-59 (write 2h15m)"),
    (BASE + "work 0s\n", "p.plan:2:6: duration must be more than 0 (use `lap` for an open "
     "step)"),
    (BASE + "  work 5h\n".lstrip(), "p.plan:2:6: duration 5h is absurd: a step lasts at most "
     "4 hours"),
    (BASE + "0x\n  work 5s\n", "p.plan:2:1: repeat count must be at least 1"),
    (BASE + "500x\n  work 5s\n", "p.plan:2:1: repeat count 500 is absurd (at most 99)"),
    (BASE + "work 5s\n  rest 5s\n", "p.plan:3:1: unexpected indentation"),
    (BASE + "2x\n    work 5s\n  rest 5s\n",
     "p.plan:4:1: indentation does not match any outer block"),
    (BASE + "2x\n \twork 5s\n", "p.plan:3:1: indentation mixes tabs and spaces"),
    (BASE + "2x\n  work 5s\n2x\n\twork 5s\n", "p.plan:5:1: indented with tabs but line 3 "
     "uses spaces"),
    (BASE + "3x\nwork 5s\n", "p.plan:2:1: empty repeat: indent the steps to repeat under it"),
    (BASE + "work 5s\n3x\n", "p.plan:3:1: empty repeat: indent the steps to repeat under it"),
    ("work 5s\n", "p.plan:1:1: missing `title:` header"),
    (BASE + "2x\n 2x\n  2x\n   2x\n    2x\n     work 1s\n",
     "p.plan:6:5: repeats nested deeper than 4"),
    (BASE + "99x\n 99x\n  work 1s\n", "p.plan:2:1: the plan expands to more than 500 steps, "
     "the device's limit"),
    (BASE + "work 5s " + "x" * 41 + "\n", "p.plan:2:9: label is 41 bytes; the device holds "
     "at most 40"),
    (BASE + "work 5s @loud\n", "p.plan:2:9: unknown option '@loud' (known: @between, @halfway, "
     "@noticks)"),
    (BASE + "titel: x\nwork 5s\n", "p.plan:2:1: unknown header 'titel' (did you mean "
     "'title'?)"),
    (BASE + "work 5s\nhalfway: yes\n", "p.plan:3:1: header 'halfway' after the first step"),
    (BASE + "work\n", "p.plan:2:5: missing duration after 'work'"),
])
def test_each_error_kind_at_its_position(text, expected):
    assert expected in errors(text)


def test_undecodable_text_is_located():
    data = b"title: T\nwork 5s Caf\xe9 run\nrest 5s\n"
    assert errors(data) == ["p.plan:2:12: text is not valid UTF-8 (1 bad byte on this line)"]


def test_too_many_bytes_for_the_device():
    body = "".join("work %ds %s\n" % (i + 1, "label %02d %s" % (i, "z" * 30)) for i in range(40))
    errs = errors(BASE + body)
    assert len(errs) == 1 and errs[0].startswith("p.plan:1:1: the device cannot hold this plan")
    assert "too large" in errs[0] or "labels" in errs[0] or "ops" in errs[0]


def test_all_errors_reported_in_one_run():
    errs = errors(b"wrk 5s\nwork 0s\n2x\nrest 1:99\n")
    assert errs == [
        "p.plan:1:1: missing `title:` header",
        "p.plan:1:1: unknown step kind 'wrk' (did you mean 'work'?)",
        "p.plan:2:6: duration must be more than 0 (use `lap` for an open step)",
        "p.plan:3:1: empty repeat: indent the steps to repeat under it",
        "p.plan:4:6: bad duration '1:99': seconds after minutes run 00-59 (write 2:39)",
    ]


def test_comments_options_and_halfway_header():
    p = lang.parse("# hi\ntitle: T  # trailing\nhalfway: yes\n\n"
                   "work 30s Sprint No#1 @noticks  # note\n2x\n  rest 1:30 Walk @halfway\n")
    assert p == {"title": "T", "flags": table.FLAG_HALFWAY, "steps": [
        ("work", 30, "Sprint No#1", table.OPT_NO_TICKS),
        ("repeat", 2, [("rest", 90, "Walk", table.OPT_HALFWAY)])]}


@settings(max_examples=300, deadline=None)
@given(plans)
def test_text_table_text_table_round_trip(p):
    b1 = table.encode(p)
    text = lang.to_text(table.decode(b1))
    b2 = table.encode(lang.parse(text))
    assert b1 == b2
    assert table.decode(b2) == p


def test_whitespace_only_lines_of_other_spaces_are_located():
    data = "title: T\nwork 5s\n\u00a0\n\x0c\n  \u00a0rest 5s\nwork 5s Caf\u00e9\u00a0run\n"
    assert errors(data) == [
        "p.plan:3:1: stray U+00A0 (no-break space): only spaces and tabs may indent a line "
        "or stand alone on it",
        "p.plan:4:1: stray U+000C (form feed): only spaces and tabs may indent a line or "
        "stand alone on it",
        "p.plan:5:3: stray U+00A0 (no-break space): only spaces and tabs may indent a line "
        "or stand alone on it",
    ]  # a no-break space inside a label is fine


def test_random_bytes_give_located_errors_only():
    import random

    rnd = random.Random(7)
    for n in (1, 7, 64, 300, 5000):
        data = bytes(rnd.getrandbits(8) for _ in range(n))
        try:
            lang.parse(data, "j.plan")
        except lang.PlanSyntaxError as e:
            assert e.diagnostics and all(str(d).startswith("j.plan:") for d in e.diagnostics)


def test_one_error_per_line_of_junk():
    import random

    rnd = random.Random(3)
    lines = [bytes(rnd.getrandbits(8) | 0x80 for _ in range(100)) for _ in range(2000)]
    diags = errors(b"\n".join(lines))
    utf8 = [d for d in diags if "not valid UTF-8" in d]
    assert len(utf8) == 2000  # one per line, not one per bad byte (stays linear)


def test_minutes_and_seconds_forms_agree():
    for a, b in (("1:30", "1m30s"), ("0:59", "59s"), ("12:00", "12m")):
        assert lang.parse_duration(a) == lang.parse_duration(b)
    for bad in ("1:90", "1m90s", "1:60", "1m60s"):
        with pytest.raises(ValueError, match="seconds after minutes run 00-59"):
            lang.parse_duration(bad)
    assert lang.parse_duration("90s") == 90  # seconds alone may run past 59


def test_mixed_lap_and_timed_work_ratio_over_the_timed_pairs():
    p = lang.parse(BASE + "warmup 10m\n4x\n  work lap 40 m fly\n  rest 3m\n"
                   "6x\n  work 20s\n  rest 40s\ncooldown 5m\n")
    s = coach.summary(p)
    # all rest over timed work would say 1:8 (power); the timed pairs are 20 s / 40 s
    assert (s["ratio"], s["band"], s["ratio_basis"]) == ("1:2", "metabolic conditioning",
                                                         "timed pairs")
    assert s["rest_s"] == 4 * 180 + 6 * 40 and s["work_s"] == 120 and s["intervals"] == 10
    plain = coach.summary(lang.parse(BASE + "6x\n  rest 40s\n  work 20s\n"))
    assert (plain["ratio"], plain["ratio_basis"]) == ("1:2", "all")


@settings(max_examples=300, deadline=None)
@given(plans)
def test_device_cursor_walks_what_the_host_expands(p):
    t = table.Table(table.encode(p))
    c = table.Cursor(t)
    walked = []
    while c.next():
        walked.append((table.KIND_NAMES[c.kind], c.dur_s, t.label(c.label), c.raw_opts,
                       c.rep, c.reps))
    assert walked == list(coach.expand(p["steps"]))
    assert t.step_count() == len(walked)
    assert t.total_s() == sum(s[1] for s in walked)


BETWEEN_FLY = """title: Fly
warmup 10m
5x
  work lap 40 m fly
  recover 3m Playful @between
cooldown 5m
"""


def test_between_rest_is_left_out_after_the_last_rep():
    p = lang.parse(BETWEEN_FLY)
    assert p["steps"][1] == ("repeat", 5, [("work", 0, "40 m fly", 0),
                                           ("recover", 180, "Playful", table.OPT_BETWEEN)])
    kinds = [s[0] for s in coach.expand(p["steps"])]
    assert kinds == ["warmup"] + ["work", "recover"] * 4 + ["work", "cooldown"]
    s = coach.summary(p)
    assert (s["total_s"], s["rest_s"], s["intervals"]) == (600 + 4 * 180 + 300, 720, 5)
    assert lang.to_text(p) == "title: Fly\n\nwarmup 10m\n5x\n  work lap 40 m fly\n" \
        "  recover 3m Playful @between\ncooldown 5m\n"


def test_between_counts_per_outer_round():
    p = lang.parse("title: T\n3x\n  4x\n    work 10s\n    rest 50s @between\n  rest 3m\n")
    flat = list(coach.expand(p["steps"]))
    assert len(flat) == 3 * (4 + 3 + 1) == table.Table(table.encode(p)).step_count()
    assert sum(s[1] for s in flat if s[0] == "rest") == 3 * (3 * 50 + 180)


@pytest.mark.parametrize("text,expected", [
    ("title: T\nwork 10s\nrest 5s @between\n",
     "p.plan:3:1: @between belongs on a step inside a repeat (it drops the step from the "
     "last round)"),
    ("title: T\n2x\n  rest 5s @between\n  recover 5s @between\n",
     "p.plan:2:1: every step of this repeat is @between: its last round would be empty"),
])
def test_between_misuse_is_located(text, expected):
    assert errors(text) == [expected]
