"""The host log store: sessions pulled from beepers in SQLite, keyed by device id and seq.

Dates are honest: a session is dated from the device RTC only when the host had set it that
boot before the session ("rtc"); else from a sync the host made later in the same boot (boot
count + ticks since boot, "sync"); else it is stored with date None ("unknown").
"""

import datetime
import json
import os
import sqlite3

from host_tools import fw

logbook = fw.load("logbook")
plan = fw.load("plan")

TICKS_PERIOD_MS = 1 << 30  # rp2 ticks_ms wrap
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    device_id TEXT NOT NULL, seq INTEGER NOT NULL, boot_count INTEGER, start_s INTEGER,
    start_ticks_ms INTEGER, rtc_set INTEGER, date TEXT, date_source TEXT NOT NULL,
    plan_title TEXT, plan_hash INTEGER, end_reason TEXT, rpe INTEGER, paused_ms INTEGER,
    worst_onset_us INTEGER, intervals TEXT NOT NULL, pulled_at TEXT,
    PRIMARY KEY (device_id, seq));
CREATE TABLE IF NOT EXISTS syncs (
    device_id TEXT NOT NULL, boot_count INTEGER NOT NULL, ticks_ms INTEGER NOT NULL,
    utc_s INTEGER NOT NULL, PRIMARY KEY (device_id, boot_count, ticks_ms));
"""


def default_path():
    """logs.sqlite in the user's data directory (platformdirs), as export and report use."""
    import platformdirs

    return os.path.join(platformdirs.user_data_dir("beeper"), "logs.sqlite")


def iso(secs):
    """Epoch seconds -> ISO 8601 UTC."""
    return datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def intervals_of(rec):
    """The record's intervals as the documented dicts."""
    strs = rec["strings"]
    out = []
    for i, (planned, actual, flags, taps, kind, label) in enumerate(rec["intervals"]):
        open_step = planned == 0
        out.append({
            "idx": i,
            "kind": plan.KIND_NAMES[kind] if kind < len(plan.KIND_NAMES) else "work",
            "label": strs[label] if 0 < label < len(strs) else "",
            "planned_s": None if open_step else planned / 1000.0,
            "actual_s": actual / 1000.0,
            "skipped": bool(flags & logbook.F_SKIPPED),
            "paused": bool(flags & logbook.F_PAUSED),
            "extended": bool(flags & logbook.F_EXTENDED),
            # B taps: on an open step they are laps (the tap ends it), on a timed one reps
            "laps": taps if open_step else 0,
            "reps": 0 if open_step else taps,
        })
    return out


class LogDB:
    """`LogDB(path)`: add records from a pull, list sessions as documented dicts."""

    def __init__(self, path=None, timeout=5.0):
        self.path = path or default_path()
        d = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(d, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=timeout)
            self.db.executescript(SCHEMA)
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise ValueError("%s: database is locked by another program (close it, then "
                                 "retry)" % self.path) from None
            raise ValueError("%s: not a beeper log database (%s)" % (self.path, e)) from None
        except sqlite3.DatabaseError as e:
            raise ValueError("%s: not a beeper log database (%s)" % (self.path, e)) from None

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def add_sync(self, device_id, boot_count, ticks_ms, utc_s):
        """Remember that at ticks_ms of this boot the time was utc_s; re-date what it can."""
        self.db.execute("INSERT OR REPLACE INTO syncs VALUES (?,?,?,?)",
                        (device_id, boot_count, ticks_ms, utc_s))
        for seq, ticks in self.db.execute(
                "SELECT seq, start_ticks_ms FROM sessions WHERE device_id=? AND boot_count=? "
                "AND date_source='unknown'", (device_id, boot_count)).fetchall():
            date = self._sync_date(device_id, boot_count, ticks)
            if date:
                self.db.execute("UPDATE sessions SET date=?, date_source='sync' WHERE "
                                "device_id=? AND seq=?", (date, device_id, seq))
        self.db.commit()

    def _sync_date(self, device_id, boot_count, start_ticks):
        """ISO date of a session from the first sync after it in its boot, or None."""
        if not boot_count:
            return None  # v1 record or a device that never counted boots
        rows = self.db.execute("SELECT ticks_ms, utc_s FROM syncs WHERE device_id=? AND "
                               "boot_count=? ORDER BY ticks_ms", (device_id, boot_count))
        for ticks, utc in rows:
            since = (ticks - start_ticks) % TICKS_PERIOD_MS
            if since < TICKS_PERIOD_MS // 2:  # a sync after the session start (no wrap)
                return iso(utc - since / 1000.0)
        return None

    def date_of(self, device_id, rec):
        """(date or None, source) for a decoded record."""
        if rec["rtc_set"]:
            return iso(rec["start_s"]), "rtc"
        d = self._sync_date(device_id, rec["boot_count"], rec["start_ticks_ms"])
        return (d, "sync") if d else (None, "unknown")

    def add(self, device_id, recs, commit=True):
        """Store decoded records; returns how many were new (known seqs are left alone)."""
        new = 0
        now = iso(datetime.datetime.now(datetime.timezone.utc).timestamp())
        for r in recs:
            date, src = self.date_of(device_id, r)
            cur = self.db.execute(
                "INSERT OR IGNORE INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (device_id, r["seq"], r["boot_count"], r["start_s"], r["start_ticks_ms"],
                 int(r["rtc_set"]), date, src, r["title"], r["plan_hash"],
                 logbook.END_REASONS.get(r["end_reason"], "code %d" % r["end_reason"]),
                 r["rpe"], r["paused_ms"],
                 None if r["worst_onset_us"] == logbook.ONSET_UNKNOWN else r["worst_onset_us"],
                 json.dumps(intervals_of(r)), now))
            new += cur.rowcount
        if commit:
            self.db.commit()
        return new

    def sessions(self, since=None, device=None):
        """Stored sessions as documented dicts, by device then seq; since = ISO date."""
        q = ("SELECT device_id, seq, date, date_source, plan_title, plan_hash, end_reason, rpe, "
             "paused_ms, worst_onset_us, intervals FROM sessions WHERE 1=1")
        args = []
        if device:
            q += " AND device_id=?"
            args.append(device)
        if since:
            q += " AND date IS NOT NULL AND date >= ?"
            args.append(since)
        q += " ORDER BY device_id, seq"
        out = []
        for row in self.db.execute(q, args):
            out.append({"device_id": row[0], "seq": row[1], "date": row[2],
                        "date_source": row[3], "plan_title": row[4] or "",
                        "plan_hash": row[5], "end_reason": row[6],
                        "rpe": row[7] or None, "paused_s": (row[8] or 0) / 1000.0,
                        "worst_onset_us": row[9], "intervals": json.loads(row[10])})
        return out

    def last_seq(self, device_id):
        """Highest stored seq of a device (0 = none)."""
        row = self.db.execute("SELECT MAX(seq) FROM sessions WHERE device_id=?",
                              (device_id,)).fetchone()
        return row[0] or 0
