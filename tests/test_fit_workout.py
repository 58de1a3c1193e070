"""Plans as FIT workouts: decoded by the official SDK, steps and durations as planned, and a
workout imported back gives the same plan."""

import os

import pytest
from conftest import ROOT
from garmin_fit_sdk import Decoder, Stream
from hypothesis import HealthCheck, given, settings
from plan_strategies import plans

from host_tools import fw
from host_tools.export import ExportError, fit_activity, fit_workout
from host_tools.plans import coach, lang

table = fw.load("plan")
EXAMPLES = sorted(f[:-5] for f in os.listdir(os.path.join(ROOT, "examples")))


def write(tmp_path, plan, name="w.fit"):
    p = tmp_path / name
    p.write_bytes(fit_workout.plan_to_fit(plan))
    return str(p)


def decoded_steps(path):
    messages, errors = Decoder(Stream.from_file(path)).read()
    assert errors == []
    assert messages["file_id_mesgs"][0]["type"] == "workout"
    steps = messages["workout_step_mesgs"]
    assert messages["workout_mesgs"][0]["num_valid_steps"] == len(steps)
    return messages["workout_mesgs"][0], steps


def play(steps):
    """Expand decoded FIT workout steps as a watch runs them: (intensity, seconds or None)."""
    out = []
    i = 0
    left = {}
    while i < len(steps):
        m = steps[i]
        if m["duration_type"] == "repeat_until_steps_cmplt":
            left.setdefault(i, m["repeat_steps"])
            left[i] -= 1
            if left[i]:
                i = m["duration_step"]
                continue
            del left[i]
        else:
            out.append((m["intensity"], m.get("duration_time") if m["duration_type"] == "time"
                        else None))
        i += 1
    return out


INTENSITY = {"warmup": "warmup", "work": "active", "rest": "rest", "recover": "recovery",
             "cooldown": "cooldown"}


def planned(plan):
    return [(INTENSITY[k], float(d) if d else None) for k, d, *_ in coach.expand(plan["steps"])]


def test_beginner_workout_steps(tmp_path):
    plan = lang.load(os.path.join(ROOT, "examples/beginner.plan"))
    wkt, steps = decoded_steps(write(tmp_path, plan))
    assert wkt["wkt_name"] == "Beginner speed session" and wkt["sport"] == "training"
    assert [(s.get("intensity"), s["duration_type"]) for s in steps] == [
        ("warmup", "time"), ("active", "time"), ("rest", "time"),
        (None, "repeat_until_steps_cmplt"), ("cooldown", "time")]
    assert [s.get("duration_time") for s in steps] == [180.0, 20.0, 40.0, None, 180.0]
    assert (steps[3]["duration_step"], steps[3]["repeat_steps"]) == (1, 6)
    assert steps[1]["wkt_step_name"] == "High knees"


def test_fly_sprints_lap_steps_open_and_no_rest_after_the_last(tmp_path):
    plan = lang.load(os.path.join(ROOT, "examples/sprint-fly.plan"))
    _, steps = decoded_steps(write(tmp_path, plan))
    assert [(s.get("intensity"), s["duration_type"]) for s in steps] == [
        ("warmup", "time"), ("active", "open"), ("recovery", "time"),
        (None, "repeat_until_steps_cmplt"), ("active", "open"), ("cooldown", "time")]
    assert (steps[3]["duration_step"], steps[3]["repeat_steps"]) == (1, 4)
    run = play(steps)
    assert run == planned(plan)
    assert run[-3:] == [("recovery", 180.0), ("active", None), ("cooldown", 300.0)]


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_round_trip(tmp_path, name):
    plan = lang.load(os.path.join(ROOT, "examples", name + ".plan"))
    path = write(tmp_path, plan)
    assert play(decoded_steps(path)[1]) == planned(plan)
    assert fit_workout.fit_to_plan(path) == plan


