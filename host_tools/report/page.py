"""Write the report: index.html with its PNG plots, one self-contained offline folder."""

import datetime as dt
import html
import os
import statistics

from host_tools import fw
from host_tools.report import history_checks, plots
from host_tools.report import sessions as ss

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1600px;padding:0 1rem;color:#222;background:#fafafa}
h1{margin-bottom:.2rem}.sub{color:#666;margin-top:0}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.5rem}.card span{color:#666;font-size:.85rem}
.warn{background:#fff6e5;border-left:4px solid #e0a100;padding:.5rem 1rem;margin:.4rem 0}
.warn .src{color:#666;font-size:.85rem}.ok{background:#eef7ee;border-left:4px solid #4f9d69;
padding:.5rem 1rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:1rem}
figure{background:#fff;border:1px solid #ddd;border-radius:8px;margin:0;padding:.5rem}
figure img{width:100%;height:auto}figcaption{color:#444;font-size:.9rem;padding:.3rem}
table{border-collapse:collapse;background:#fff;font-size:.9rem}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}th{background:#f0f0f0}
td.n{text-align:right}
"""


def write_report(sessions, out_dir, today=None):
    """Render sessions into out_dir/index.html and its PNGs; returns (path, findings)."""
    os.makedirs(out_dir, exist_ok=True)
    findings = history_checks.check_history(sessions, today)
    figures = []
    for name, plot in plots.PLOTS:
        caption = plot(sessions, os.path.join(out_dir, name))
        figures.append((name, caption))
    path = os.path.join(out_dir, "index.html")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page(sessions, findings, figures))
    return path, findings


def _clock(sec):
    return fw.load("ui").mmss(int(round(sec)))


def cards(sessions):
    """The headline figures: (value, what it is)."""
    ds = ss.dated(sessions)
    rpes = [s["rpe"] for s in sessions if s.get("rpe")]
    works = [iv for s in sessions for iv in s["intervals"] if iv["kind"] == "work"]
    onsets = [s["worst_onset_us"] for s in sessions if s.get("worst_onset_us") is not None]
    span = "%s to %s" % (ds[0][0].date(), ds[-1][0].date()) if ds else "dates unknown"
    return [
        (str(len(sessions)), "sessions (%s)" % span),
        (str(len(ss.weeks(sessions))), "weeks"),
        (_clock(sum(ss.work_s(s) for s in sessions)), "work time (h:mm:ss)"),
        ("%.1f" % statistics.mean(rpes) if rpes else "-", "mean RPE"),
        ("%.0f%%" % (100 * sum(iv["skipped"] for iv in works) / len(works)) if works else "-",
         "work intervals skipped"),
        ("%d \u00b5s" % max(onsets) if onsets else "-", "worst cue onset error"),
    ]


def page(sessions, findings, figures):
    """The HTML text of the report."""
    e = html.escape
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width,initial-scale=1'>",
           "<title>Interval beeper: training report</title><style>%s</style></head><body>" % CSS,
           "<h1>Training report</h1><p class='sub'>Interval beeper logs, written %s. "
           "Works offline: this folder holds the page and its images.</p>"
           % dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "<div class='cards'>"]
    out += ["<div class='card'><b>%s</b><span>%s</span></div>" % (e(v), e(k))
            for v, k in cards(sessions)]
    out.append("</div><h2>Coaching checks</h2>")
    if findings:
        out += ["<div class='warn'><b>%s</b>: %s<div class='src'>Rule: %s. Source: %s</div>"
                "</div>" % (e(f.rule), e(f.message), e(history_checks.RULES[f.rule].text),
                            e(f.source)) for f in findings]
    else:
        out.append("<p class='ok'>No warnings: the history follows every rule checked (%s)."
                   "</p>" % e(", ".join(history_checks.RULES)))
    undated = sum(1 for s in sessions if ss.when(s) is None)
    out.append("<h2>Plots</h2>")
    if undated:
        out.append("<p>%d session(s) have no known date (the device clock was not set that "
                   "boot); weekly plots leave them out.</p>" % undated)
    out.append("<div class='grid'>")
    out += ["<figure><img src='%s' alt='%s'><figcaption>%s</figcaption></figure>"
            % (e(name), e(name[:-4].replace("-", " ")), e(caption)) for name, caption in figures]
    out.append("</div><h2>Sessions</h2><table><tr><th>date (UTC)</th><th>plan</th>"
               "<th>end</th><th>work</th><th>rest</th><th>skipped</th><th>RPE</th>"
               "<th>worst onset</th></tr>")
    rows = ss.dated(sessions)[::-1] + [(None, s) for s in sessions if ss.when(s) is None]
    for t, s in rows:
        out.append("<tr><td>%s</td><td>%s</td><td>%s</td><td class='n'>%s</td>"
                   "<td class='n'>%s</td><td class='n'>%d</td><td class='n'>%s</td>"
                   "<td class='n'>%s</td></tr>" % (
                       t.strftime("%Y-%m-%d %H:%M") if t else "unknown (#%d)" % s["seq"],
                       e(s["plan_title"]), e(s["end_reason"]), _clock(ss.work_s(s)),
                       _clock(ss.rest_s(s)), sum(iv["skipped"] for iv in s["intervals"]),
                       s.get("rpe") or "-",
                       "-" if s.get("worst_onset_us") is None
                       else "%d \u00b5s" % s["worst_onset_us"]))
    out.append("</table></body></html>\n")
    return "\n".join(out)
