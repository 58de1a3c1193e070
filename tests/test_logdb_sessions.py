"""The real log store gives back exactly the session dicts that exports and the report use."""

import itertools

from hypothesis import HealthCheck, given, settings
from log_records import store
from log_sessions import example, sessions

from host_tools.logs.db import LogDB

_n = itertools.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(sessions)
def test_pulled_record_reads_back_as_the_session(tmp_path, s):
    db = LogDB(str(tmp_path / ("logs%d.sqlite" % next(_n))))
    assert store(db, [s]) == 1
    assert store(db, [s]) == 0  # a second pull adds nothing
    assert db.sessions() == [s]
    db.close()


def test_since_keeps_dated_sessions_from_that_day(tmp_path):
    db = LogDB(str(tmp_path / "logs.sqlite"))
    store(db, [example("beginner", seq=1, date="2026-02-20T07:00:00Z"),
               example("advanced", seq=2, date="2026-03-03T18:30:00Z"),
               example("intermediate", seq=3, date=None)])
    assert [s["seq"] for s in db.sessions(since="2026-03-01")] == [2]
    assert [s["seq"] for s in db.sessions()] == [1, 2, 3]
    db.close()