def one_round_between(steps):
    return any(s[0] == "repeat" and (
        (s[1] == 1 and any(c[0] != "repeat" and c[3] & table.OPT_BETWEEN for c in s[2]))
        or one_round_between(s[2])) for s in steps)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(plans)
def test_any_plan_round_trips(tmp_path, plan):
    path = write(tmp_path, plan)
    assert play(decoded_steps(path)[1]) == planned(plan)
    back = fit_workout.fit_to_plan(path)
    assert list(coach.expand(back["steps"])) == list(coach.expand(plan["steps"]))
    if not one_round_between(plan["steps"]):  # in `1x`, @between steps never play: left out
        assert back == plan
    assert lang.parse(lang.to_text(back)) == back


def test_import_refuses_what_is_not_a_workout(tmp_path):
    bad = tmp_path / "x.fit"
    bad.write_text("title: T\nwork 5s\n")
    with pytest.raises(ExportError, match="not a FIT file"):
        fit_workout.fit_to_plan(str(bad))
    act = tmp_path / "a.fit"
    from log_sessions import example

    act.write_bytes(fit_activity.activity_bytes(example("beginner")))
    with pytest.raises(ExportError, match="a FIT activity file, not a workout"):
        fit_workout.fit_to_plan(str(act))
    data = bytearray(fit_workout.plan_to_fit(lang.load(ROOT + "/examples/advanced.plan")))
    data[40] ^= 0xFF
    bad.write_bytes(bytes(data))
    with pytest.raises(ExportError, match="damaged FIT file"):
        fit_workout.fit_to_plan(str(bad))
    with pytest.raises(ExportError, match="cannot read"):
        fit_workout.fit_to_plan(str(tmp_path / "missing.fit"))


def test_import_cuts_long_names_and_says_so(tmp_path):
    # Another app's workout may name a step longer than the device holds.
    p = tmp_path / "long.fit"
    p.write_bytes(fit_workout.plan_to_fit({"title": "T", "flags": 0, "steps": [
        ("work", 30, "é" * 30, 0)]}))  # 60 bytes of UTF-8
    notes = []
    back = fit_workout.fit_to_plan(str(p), notes.append)
    assert back["steps"] == [("work", 30, "é" * 20, 0)]
    assert notes and "cut to 40 bytes" in notes[0]


def test_import_of_another_apps_workout(tmp_path):
    """Distance steps become lap steps; a plain unrolled last round stays as written."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
    from fit_tool.profile.profile_type import FileType, Intensity
    from fit_tool.profile.profile_type import WorkoutStepDuration as D

    b = FitFileBuilder(auto_define=True, min_string_size=16)
    f = FileIdMessage()
    f.type = FileType.WORKOUT
    b.add(f)
    w = WorkoutMessage()
    w.workout_name = "Track 200s"
    w.num_valid_steps = 4
    b.add(w)
    for i, (inten, dtype, val, name) in enumerate([
            (Intensity.ACTIVE, D.DISTANCE, 200.0, "200 m"), (Intensity.REST, D.TIME, 90.0, ""),
            (None, D.REPEAT_UNTIL_STEPS_CMPLT, 0, ""), (Intensity.ACTIVE, D.DISTANCE, 200.0,
                                                        "200 m")]):
        s = WorkoutStepMessage()
        s.message_index = i
        s.duration_type = dtype
        if dtype == D.DISTANCE:
            s.duration_distance = val
        elif dtype == D.TIME:
            s.duration_time = val
        else:
            s.duration_step = 0
            s.target_repeat_steps = 3
        if inten is not None:
            s.intensity = inten
        if name:
            s.workout_step_name = name
        b.add(s)
    p = tmp_path / "track.fit"
    p.write_bytes(b.build().to_bytes())
    plan = fit_workout.fit_to_plan(str(p))
    assert plan == {"title": "Track 200s", "flags": 0, "steps": [
        ("repeat", 3, [("work", 0, "200 m", 0), ("rest", 90, "", 0)]), ("work", 0, "200 m", 0)]}
