"""The report's PNG plots (matplotlib, Agg): each writes one file and returns its caption."""

import datetime as dt
import statistics
from collections import Counter

from host_tools.report import history_checks as hc
from host_tools.report import sessions as ss

WORK, REST, HARD, EASY, BAD = "#c8553d", "#4f9d69", "#c8553d", "#9bb7d4", "#8b1e3f"
SIZE = (7.2, 3.4)  # inches; at DPI this is 792 x 374 px, two fit side by side on a laptop
DPI = 110


def _figure():
    from matplotlib.figure import Figure  # no pyplot: no global state, Agg when saved to PNG

    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    return fig, fig.add_subplot()


def _save(fig, path):
    fig.savefig(path, format="png", metadata={"Software": None})


def _note(title, text, path):
    """A plot-sized PNG that says why there is no chart."""
    fig, ax = _figure()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.3")
    _save(fig, path)


def dated_only(title):
    """Wrap a plot by date: with no dated session, draw a note instead of the chart."""
    def wrap(plot):
        def run(sessions, path):
            if ss.dated(sessions):
                return plot(sessions, path)
            _note(title, "No session has a known date (the device clock was not set),\n"
                  "so there is nothing to plot by date.", path)
            return "Sync with the host, which sets the device clock, to see this chart."
        run.__doc__ = plot.__doc__
        return run
    return wrap


def _week_axis(ax, mondays):
    ax.set_xticks(range(len(mondays)))
    ax.set_xticklabels([m.strftime("%b %d") for m in mondays], fontsize=8)
    ax.set_xlabel("week starting (Monday)")


@dated_only("Sessions per week")
def sessions_per_week(sessions, path):
    """Stacked bars of max-effort and other sessions a week, the 2-4 band shaded."""
    weeks = ss.by_week(sessions)
    mondays = list(weeks)
    hard = [sum(1 for s in w if hc.is_max_effort(s)) for w in weeks.values()]
    other = [len(w) - h for w, h in zip(weeks.values(), hard, strict=True)]
    fig, ax = _figure()
    ax.axhspan(2, 4, color="#dfeedd", zorder=0, label="advised: 2-4 max-effort a week")
    x = range(len(mondays))
    ax.bar(x, hard, color=HARD, label="max-effort (speed work or RPE 9-10)", zorder=2)
    ax.bar(x, other, bottom=hard, color=EASY, label="other sessions", zorder=2)
    ax.set_ylim(0, max(6, max(h + o for h, o in zip(hard, other, strict=True)) + 1))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Sessions per week")
    ax.set_ylabel("sessions")
    _week_axis(ax, mondays)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    _save(fig, path)
    return ("Each bar is one week; red is max-effort sessions. Green band: 2-4 max-effort "
            "sessions a week, 48-72 h apart (DESIGN.md coaching facts).")


@dated_only("Work and rest per week")
def work_rest_per_week(sessions, path):
    """Grouped bars of work and rest minutes a week (actual time, not planned)."""
    weeks = ss.by_week(sessions)
    work = [sum(ss.work_s(s) for s in w) / 60 for w in weeks.values()]
    rest = [sum(ss.rest_s(s) for s in w) / 60 for w in weeks.values()]
    fig, ax = _figure()
    x = list(range(len(weeks)))
    ax.bar([i - 0.2 for i in x], work, 0.4, color=WORK, label="work")
    ax.bar([i + 0.2 for i in x], rest, 0.4, color=REST, label="rest and recovery")
    ax.set_title("Work and rest per week")
    ax.set_ylabel("minutes")
    _week_axis(ax, list(weeks))
    ax.legend(fontsize=8, frameon=False)
    _save(fig, path)
    return ("Actual minutes of work and of rest/recovery each week, as the device timed them "
            "(warm-ups and cool-downs left out; lap sprints count their measured seconds).")


@dated_only("Effort (RPE) over time")
def rpe_trend(sessions, path):
    """RPE per session by plan, with the weekly mean."""
    rated = [(t, s) for t, s in ss.dated(sessions) if s.get("rpe")]
    if not rated:
        _note("Effort (RPE) over time", "No session has an RPE yet.", path)
        return "Enter an RPE (1-10) on the device after a session to see the trend."
    fig, ax = _figure()
    titles = sorted({s["plan_title"] for _, s in rated})
    for i, title in enumerate(titles):
        pts = [(t, s["rpe"]) for t, s in rated if s["plan_title"] == title]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o", color="C%d" % (i % 10),
                label=title, markersize=6, alpha=0.85)
    weekly = {}
    for t, s in rated:
        weekly.setdefault(ss.week_of(t), []).append(s["rpe"])
    mid = [_noon(m + dt.timedelta(days=3)) for m in sorted(weekly)]  # Thursday noon
    ax.plot(mid, [statistics.mean(weekly[m]) for m in sorted(weekly)], "-", color="0.2",
            linewidth=2, label="weekly mean")
    ax.set_ylim(0, 10.5)
    ax.set_yticks(range(0, 11, 2))
    ax.set_title("Effort (RPE) over time")
    ax.set_ylabel("RPE (1-10)")
    _date_axis(ax)
    ax.legend(fontsize=7, frameon=False, loc="lower left", ncol=2)
    _save(fig, path)
    unrated = sum(1 for s in sessions if not s.get("rpe"))
    return ("Each dot is a session's rating of perceived exertion, coloured by plan; the line "
            "is the weekly mean. The same plan rated harder week after week is a sign of "
            "fatigue." + (" %d session(s) without an RPE are not shown." % unrated
                          if unrated else ""))


def _date_axis(ax):
    from matplotlib.dates import MO, DateFormatter, WeekdayLocator

    ax.xaxis.set_major_locator(WeekdayLocator(byweekday=MO))
    ax.xaxis.set_major_formatter(DateFormatter("%b %d"))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("date (ticks on Mondays)")


