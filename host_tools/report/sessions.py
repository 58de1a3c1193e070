"""Figures from LogDB session dicts: dates, ISO weeks, work and rest seconds."""

import datetime as dt

REST_KINDS = ("rest", "recover")


def when(session):
    """The session's start as an aware UTC datetime, or None when the date is unknown."""
    text = session.get("date")
    if not text:
        return None
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t


def week_of(t):
    """The Monday (a date) of the ISO week holding datetime t."""
    d = t.date()
    return d - dt.timedelta(days=d.weekday())


def dated(sessions):
    """(datetime, session) for the sessions with a known date, oldest first."""
    out = [(when(s), s) for s in sessions]
    return sorted(((t, s) for t, s in out if t is not None), key=lambda p: p[0])


def weeks(sessions):
    """Every Monday from the first dated session's week to the last one's (gaps included)."""
    ds = dated(sessions)
    if not ds:
        return []
    first, last = week_of(ds[0][0]), week_of(ds[-1][0])
    return [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def by_week(sessions):
    """{monday: [sessions]} for every week in weeks(sessions) (empty weeks included)."""
    out = {w: [] for w in weeks(sessions)}
    for t, s in dated(sessions):
        out[week_of(t)].append(s)
    return out


def seconds(session, kinds):
    """Actual seconds spent in intervals of the given kinds."""
    return sum(iv["actual_s"] for iv in session["intervals"] if iv["kind"] in kinds)


def work_s(session):
    """Actual work seconds."""
    return seconds(session, ("work",))


def rest_s(session):
    """Actual rest and recover seconds."""
    return seconds(session, REST_KINDS)


def planned_steps(session):
    """(kind, planned seconds; 0 for an open lap step) per interval, as checks.pairs wants."""
    return [(iv["kind"], iv["planned_s"] or 0) for iv in session["intervals"]]
