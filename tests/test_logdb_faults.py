"""A corrupt or locked log database gets a clear message and is never silently replaced."""

import sqlite3

import pytest

from host_tools.logs.db import LogDB


def test_corrupt_database_is_refused_and_kept(tmp_path):
    p = tmp_path / "beeper.sqlite"
    junk = b"SQLite format 3\x00" + bytes(range(256)) * 8  # a header, then garbage
    p.write_bytes(junk)
    with pytest.raises(ValueError) as e:
        LogDB(str(p))
    assert str(p) in str(e.value) and "not a beeper log database" in str(e.value)
    assert p.read_bytes() == junk  # never replaced or repaired behind the user's back
    t = tmp_path / "notes.txt"
    t.write_bytes(b"my shopping list\n")
    with pytest.raises(ValueError):
        LogDB(str(t))
    assert t.read_bytes() == b"my shopping list\n"


def test_locked_database_says_locked(tmp_path):
    p = tmp_path / "beeper.sqlite"
    LogDB(str(p)).close()
    other = sqlite3.connect(str(p), timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ValueError) as e:
            LogDB(str(p), timeout=0.1)
        assert "locked" in str(e.value) and str(p) in str(e.value)
        assert "not a beeper log database" not in str(e.value)
    finally:
        other.rollback()
        other.close()
    db = LogDB(str(p))  # and it opens once the other program lets go
    assert db.sessions() == []
    db.close()
