"""Session dicts (tests/log_sessions.py) as real v2 log records, stored through the real LogDB."""

import calendar
import time

from host_tools import fw

logbook = fw.load("logbook")
plan = fw.load("plan")

_END = {name: code for code, name in logbook.END_REASONS.items()}


def to_record(s, boot_count=1):
    """The v2 log record bytes a device would have written for session dict s."""
    strings = [s["plan_title"]]
    ivs = []
    for iv in s["intervals"]:
        label = 0
        if iv["label"]:  # labels follow the title in the string table, as in a plan table
            if iv["label"] not in strings[1:]:
                strings.append(iv["label"])
            label = strings.index(iv["label"], 1)
        flags = ((logbook.F_SKIPPED if iv["skipped"] else 0)
                 | (logbook.F_PAUSED if iv["paused"] else 0)
                 | (logbook.F_EXTENDED if iv["extended"] else 0))
        open_step = iv["planned_s"] is None
        ivs.append((0 if open_step else round(iv["planned_s"] * 1000),
                    round(iv["actual_s"] * 1000), flags,
                    iv["laps"] if open_step else iv["reps"],
                    plan.KIND_NAMES.index(iv["kind"]), label))
    date = s["date"]
    start_s = calendar.timegm(time.strptime(date, "%Y-%m-%dT%H:%M:%SZ")) if date else 0
    worst = s["worst_onset_us"]
    return bytes(logbook.encode(
        s["seq"], s["plan_hash"], start_s, _END[s["end_reason"]], s["rpe"] or 0,
        round(s["paused_s"] * 1000), ivs, boot_count=boot_count, start_ticks_ms=5000,
        rtc_set=date is not None,
        worst_onset_us=logbook.ONSET_UNKNOWN if worst is None else worst, strings=strings))


def store(db, sessions):
    """Add the sessions to a LogDB as pulled records (decoded from their bytes)."""
    by_dev = {}
    for s in sessions:
        by_dev.setdefault(s["device_id"], []).append(logbook.decode(to_record(s)))
    return sum(db.add(dev, recs) for dev, recs in by_dev.items())
