"""The built-in plans are exactly the host codec's encoding of the DESIGN.md example sessions."""

import defaults
import plan

BEGINNER = {"title": "Beginner speed session", "flags": 0, "steps": [
    ("warmup", 180, "Dynamic warm-up", 0),
    ("repeat", 6, [("work", 20, "High knees", 0), ("rest", 40, "Walking recovery", 0)]),
    ("cooldown", 180, "Static stretching", 0)]}
INTERMEDIATE = {"title": "Intermediate speed session", "flags": 0, "steps": [
    ("warmup", 240, "Dynamic warm-up", 0),
    ("repeat", 8, [("work", 15, "Jump squats", 0), ("recover", 45, "Active recovery", 0)]),
    ("cooldown", 180, "Static stretching", 0)]}
ADVANCED = {"title": "Advanced speed session", "flags": 0, "steps": [
    ("warmup", 300, "Dynamic warm-up", 0),
    ("repeat", 10, [("work", 30, "Burpees", 0), ("rest", 30, "Rest", 0)]),
    ("cooldown", 180, "Static stretching", 0)]}


def test_defaults_equal_encoded_examples():
    assert defaults.BEGINNER == plan.encode(BEGINNER)
    assert defaults.INTERMEDIATE == plan.encode(INTERMEDIATE)
    assert defaults.ADVANCED == plan.encode(ADVANCED)
    assert defaults.PLANS == (defaults.BEGINNER, defaults.INTERMEDIATE, defaults.ADVANCED)


def test_defaults_minutes_match_design():
    # DESIGN.md: Beginner 12 min, Intermediate 15 min, Advanced 18 min
    assert [plan.Table(b).total_s() for b in defaults.PLANS] == [720, 900, 1080]
    assert plan.decode(defaults.BEGINNER) == BEGINNER
