"""Test-only stand-in for host_tools/logs/db.py (branch `sync`): the LogDB interface the brief
fixes, over SQLite with one JSON session per row. The export CLI must not depend on more."""

import json
import sqlite3


class LogDB:
    """LogDB(path).sessions(since=None, device=None) -> list of session dicts."""

    def __init__(self, path):
        self.conn = sqlite3.connect(path)
        self.conn.execute("CREATE TABLE IF NOT EXISTS s (device TEXT, seq INT, date TEXT, "
                          "doc TEXT)")

    def add(self, session):
        with self.conn:
            self.conn.execute("INSERT INTO s VALUES (?, ?, ?, ?)", (
                session["device_id"], session["seq"], session["date"], json.dumps(session)))

    def sessions(self, since=None, device=None):
        q = "SELECT doc FROM s WHERE (? IS NULL OR date >= ?) AND (? IS NULL OR device = ?) " \
            "ORDER BY device, seq"
        rows = self.conn.execute(q, (since, since, device, device)).fetchall()
        self.conn.close()
        return [json.loads(r[0]) for r in rows]
