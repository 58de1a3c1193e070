"""Training facts the product encodes: plan totals, work:rest ratio and its band."""

from fractions import Fraction

from host_tools import fw

table = fw.load("plan")

# Work:rest bands from the training literature (DESIGN.md), by rest/work. The boundaries sit
# halfway between the published ranges: power 1:5-1:6, speed-endurance 1:3-1:4, metabolic
# conditioning 1:1-1:2.
BANDS = (
    (4.5, "power"),
    (2.5, "speed-endurance"),
    (0.75, "metabolic conditioning"),
)
WORK_HEAVY = "work-heavy"  # less rest than work: outside the published bands
OPEN = "open"  # no timed work (distance or lap steps): classified by the sprint, not a ratio


def expand(steps, last_round=False):
    """Yield the flat (kind, dur_s, label, opts, rep, reps) sequence of a plan's steps.

    An `@between` step is left out of its repeat's last round (`last_round` for this block).
    """
    for st in steps:
        if st[0] == "repeat":
            for i in range(st[1]):
                for s in expand(st[2], i == st[1] - 1):
                    yield s if s[5] else s[:4] + (i + 1, st[1])
        elif not (last_round and len(st) > 3 and st[3] & table.OPT_BETWEEN):
            yield tuple(st) + (0, 0)


def band(work_s, rest_s):
    """The band a work:rest ratio falls in."""
    if not work_s:
        return OPEN
    r = rest_s / work_s
    for low, name in BANDS:
        if r >= low:
            return name
    return WORK_HEAVY


def ratio(work_s, rest_s):
    """Work:rest as text, e.g. '1:2', '1:2.5' or '2:1'; '-' with no timed work."""
    if not work_s:
        return "-"
    if not rest_s:
        return "1:0"
    f = Fraction(rest_s, work_s)
    if f >= 1:
        return "1:%s" % _num(float(f))
    return "%s:1" % _num(float(1 / f))


def _num(x):
    return ("%.1f" % x).rstrip("0").rstrip(".")


def timed_pairs(steps):
    """(work_s, rest_s) over timed work steps and the rest/recover steps that follow them;
    rest after an open `lap` effort belongs to that sprint, not to a work:rest ratio."""
    work = rest = 0
    timed = False
    for s in steps:
        if s[0] == "work":
            timed = s[1] > 0
            work += s[1]
        elif s[0] in ("rest", "recover") and timed:
            rest += s[1]
    return work, rest


def summary(plan):
    """The `beeper check --json` figures for one plan.

    `ratio` and `band` come from the timed work steps and the rests after them; when a plan
    mixes `lap` and timed work, `ratio_basis` is "timed pairs" (else "all").
    """
    steps = list(expand(plan["steps"]))
    work = sum(s[1] for s in steps if s[0] == "work")
    rest = sum(s[1] for s in steps if s[0] in ("rest", "recover"))
    mixed = work > 0 and any(s[0] == "work" and s[1] == 0 for s in steps)
    pw, pr = timed_pairs(steps) if mixed else (work, rest)
    return {
        "title": plan["title"],
        "total_s": sum(s[1] for s in steps),
        "work_s": work,
        "rest_s": rest,
        "intervals": sum(1 for s in steps if s[0] == "work"),
        "ratio": ratio(pw, pr),
        "band": band(pw, pr),
        "ratio_basis": "timed pairs" if mixed else "all",
    }


# The published ranges as rest per unit of work (DESIGN.md, "Coaching facts"). BANDS above
# puts every ratio in its nearest band; zone() says whether a pair is inside a range or in a
# gap between two, which the coaching checks (plans/checks.py) warn about.
RANGES = (
    ("metabolic conditioning", 1, 2),  # 20-40 s work, equal or double rest
    ("speed-endurance", 3, 4),  # 15-20 s efforts, 45-80 s rest
    ("power", 5, 6),  # about 10 s max effort, 50-60 s rest
)


def range_text(name):
    """A published band with its range, e.g. 'power (1:5-1:6)'."""
    lo, hi = next((lo, hi) for n, lo, hi in RANGES if n == name)
    return "%s (1:%d-1:%d)" % (name, lo, hi)


def zone(work_s, rest_s):
    """Where a timed work:rest pair falls: (band, None) in a published range, else (None, gap)."""
    r = Fraction(rest_s) / Fraction(work_s)  # exact for int or float seconds
    below = None
    for name, lo, hi in RANGES:
        if lo <= r <= hi:
            return name, None
        if r < lo:
            if below is None:
                return None, ("work-heavy: less rest than work, below %s; Tabata's 20 s/10 s "
                              "(2:1) is here" % range_text(name))
            return None, "in the gap between %s and %s" % (range_text(below), range_text(name))
        below = name
    return None, "more rest than %s: full recovery, as between sprints" % range_text(below)
