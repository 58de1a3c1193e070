"""Coaching checks on a plan: warnings that name the rule they apply and its source."""

import re
from collections import namedtuple
from fractions import Fraction

from host_tools import fw
from host_tools.plans import coach

FACTS = 'DESIGN.md, "Coaching facts"'
Rule = namedtuple("Rule", "rule text source")
Finding = namedtuple("Finding", "rule message source")

RULES = {r.rule: r for r in (
    Rule("ratio-band", "each timed work/rest pair is named by its ratio; one in a gap between "
         "the published bands, or with less rest than work, is flagged",
         FACTS + ': "Work:rest bands: power 1:5-1:6; speed-endurance 1:3-1:4; metabolic '
         'conditioning 1:1-1:2. Classify by the ratio, not the plan\'s title."'),
    Rule("title-band", "a title that names a band (or Tabata) needs pairs with that ratio",
         FACTS + ': "Classify by the ratio, not the plan\'s title."'),
    Rule("warmup", "speed work (pairs resting 3x their work or more, or lap sprints) "
         "needs a warm-up of at least 5 minutes",
         FACTS + ': "Warm-up 5-10 minutes is advised before speed work."'),
    Rule("micro-session", "an interval session lasts 5-20 minutes (sprint days, whose work "
         "is all `lap` steps, are not micro-sessions)",
         FACTS + ': "Micro-sessions last 5-20 minutes."'),
)}

# Title words that claim a band (None: Tabata, which is 20 s work / 10 s rest).
CLAIMS = (
    (re.compile(r"\bmetabolic\b|\bmetcon\b|\bconditioning\b", re.I), "metabolic conditioning"),
    (re.compile(r"\bspeed[- ]?endurance\b", re.I), "speed-endurance"),
    (re.compile(r"\bpower\b", re.I), "power"),
    (re.compile(r"\btabata\b", re.I), None),
)
TABATA = Fraction(1, 2)  # rest per unit of work
WARMUP_MIN_S = 5 * 60
MICRO_S = (5 * 60, 20 * 60)
SPEED_FROM = Fraction(3)  # rest per unit of work: speed-endurance and anything restier
FULL_RECOVERY = Fraction(coach.RANGES[-1][2])  # past power's 1:6: sprint-style, not flagged


def finding(rule, message):
    """A warning under one of RULES, carrying that rule's source."""
    return Finding(rule, message, RULES[rule].source)


def pairs(steps):
    """(work_s, rest_s) per work step and the rest/recover steps after it (work_s 0 = lap).

    steps: (kind, seconds) in session order; a rest-less work step gives no pair.
    """
    out = []
    work = rest = None
    for kind, sec in list(steps) + [("end", 0)]:
        if kind in ("rest", "recover") and work is not None:
            rest = (rest or 0) + (sec or 0)
            continue
        if work is not None and rest is not None:
            out.append((work, rest))
        work, rest = ((sec or 0), None) if kind == "work" else (None, None)
    return out


def _rest_per_work(w, r):
    return Fraction(r) / Fraction(w)


def is_speed_work(pair_list):
    """Speed work: an open (lap) sprint, or a pair resting 3 times its work or more."""
    return any(not w or _rest_per_work(w, r) >= SPEED_FROM for w, r in pair_list)


def pair_bands(plan):
    """Each distinct timed work/rest pair of a plan with its ratio and where that ratio falls."""
    flat = [(s[0], s[1]) for s in coach.expand(plan["steps"])]
    out = []
    for w, r in sorted(set(p for p in pairs(flat) if p[0])):
        f = _rest_per_work(w, r)
        band = coach.zone(w, r)[0] or ("full recovery" if f > FULL_RECOVERY else
                                       "work-heavy" if f < 1 else "gap")
        out.append({"work_s": w, "rest_s": r, "ratio": coach.ratio(w, r), "band": band})
    return out


def _secs(sec):
    return fw.load("ui").mmss(int(sec))


def check_plan(plan):
    """Coaching warnings for one parsed plan (list of Finding, empty when it follows them)."""
    flat = [(s[0], s[1]) for s in coach.expand(plan["steps"])]
    timed = sorted(set((w, r) for w, r in pairs(flat) if w))
    out = []
    for w, r in timed:
        band, gap = coach.zone(w, r)
        if band is None and _rest_per_work(w, r) <= FULL_RECOVERY:
            out.append(finding("ratio-band", "work %ds / rest %ds is %s, %s"
                               % (w, r, coach.ratio(w, r), gap)))
    for pattern, claim in CLAIMS:
        m = pattern.search(plan["title"])
        for w, r in timed if m else ():
            named = coach.zone(w, r)[0]
            if (named == claim) if claim else _rest_per_work(w, r) == TABATA:
                continue
            out.append(finding("title-band", "the title says %r but work %ds / rest %ds is "
                               "%s, %s, not %s" % (
                                   m.group(0), w, r, coach.ratio(w, r),
                                   named or "in no band",
                                   coach.range_text(claim) if claim else "Tabata's 2:1")))
    all_pairs = pairs(flat)
    if is_speed_work(all_pairs):
        first_work = next(i for i, (k, _) in enumerate(flat) if k == "work")
        warm = sum(s for k, s in flat[:first_work] if k == "warmup")
        if warm < WARMUP_MIN_S:
            out.append(finding("warmup", "warm-up is %s before speed work; 5-10 minutes is "
                               "advised" % _secs(warm)))
    works = [s for k, s in flat if k == "work"]
    if works and any(works):
        total = sum(s for _, s in flat)
        has_open = any(not s for _, s in flat)
        lo, hi = MICRO_S
        if total > hi or (total < lo and not has_open):
            out.append(finding("micro-session", "the session lasts %s%s, outside 5-20 minutes"
                               % (_secs(total), " plus lap steps" if has_open else "")))
    return out


def format_finding(f, where=""):
    """One warning line: 'where: warning [rule]: message (source)'."""
    return "%swarning [%s]: %s (%s)" % (where + ": " if where else "", f.rule, f.message,
                                        f.source)
