"""Coaching checks on plans: every band and gap, each rule, DESIGN.md's example sessions."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from host_tools.plans import checks, coach, lang

BEEPER = os.path.join(os.path.dirname(sys.executable), "beeper")


def example(name):
    return lang.load(os.path.join(ROOT, "examples", name + ".plan"))


def rules(text):
    return [f.rule for f in checks.check_plan(lang.parse(text))]


@pytest.mark.parametrize("work,rest,band,gap", [
    (10, 50, "power", None), (10, 55, "power", None), (10, 60, "power", None),
    (15, 45, "speed-endurance", None), (20, 80, "speed-endurance", None),
    (20, 20, "metabolic conditioning", None), (20, 40, "metabolic conditioning", None),
    (20, 50, None, "in the gap between metabolic conditioning (1:1-1:2) and "
     "speed-endurance (1:3-1:4)"),
    (10, 45, None, "in the gap between speed-endurance (1:3-1:4) and power (1:5-1:6)"),
    (20, 10, None, "work-heavy: less rest than work, below metabolic conditioning (1:1-1:2); "
     "Tabata's 20 s/10 s (2:1) is here"),
    (30, 0, None, "work-heavy: less rest than work, below metabolic conditioning (1:1-1:2); "
     "Tabata's 20 s/10 s (2:1) is here"),
    (5, 150, None, "more rest than power (1:5-1:6): full recovery, as between sprints"),
    (20.0, 40.5, None, "in the gap between metabolic conditioning (1:1-1:2) and "
     "speed-endurance (1:3-1:4)"),
])
def test_zone_names_every_band_and_gap(work, rest, band, gap):
    assert coach.zone(work, rest) == (band, gap)


def test_pairs_sum_rests_and_skip_restless_work():
    steps = [("warmup", 300), ("work", 20), ("rest", 30), ("recover", 10), ("work", 15),
             ("work", 0), ("recover", 120), ("work", 10), ("cooldown", 60)]
    assert checks.pairs(steps) == [(20, 40), (0, 120)]


def test_design_examples():
    for name in ("beginner", "advanced", "sprint-accelerations", "sprint-fly"):
        assert checks.check_plan(example(name)) == [], name
    got = checks.check_plan(example("intermediate"))
    assert [f.message for f in got] == [
        "the title says 'Power' but work 15s / rest 45s is 1:3, speed-endurance, not power "
        "(1:5-1:6)",
        "warm-up is 4:00 before speed work; 5-10 minutes is advised",
    ]
    assert all('DESIGN.md, "Coaching facts"' in f.source for f in got)
    assert "Warm-up 5-10 minutes" in got[1].source


def test_ratio_band_flags_each_pair_in_a_gap_by_ratio_not_title():
    text = ("title: Metabolic conditioning\nwarmup 5m\n2x\n  work 20s\n  rest 20s\n"
            "  work 10s\n  rest 45s\n  work 20s\n  rest 10s\n  work 5s\n  rest 2m\n")
    got = [f for f in checks.check_plan(lang.parse(text)) if f.rule == "ratio-band"]
    assert [f.message for f in got] == [
        "work 10s / rest 45s is 1:4.5, in the gap between speed-endurance (1:3-1:4) and "
        "power (1:5-1:6)",
        "work 20s / rest 10s is 2:1, work-heavy: less rest than work, below metabolic "
        "conditioning (1:1-1:2); Tabata's 20 s/10 s (2:1) is here",
    ]  # 20/20 is in its band; 5 s / 2 min is a sprint's full recovery, not flagged
    bands = {(p["work_s"], p["rest_s"]): p["band"] for p in checks.pair_bands(lang.parse(text))}
    assert bands == {(5, 120): "full recovery", (10, 45): "gap", (20, 10): "work-heavy",
                     (20, 20): "metabolic conditioning"}


def test_title_claims():
    tabata = "title: Tabata\nwarmup 5m\n8x\n  work 20s\n  rest 10s\n"
    assert rules(tabata) == ["ratio-band"]  # 2:1 is Tabata's own ratio: no title warning
    assert rules(tabata.replace("rest 10s", "rest 20s")) == ["title-band"]
    se = "title: Speed endurance\nwarmup 5m\n6x\n  work 15s\n  rest 45s\n"
    assert rules(se) == []
    assert rules(se.replace("Speed endurance", "POWER hour")) == ["title-band"]
    assert rules(se.replace("Speed endurance", "Metcon")) == ["title-band"]
    sprint = "title: Power sprints\nwarmup 10m\n4x\n  work lap\n  recover 2m\n"
    assert rules(sprint) == []  # no timed ratio to compare the claim with


def test_warmup_before_speed_work():
    power = "title: p\nwarmup 4m59s\n6x\n  work 10s\n  rest 55s\n"
    got = checks.check_plan(lang.parse(power))
    assert [f.rule for f in got] == ["warmup"]
    assert got[0].message == "warm-up is 4:59 before speed work; 5-10 minutes is advised"
    assert rules(power.replace("4m59s", "5m")) == []
    assert rules("title: s\n4x\n  work lap\n  recover 2m\n") == ["warmup"]
    assert rules("title: m\nwarmup 3m\n6x\n  work 20s\n  rest 40s\n") == []  # not speed work


def test_micro_session_length():
    short = "title: s\nwarmup 1m\n3x\n  work 20s\n  rest 20s\n"
    got = checks.check_plan(lang.parse(short))
    assert [(f.rule, f.message) for f in got] == [
        ("micro-session", "the session lasts 3:00, outside 5-20 minutes")]
    assert rules("title: l\nwarmup 5m\n16x\n  work 20s\n  rest 40s\n") == ["micro-session"]
    assert rules("title: ok\nwarmup 5m\n15x\n  work 20s\n  rest 40s\n") == []  # 20:00
    # sprint days (all work `lap`) are not micro-sessions; open steps make "under" unknown
    assert rules("title: d\nwarmup 10m\n5x\n  work lap\n  recover 3m\ncooldown 5m\n") == []
    assert rules("title: o\n2x\n  work 20s\n  rest 40s\nwork lap\n") == []


def test_cli_check_prints_warnings_and_strict_fails():
    files = sorted(os.path.join("examples", f) for f in os.listdir(ROOT + "/examples"))
    proc = subprocess.run([BEEPER, "check", *files], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    warn = [ln for ln in proc.stdout.splitlines() if "warning" in ln]
    assert [ln.split(" [")[1].split("]")[0] for ln in warn] == ["title-band", "warmup"]
    assert all(ln.startswith("examples/intermediate.plan: warning [") for ln in warn)
    assert 'DESIGN.md, "Coaching facts"' in warn[0]
    strict = subprocess.run([BEEPER, "check", "--strict", *files], capture_output=True,
                            text=True, cwd=ROOT)
    assert strict.returncode == 1
    clean = subprocess.run([BEEPER, "check", "--strict", "examples/beginner.plan"],
                           capture_output=True, text=True, cwd=ROOT)
    assert clean.returncode == 0
    js = json.loads(subprocess.run([BEEPER, "check", "--json", "examples/intermediate.plan"],
                                   capture_output=True, text=True, cwd=ROOT).stdout)
    assert [w["rule"] for w in js[0]["warnings"]] == ["title-band", "warmup"]
    assert js[0]["pairs"] == [{"work_s": 15, "rest_s": 45, "ratio": "1:3",
                               "band": "speed-endurance"}]
