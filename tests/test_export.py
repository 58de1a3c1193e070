"""Log exports over generated LogDB session dicts: CSV round trip, JSON schema, FIT activity."""

import csv
import io
import json

import pytest
from garmin_fit_sdk import Decoder, Stream
from hypothesis import HealthCheck, given, settings
from log_sessions import example, session_from_plan, sessions

from host_tools.export import ExportError, csvout, fit_activity, jsonout
from host_tools.plans import lang


def history():
    """A small mixed history: every example, one session without a date or RPE, pauses."""
    out = [example(n, seq=i, seed=i) for i, n in enumerate(
        ("beginner", "intermediate", "advanced", "sprint-fly", "sprint-accelerations"), 1)]
    out.append(example("beginner", seq=6, date=None, rpe=None, paused_s=42.5))
    return out


def csv_round_trip(ss):
    buf = io.StringIO(newline="")
    n = csvout.write(ss, buf)
    return n, list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))


def check_csv(ss, got):
    want = [(s, iv) for s in ss for iv in s["intervals"]]
    assert len(got) == len(want)
    for row, (s, iv) in zip(got, want, strict=True):
        assert row["device"] == s["device_id"] and int(row["session"]) == s["seq"]
        assert row["date"] == (s["date"] or "unknown") and row["plan"] == s["plan_title"]
        assert int(row["step"]) == iv["idx"] + 1
        assert (row["kind"], row["label"]) == (iv["kind"], iv["label"])
        planned = float(row["planned_s"]) if row["planned_s"] else None
        assert planned == iv["planned_s"]
        assert float(row["actual_s"]) == pytest.approx(iv["actual_s"], abs=5e-4)
        assert row["skipped"] == ("1" if iv["skipped"] else "0")
        assert (int(row["reps"]), int(row["laps"])) == (iv["reps"], iv["laps"])
        assert (int(row["rpe"]) if row["rpe"] else None) == s["rpe"]


def test_csv_one_row_per_interval_round_trips():
    ss = history()
    n, got = csv_round_trip(ss)
    assert n == len(got) == sum(len(s["intervals"]) for s in ss) == 14 + 18 + 22 + 11 + 9 + 14
    assert list(got[0]) == list(csvout.COLUMNS)
    check_csv(ss, got)
    fly = [r for r in got if r["plan"] == "Sprint day: fly sprints"]
    assert [r["kind"] for r in fly[-3:]] == ["recover", "work", "cooldown"]  # @between
    assert fly[1]["planned_s"] == "" and fly[1]["laps"] == "1"  # an open lap step
    assert {r["date"] for r in got if r["session"] == "6"} == {"unknown"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions)
def test_csv_round_trips_any_session(s):
    s["intervals"] and s["intervals"][0].update(label='a, "quoted"\nlabel')
    n, got = csv_round_trip([s])
    check_csv([s], got)


def test_json_validates_and_keeps_every_field():
    ss = history()
    buf = io.StringIO()
    assert jsonout.write(ss, buf) == 6
    doc = json.loads(buf.getvalue())
    assert doc == ss
    jsonout.validate(doc)
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(jsonout.schema())
    assert doc[5]["date"] is None and doc[5]["rpe"] is None


def test_json_leaves_out_keys_beyond_the_contract():
    s = example("beginner")
    s["boot_count"] = 3
    s["intervals"][0]["raw_flags"] = 9
    doc = jsonout.document([s])
    assert "boot_count" not in doc[0] and "raw_flags" not in doc[0]["intervals"][0]
    jsonout.validate(doc)


@pytest.mark.parametrize("path,change,where", [
    ((), {"rpe": 11}, "0/rpe"),
    ((), {"date": "yesterday"}, "0/date"),
    ((), {"date_source": "guess"}, "0/date_source"),
    (("intervals", 0), {"kind": "sprint"}, "0/intervals/0/kind"),
    (("intervals", 1), {"planned_s": 0}, "0/intervals/1/planned_s"),
    (("intervals", 2), {"skipped": "no"}, "0/intervals/2/skipped"),
])
def test_json_schema_refuses_bad_sessions(path, change, where):
    doc = jsonout.document([example("beginner")])
    target = doc[0]
    for p in path:
        target = target[p]
    target.update(change)
    with pytest.raises(ExportError, match="at %s:" % where):
        jsonout.validate(doc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions)
