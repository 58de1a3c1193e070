"""Coaching checks on a training history: a crafted history per rule, and the sample one."""

import datetime as dt

from host_tools.report import history, history_checks, sessions

MON = dt.datetime(2025, 3, 3, 7, 0, tzinfo=dt.timezone.utc)  # a Monday
SHAPES = {  # (work s, rest s) x reps, the rest after each work
    "power": ((10, 55), 8), "metcon": ((20, 40), 6), "sprint": ((None, 150), 4),
    "big metcon": ((20, 40), 12),
}


def mk(at, shape="metcon", rpe=None, title=None, date_known=True):
    """One LogDB-shaped session dict at datetime `at`."""
    (work, rest), reps = SHAPES[shape]
    steps = [("warmup", 300.0)] + [("work", work), ("rest", rest)] * reps + [("cooldown", 180.0)]
    ivs = [{"idx": i, "kind": k, "label": "", "planned_s": s,
            "actual_s": s if s else 4.5, "skipped": False, "paused": False,
            "extended": False, "laps": 0 if s else 1, "reps": 0} for i, (k, s) in enumerate(steps)]
    return {"device_id": "d", "seq": 0, "date": at.strftime("%Y-%m-%dT%H:%M:%SZ")
            if date_known else None, "date_source": "rtc" if date_known else "unknown",
            "plan_title": title or shape, "plan_hash": hash(title or shape) & 0xFFFFFFFF,
            "end_reason": "finished", "rpe": rpe, "paused_s": 0.0, "worst_onset_us": 95,
            "intervals": ivs}


def rules(ss):
    return [f.rule for f in history_checks.check_history(ss)]


def at(days, hours=0):
    return MON + dt.timedelta(days=days, hours=hours)


def test_max_effort_kinds():
    assert history_checks.is_max_effort(mk(MON, "power"))
    assert history_checks.is_max_effort(mk(MON, "sprint"))
    assert not history_checks.is_max_effort(mk(MON, "metcon", rpe=8))
    assert history_checks.is_max_effort(mk(MON, "metcon", rpe=9))


def test_four_max_effort_sessions_48h_apart_are_fine():
    assert rules([mk(at(d), "power") for d in (0, 2, 4, 6)]) == []


def test_more_than_four_max_effort_sessions_a_week():
    got = history_checks.check_history([mk(at(d, 1 + d), "sprint") for d in range(5)])
    week = [f for f in got if f.rule == "max-effort-week"]
    assert [f.message for f in week] == [
        "5 max-effort sessions in the week of 2025-03-03; 2-4 a week is the advice"]
    assert "2-4 a week, 48-72 h apart" in week[0].source
    assert rules([mk(at(d), "metcon") for d in range(7)]) == []  # not max effort


def test_two_max_effort_sessions_within_48h():
    got = history_checks.check_history([mk(at(0), "power"), mk(at(1, 11), "sprint"),
                                        mk(at(3, 11), "power")])
    assert [(f.rule, f.message) for f in got] == [(
        "max-effort-48h", "max-effort sessions Mon 2025-03-03 07:00 (power) and "
        "Tue 2025-03-04 18:00 (sprint) are 35 h apart; 48-72 h is the advice")]
    # a session whose date is unknown takes no part
    assert rules([mk(at(0), "power"), mk(at(0), "power", date_known=False)]) == []


def weeks_of(volumes, shape="metcon", rpe=6):
    """Three sessions a week; volumes gives each week's shape ('metcon' or 'big metcon')."""
    return [mk(at(7 * w + d), v or shape, rpe) for w, v in enumerate(volumes) for d in (0, 2, 4)]


def test_no_deload_week_in_six():
    got = history_checks.check_history(weeks_of(["metcon"] * 6))
    assert [(f.rule, f.message) for f in got] == [(
        "deload", "no lighter week (work time or session-RPE load down 40% or more) in the 6 "
        "weeks from 2025-03-03 to 2025-04-13; usual weekly work time 6:00")]
    assert "Deload every 4-6 weeks" in got[0].source


def test_deload_found_or_too_early():
    assert rules(weeks_of(["big metcon"] * 3 + ["metcon"] + ["big metcon"] * 2)) == []
    assert rules(weeks_of(["metcon"] * 5)) == []  # five weeks: too early to tell
    gap = [s for s in weeks_of(["metcon"] * 6) if not s["date"].startswith("2025-03-2")]
    assert rules(gap) == []  # a week off is a deload
    easy = weeks_of(["metcon"] * 6)
    for s in easy[9:12]:
        s["rpe"] = 3  # same volume, intensity down by half: session-RPE load shows it
    assert rules(easy) == []
    # a longer history: only the last six weeks count
    assert rules(weeks_of(["metcon"] + ["big metcon"] * 6)) == ["deload"]


def test_rpe_rising_at_the_same_plan():
    ss = [mk(at(7 * w), "metcon", rpe) for w, rpe in enumerate((5, 6, 7))]
    got = history_checks.check_history(ss)
    assert [(f.rule, f.message) for f in got] == [(
        "rpe-creep", "RPE at 'metcon' rose 5 -> 6 -> 7 over the weeks of 2025-03-03 to "
        "2025-03-17: the same plan feels harder (fatigue?); a lighter week helps")]
    assert rules([mk(at(7 * w), "metcon", r) for w, r in enumerate((5, 7, 6))]) == []
    assert rules([mk(at(7 * w), "metcon", r) for w, r in enumerate((6, 7, 7.5))]) == []
    other = [mk(at(7 * w), "metcon", r, title="t%d" % w) for w, r in enumerate((5, 6, 7))]
    assert rules(other) == []  # different plans getting harder is progression


def test_sample_history_warnings():
    ss = history.generate()
    assert len(ss) == 26 and len(sessions.weeks(ss)) == 8
    assert sum(1 for s in ss if s["date"] is None) == 1
    got = history_checks.check_history(ss)
    assert [f.rule for f in got] == ["max-effort-48h", "rpe-creep"]
    assert "Advanced conditioning" in got[1].message
