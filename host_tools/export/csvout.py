"""Session logs as CSV: one row per interval."""

import csv

COLUMNS = ("device", "session", "date", "plan", "step", "kind", "label", "planned_s",
           "actual_s", "skipped", "reps", "laps", "rpe")
UNKNOWN_DATE = "unknown"


def num(x):
    """Seconds as text without float noise: 20.0 -> '20', 19.9504 -> '19.95'; None -> ''."""
    if x is None:
        return ""
    return ("%.3f" % x).rstrip("0").rstrip(".")


def rows(sessions):
    """Yield one dict per interval (COLUMNS as keys, text values)."""
    for s in sessions:
        for iv in s["intervals"]:
            yield {
                "device": s["device_id"],
                "session": str(s["seq"]),
                "date": s["date"] or UNKNOWN_DATE,
                "plan": s["plan_title"],
                "step": str(iv["idx"] + 1),  # 1-based, as the device shows it
                "kind": iv["kind"],
                "label": iv["label"],
                "planned_s": num(iv["planned_s"]),  # empty: an open `lap` step
                "actual_s": num(iv["actual_s"]),
                "skipped": "1" if iv["skipped"] else "0",
                "reps": str(iv["reps"]),
                "laps": str(iv["laps"]),
                "rpe": "" if s["rpe"] is None else str(s["rpe"]),  # empty: not given
            }


def write(sessions, fp):
    """Write the CSV (header + rows) to a text file opened with newline=''; returns rows."""
    w = csv.DictWriter(fp, fieldnames=COLUMNS)
    w.writeheader()
    n = 0
    for r in rows(sessions):
        w.writerow(r)
        n += 1
    return n