def test_json_export_of_any_session_validates(s):
    doc = jsonout.document([s])
    jsonout.validate(doc)
    assert json.loads(json.dumps(doc)) == [s]


def decode(tmp_path, data, name="s.fit"):
    p = tmp_path / name
    p.write_bytes(data)
    messages, errors = Decoder(Stream.from_file(str(p))).read()
    assert errors == []
    return messages


def check_activity(s, msgs):
    laps = msgs["lap_mesgs"]
    ivs = s["intervals"]
    assert len(laps) == len(ivs)
    for lap, iv in zip(laps, ivs, strict=True):
        assert lap["total_timer_time"] == pytest.approx(iv["actual_s"], abs=1e-3)
        assert lap["intensity"] == {"warmup": "warmup", "work": "active", "rest": "rest",
                                    "recover": "recovery", "cooldown": "cooldown"}[iv["kind"]]
    (sess,) = msgs["session_mesgs"]
    assert sess["num_laps"] == len(ivs)
    assert sess["total_timer_time"] == pytest.approx(sum(iv["actual_s"] for iv in ivs),
                                                     abs=1e-3 * (1 + len(ivs)))
    assert sess["total_elapsed_time"] == pytest.approx(
        sum(iv["actual_s"] for iv in ivs) + s["paused_s"], abs=1e-3 * (1 + len(ivs)))
    assert sess.get("workout_rpe") == (s["rpe"] * 10 if s["rpe"] else None)
    assert msgs["file_id_mesgs"][0]["type"] == "activity"
    assert msgs["activity_mesgs"][0]["num_sessions"] == 1


def test_fit_activity_per_session(tmp_path):
    for s in history():
        msgs = decode(tmp_path, fit_activity.activity_bytes(s))
        check_activity(s, msgs)
        start = msgs["session_mesgs"][0]["start_time"]
        if s["date"]:
            assert start.isoformat().replace("+00:00", "Z") == s["date"]
        else:
            assert start.isoformat() == "1989-12-31T00:00:00+00:00"


def test_fit_activity_lap_times_follow_the_log(tmp_path):
    s = session_from_plan(lang.load("examples/sprint-fly.plan"), seed=3, paused_s=30.0)
    laps = decode(tmp_path, fit_activity.activity_bytes(s))["lap_mesgs"]
    assert laps[0]["start_time"].isoformat() == "2026-03-02T07:15:00+00:00"
    for a, b in zip(laps[:-1], laps[1:], strict=True):
        assert a["timestamp"] == b["start_time"]  # laps follow each other
    paused = [iv["paused"] for iv in s["intervals"]].index(True)
    assert laps[paused]["total_elapsed_time"] == pytest.approx(
        s["intervals"][paused]["actual_s"] + 30.0)
    assert [lap["lap_trigger"] for lap in laps[1:3]] == ["manual", "time"]  # lap step, timed
    # reps (B taps on a timed step) travel as the lap's cycles; a lap step has none
    b = session_from_plan(lang.load("examples/beginner.plan"), seed=3)
    for sess in (s, b):
        laps = decode(tmp_path, fit_activity.activity_bytes(sess))["lap_mesgs"]
        assert [lap.get("total_cycles", 0) for lap in laps] == [
            iv["reps"] for iv in sess["intervals"]]
    assert any(iv["reps"] for iv in b["intervals"])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(sessions)
def test_fit_activity_of_any_session_decodes(tmp_path, s):
    check_activity(s, decode(tmp_path, fit_activity.activity_bytes(s)))


def test_fit_file_names_are_safe_and_distinct():
    a = fit_activity.file_name({"device_id": "../e66/1", "seq": 7})
    assert a == "___e66_1-00007.fit"
    assert fit_activity.file_name({"device_id": "x", "seq": 8}) != fit_activity.file_name(
        {"device_id": "x", "seq": 7})
