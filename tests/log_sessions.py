"""Generated LogDB session dicts (the shape docs/BRIEF fixes for host_tools/logs/db.py)."""

import random

from hypothesis import strategies as st
from plan_strategies import plans

from host_tools.plans import coach, lang

END_REASONS = ("finished", "finished early", "abandoned", "power loss", "watchdog")


def session_from_plan(plan, seq=1, device="e6614103e7a1b22c", date="2026-03-02T07:15:00Z",
                      rpe=7, seed=0, paused_s=0.0):
    """A plausible logged session of a plan: actual times near planned, a few skips and laps."""
    rnd = random.Random(seed)
    ivs = []
    for i, (kind, dur, label, _opts, _rep, _reps) in enumerate(coach.expand(plan["steps"])):
        skipped = dur > 0 and rnd.random() < 0.1
        if dur == 0:
            actual = round(rnd.uniform(3.0, 12.0), 3)
        elif skipped:
            actual = round(rnd.uniform(1.0, dur), 3)
        else:
            actual = float(dur)
        ivs.append({"idx": i, "kind": kind, "label": label,
                    "planned_s": float(dur) if dur else None, "actual_s": actual,
                    "skipped": skipped, "paused": False, "extended": False,
                    "laps": 1 if dur == 0 else 0,
                    # the device counts B taps as reps on a timed step; on an open (lap)
                    # step the tap is the lap that ends it
                    "reps": rnd.randint(5, 20) if kind == "work" and dur else 0})
    if paused_s and ivs:
        ivs[len(ivs) // 2]["paused"] = True
    return {"device_id": device, "seq": seq, "date": date,
            "date_source": "rtc" if date else "unknown", "plan_title": plan["title"],
            "plan_hash": 0x1234ABCD + seq, "end_reason": "finished", "rpe": rpe,
            "paused_s": paused_s, "worst_onset_us": 18, "intervals": ivs}


def example(name, **kw):
    """A session of examples/NAME.plan."""
    return session_from_plan(lang.load("examples/%s.plan" % name), **kw)


_dates = st.one_of(st.none(), st.datetimes(
    min_value=__import__("datetime").datetime(2021, 1, 1),
    max_value=__import__("datetime").datetime(2035, 12, 31)).map(
    lambda d: d.replace(microsecond=0).isoformat() + "Z"))

sessions = st.builds(
    lambda p, seq, date, rpe, seed, paused, end: dict(
        session_from_plan(p, seq=seq, date=date, rpe=rpe, seed=seed, paused_s=paused),
        end_reason=end),
    plans.filter(lambda p: sum(1 for _ in coach.expand(p["steps"])) <= 60),
    st.integers(0, 99999), _dates, st.one_of(st.none(), st.integers(1, 10)),
    st.integers(0, 2**32), st.sampled_from([0.0, 12.5, 300.25]), st.sampled_from(END_REASONS))
