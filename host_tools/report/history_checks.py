"""Coaching checks on a training history (LogDB session dicts); warnings with rule and source."""

import datetime as dt
import statistics
from itertools import pairwise

from host_tools import fw
from host_tools.plans import checks
from host_tools.plans.checks import FACTS, Finding, Rule
from host_tools.report import sessions as ss

MAX_EFFORT_RPE = 9  # RPE 9-10: a maximal session whatever its plan
MAX_EFFORT_PER_WEEK = 4
MIN_GAP = dt.timedelta(hours=48)
DELOAD_WINDOW = 6  # weeks
LIGHTER = 0.6  # a deload week has volume or intensity down 40-50%: at most 60% of usual
RPE_WEEKS = 3  # weekly mean RPE at one plan rising over this many weeks...
RPE_RISE = 2.0  # ...by this much in all

RULES = {r.rule: r for r in (
    Rule("max-effort-week", "at most 4 max-effort sessions (speed work, or RPE 9-10) a week",
         FACTS + ': "Max-effort sessions: 2-4 a week, 48-72 h apart."'),
    Rule("max-effort-48h", "max-effort sessions at least 48 hours apart",
         FACTS + ': "Max-effort sessions: 2-4 a week, 48-72 h apart."'),
    Rule("deload", "a lighter week (work seconds or session-RPE load at most 60% of the "
         "usual) within the last 6 weeks",
         FACTS + ': "Deload every 4-6 weeks (volume or intensity down 40-50%)."'),
    Rule("rpe-creep", "RPE at the same plan should not keep rising week after week (the same "
         "work feeling harder is fatigue, not progress)",
         FACTS + ': "2-3 weeks at an intensity level before moving up. Deload every 4-6 '
         'weeks."'),
)}


def finding(rule, message):
    """A warning under one of RULES, carrying its source."""
    return Finding(rule, message, RULES[rule].source)


def is_max_effort(session):
    """Speed work by its planned ratio (or lap sprints), or an RPE of 9-10."""
    return ((session.get("rpe") or 0) >= MAX_EFFORT_RPE
            or checks.is_speed_work(checks.pairs(ss.planned_steps(session))))


def _day(t):
    return t.strftime("%a %Y-%m-%d %H:%M")


def check_history(sessions, today=None):
    """Coaching warnings for a list of session dicts (sessions without a date are skipped)."""
    return (_max_effort(sessions) + _deload(sessions, today) + _rpe_creep(sessions))


def _max_effort(sessions):
    out = []
    hard = [(t, s) for t, s in ss.dated(sessions) if is_max_effort(s)]
    for monday, week in ss.by_week(sessions).items():
        n = sum(1 for s in week if is_max_effort(s))
        if n > MAX_EFFORT_PER_WEEK:
            out.append(finding("max-effort-week", "%d max-effort sessions in the week of %s; "
                               "2-4 a week is the advice" % (n, monday.isoformat())))
    for (t0, s0), (t1, s1) in pairwise(hard):
        if t1 - t0 < MIN_GAP:
            out.append(finding("max-effort-48h", "max-effort sessions %s (%s) and %s (%s) are "
                               "%.0f h apart; 48-72 h is the advice" % (
                                   _day(t0), s0["plan_title"], _day(t1), s1["plan_title"],
                                   (t1 - t0).total_seconds() / 3600)))
    return out


def _deload(sessions, today):
    weeks = ss.by_week(sessions)
    if not weeks:
        return []
    last = ss.week_of(today) if today else max(weeks)
    window = [last - dt.timedelta(weeks=i) for i in range(DELOAD_WINDOW)][::-1]
    if min(weeks) > window[0]:
        return []  # under 6 weeks of history: too early to ask for a deload
    week = [weeks.get(m, []) for m in window]
    measures = [[sum(ss.work_s(s) for s in w) for w in week]]
    if all(s.get("rpe") for w in week for s in w):  # session-RPE load = RPE x minutes
        measures.append([sum(s["rpe"] * (ss.work_s(s) + ss.rest_s(s)) / 60 for s in w)
                         for w in week])
    for m in measures:
        usual = statistics.median(m)
        if any(v <= LIGHTER * usual for v in m):
            return []
    return [finding("deload", "no lighter week (work time or session-RPE load down 40%% or "
                    "more) in the 6 weeks from %s to %s; usual weekly work time %s" % (
                        window[0].isoformat(), (last + dt.timedelta(days=6)).isoformat(),
                        _mmss(statistics.median(measures[0]))))]


def _mmss(sec):
    return fw.load("ui").mmss(int(round(sec)))


def _rpe_creep(sessions):
    plans = {}
    for t, s in ss.dated(sessions):
        if s.get("rpe"):
            weeks = plans.setdefault(s["plan_hash"], (s["plan_title"], {}))[1]
            weeks.setdefault(ss.week_of(t), []).append(s["rpe"])
    out = []
    for title, weeks in plans.values():
        means = [(m, statistics.mean(v)) for m, v in sorted(weeks.items())][-RPE_WEEKS:]
        rpe = [v for _, v in means]
        rising = all(a < b for a, b in pairwise(rpe))
        if len(means) == RPE_WEEKS and rising and rpe[-1] - rpe[0] >= RPE_RISE:
            out.append(finding("rpe-creep", "RPE at %r rose %s over the weeks of %s to %s: the "
                               "same plan feels harder (fatigue?); a lighter week helps" % (
                                   title, " -> ".join("%g" % round(v, 1) for v in rpe),
                                   means[0][0].isoformat(), means[-1][0].isoformat())))
    return out
