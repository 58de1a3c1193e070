"""A generated 8-week training history (LogDB session dicts) for `beeper report --sample`."""

import datetime as dt
import os
import random

from host_tools import fw
from host_tools.plans import coach, lang

table = fw.load("plan")
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples")
DEVICE = "e6614103e7452d2f"
START = dt.date(2025, 3, 3)  # a Monday

# Per week: (weekday 0=Mon, hour, example plan, RPE or 0 for not given). Weeks 1-4 build up,
# week 5 is a deload, weeks 6-8 build again with the Advanced plan getting harder (RPE creep)
# and two sprint sessions a day apart in week 7: enough to show each chart and two warnings.
WEEKS = (
    ((0, 7, "beginner", 5), (2, 18, "beginner", 5), (4, 7, "sprint-accelerations", 6)),
    ((0, 7, "beginner", 4), (2, 18, "intermediate", 6), (4, 19, "sprint-fly", 7)),
    ((0, 7, "intermediate", 6), (2, 18, "advanced", 6), (4, 7, "sprint-accelerations", 0)),
    ((0, 7, "intermediate", 6), (2, 18, "advanced", 7), (4, 7, "sprint-fly", 7),
     (6, 10, "advanced", 6)),
    ((1, 7, "beginner", 3), (4, 18, "beginner", 3)),
    ((0, 7, "advanced", 6), (2, 18, "sprint-fly", 7), (4, 7, "advanced", 6)),
    ((0, 7, "advanced", 7), (2, 18, "sprint-accelerations", 7), (3, 7, "sprint-fly", 8),
     (5, 9, "advanced", 8)),
    ((0, 7, "advanced", 8), (2, 18, "sprint-fly", 8), (4, 7, "advanced", 8)),
)
REPS = {"Burpees": (7, 10), "Jump squats": (10, 13)}  # reps counted on B taps
LAP_S = {"20 m acceleration": (3.2, 3.9), "40 m fly sprint": (4.4, 5.4)}


def example_plans():
    """{name: plan} for the example plans shipped in examples/."""
    return {f[:-5]: lang.load(os.path.join(EXAMPLES, f))
            for f in sorted(os.listdir(EXAMPLES)) if f.endswith(".plan")}


def generate(plans=None, start=START, seed=15):
    """Session dicts for WEEKS from `start` (a Monday), deterministic for a seed."""
    plans = plans or example_plans()
    rng = random.Random(seed)
    out = []
    for w, week in enumerate(WEEKS):
        for day, hour, name, rpe in week:
            t = dt.datetime.combine(start + dt.timedelta(weeks=w, days=day),
                                    dt.time(hour, rng.randrange(60)), dt.timezone.utc)
            out.append(session(plans[name], len(out) + 1, t, rpe, rng))
    # One session on a boot where no host set the clock: its date is unknown.
    out.append(session(plans["beginner"], len(out) + 1, None, 4, rng))
    return out


def session(plan, seq, t, rpe, rng):
    """One session dict as LogDB returns it, with realistic timing noise."""
    tired = rpe >= 8
    intervals = []
    paused_s = 0.0
    for idx, (kind, dur, label, _o, _r, _n) in enumerate(coach.expand(plan["steps"])):
        iv = {"idx": idx, "kind": kind, "label": label, "planned_s": float(dur) or None,
              "actual_s": 0.0, "skipped": False, "paused": False, "extended": False,
              "laps": 0, "reps": 0}
        if not dur:
            iv["actual_s"] = round(rng.uniform(*LAP_S.get(label, (4, 6))), 2)
            iv["laps"] = 1
        elif kind == "work" and rng.random() < (0.15 if tired else 0.03):
            iv["actual_s"], iv["skipped"] = round(dur * rng.uniform(0.45, 0.9), 1), True
        elif kind in ("rest", "recover") and rng.random() < 0.06:
            iv["actual_s"], iv["extended"] = dur + 10.0, True  # A held: +10 s
        else:
            iv["actual_s"] = dur + round(rng.uniform(0, 0.02), 3)
        if kind == "work" and label in REPS:
            lo, hi = REPS[label]
            iv["reps"] = rng.randint(lo - 4, lo) if iv["skipped"] else rng.randint(lo, hi)
        if kind == "rest" and not paused_s and rng.random() < 0.02:
            iv["paused"], paused_s = True, float(rng.randint(15, 60))
        intervals.append(iv)
    return {"device_id": DEVICE, "seq": seq,
            "date": t.strftime("%Y-%m-%dT%H:%M:%SZ") if t else None,
            "date_source": "rtc" if t else "unknown", "plan_title": plan["title"],
            "plan_hash": table.Table(table.encode(plan)).crc, "end_reason": "finished",
            "rpe": rpe or None, "paused_s": paused_s,
            # rp2 measured 92-106 us (shared rp2-timing.md); one record says 0xFFFF: unknown
            "worst_onset_us": None if seq == 4 else int(rng.gauss(96, 3)),
            "intervals": intervals}