def _noon(day):
    return dt.datetime.combine(day, dt.time(12), dt.timezone.utc)


def planned_vs_actual(sessions, path):
    """Planned against actual length of every timed interval; dot area = how many."""
    groups = {"on plan": Counter(), "skipped (ended early)": Counter(),
              "extended (+10 s)": Counter()}
    laps = 0
    for s in sessions:
        for iv in s["intervals"]:
            if not iv["planned_s"]:
                laps += 1
                continue
            g = ("skipped (ended early)" if iv["skipped"] else
                 "extended (+10 s)" if iv["extended"] else "on plan")
            groups[g][(iv["planned_s"], round(iv["actual_s"], 0))] += 1
    if not any(groups.values()):
        _note("Planned vs actual interval lengths", "No timed interval logged yet.", path)
        return "Only lap steps so far: they have no planned length (%d)." % laps
    fig, ax = _figure()
    top = 1
    for (name, pts), color, marker in zip(groups.items(), (EASY, BAD, "#e0a100"), "oXs",
                                          strict=True):
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.scatter(xs, ys, s=[12 + 6 * n ** 0.5 * 4 for n in pts.values()], c=color,
                       marker=marker, alpha=0.75, label="%s: %d" % (name, sum(pts.values())),
                       edgecolors="white", linewidths=0.5, zorder=3)
            top = max(top, max(xs), max(ys))
    lo = 5
    ax.plot([lo, top * 1.3], [lo, top * 1.3], "--", color="0.5", linewidth=1, label="actual = "
            "planned", zorder=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ticks = [t for t in (5, 10, 20, 30, 60, 120, 300, 600, 1200) if t <= top * 1.3]
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_ticks(ticks, labels=[_short(t) for t in ticks])
        axis.set_minor_locator(_null())
    ax.set_xlim(lo, top * 1.3)
    ax.set_ylim(lo, top * 1.3)
    ax.set_title("Planned vs actual interval lengths")
    ax.set_xlabel("planned length")
    ax.set_ylabel("actual length")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    _save(fig, path)
    return ("Every timed interval of every session; bigger dots stand for more intervals. On "
            "the dashed line the interval ran as planned; below it, it was ended early; above "
            "it, extended. Lap steps have no planned length (%d not shown)." % laps)


def _null():
    from matplotlib.ticker import NullLocator

    return NullLocator()


def _short(sec):
    return "%ds" % sec if sec < 60 else "%dm" % (sec // 60)


@dated_only("Skip rate: work intervals ended early")
def skip_rate(sessions, path):
    """Share of work intervals skipped each week, with counts on the bars."""
    weeks = ss.by_week(sessions)
    rates, labels = [], []
    for w in weeks.values():
        works = [iv for s in w for iv in s["intervals"] if iv["kind"] == "work"]
        skipped = sum(1 for iv in works if iv["skipped"])
        rates.append(100 * skipped / len(works) if works else 0)
        labels.append("%d/%d" % (skipped, len(works)) if works else "")
    fig, ax = _figure()
    bars = ax.bar(range(len(weeks)), rates, color=BAD)
    ax.bar_label(bars, labels=labels, fontsize=7, padding=2)
    ax.set_ylim(0, max(20, max(rates, default=0) * 1.3))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Skip rate: work intervals ended early")
    ax.set_ylabel("% of work intervals")
    _week_axis(ax, list(weeks))
    _save(fig, path)
    return ("Share of work intervals ended early with the skip button each week (labels: "
            "skipped/all). Ending an interval early when form breaks down is right; a rising "
            "rate says the plan is too hard for now.")


def cue_accuracy(sessions, path):
    """Each session's worst cue onset error, as measured by the device's CueTimer."""
    order = [s for _, s in ss.dated(sessions)] + sorted(
        (s for s in sessions if ss.when(s) is None), key=lambda s: s["seq"])
    vals = [s.get("worst_onset_us") for s in order]
    known = [v for v in vals if v is not None]
    fig, ax = _figure()
    x = range(len(order))
    ax.bar(x, [v or 0 for v in vals], color="#3d6fa8")
    top = max(known, default=100) * 1.35
    for i, v in enumerate(vals):
        if v is None:
            ax.text(i, top * 0.02, "?", ha="center", va="bottom", fontsize=9, color="0.4")
    if known:
        worst = max(known)
        ax.axhline(worst, color=BAD, linewidth=1, linestyle="--")
        ax.text(len(order) - 0.5, worst, "worst %d \u00b5s" % worst, ha="right",
                va="bottom", fontsize=8, color=BAD)
    ax.set_ylim(0, top)
    ax.set_xticks(list(x))
    ax.set_xticklabels([_when_short(s) for s in order], rotation=90, fontsize=6)
    ax.set_title("Cue timing accuracy per session")
    ax.set_ylabel("worst onset error (\u00b5s)")
    _save(fig, path)
    return ("The device's own measurement: for each session, the latest any beep started "
            "after its planned time, in microseconds (1000 \u00b5s = 1 ms). '?' = not recorded. "
            "A soft timer behind a screen update would be up to 20,000 \u00b5s late "
            "(DESIGN.md platform facts).")


def _when_short(s):
    t = ss.when(s)
    return t.strftime("%b %d") if t else "#%d ?" % s["seq"]


# (file name, function): the report shows them in this order.
PLOTS = (
    ("sessions-per-week.png", sessions_per_week),
    ("work-rest-per-week.png", work_rest_per_week),
    ("rpe-trend.png", rpe_trend),
    ("planned-vs-actual.png", planned_vs_actual),
    ("skip-rate.png", skip_rate),
    ("cue-accuracy.png", cue_accuracy),
)
