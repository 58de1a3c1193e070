"""Plan commands: check, show, compile."""

import json
import os
import sys

from host_tools import fw
from host_tools.cli import CliError
from host_tools.plans import checks, coach, lang

table = fw.load("plan")
MAX_MESSAGES = 50  # per file: junk input gets this many errors, then a count of the rest


def print_diagnostics(path, diagnostics, file=None):
    """The first MAX_MESSAGES errors of a file, then '... N more' (to stderr by default)."""
    file = file or sys.stderr  # looked up now: a default bound at import outlives redirection
    for d in diagnostics[:MAX_MESSAGES]:
        print(d, file=file)
    more = len(diagnostics) - MAX_MESSAGES
    if more > 0:
        print("%s: ... %d more error%s" % (path, more, "" if more == 1 else "s"), file=file)


def register(sub):
    """Add check, show and compile to the command table."""
    p = sub.add_parser("check", help="check plan files and coaching rules; exit 1 on any error")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print per-plan figures as JSON")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 on coaching warnings too")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("show", help="show a plan's expanded timeline, totals and band")
    p.add_argument("file", metavar="FILE", help="a plan (.plan) or a compiled table (.bin)")
    p.add_argument("--source", action="store_true", help="print the plan as text")
    p.set_defaults(func=cmd_show)
    p = sub.add_parser("compile", help="compile a plan to a binary session table")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", metavar="OUT", help="default: FILE with .bin")
    p.set_defaults(func=cmd_compile)


def load_any(path):
    """A plan from text or from a compiled table; raises PlanSyntaxError or CliError."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise CliError("%s: cannot read: %s" % (path, e.strerror or e)) from None
    if path.endswith(".bin"):
        try:
            return table.decode(data)
        except table.PlanError as e:
            raise CliError("%s: not a valid session table: %s" % (path, e)) from None
    return lang.parse(data, path)


def cmd_check(args):
    """Check every file, report all errors and coaching warnings; exit 1 on an error."""
    results = []
    failed = warned = False
    for path in args.files:
        entry = {"file": path, "ok": True, "errors": [], "warnings": []}
        try:
            plan = load_any(path)
            entry.update(coach.summary(plan))
            entry["pairs"] = checks.pair_bands(plan)
            entry["warnings"] = [f._asdict() for f in checks.check_plan(plan)]
        except lang.PlanSyntaxError as e:
            entry["ok"] = False
            entry["errors"] = [d.as_dict() for d in e.diagnostics[:MAX_MESSAGES]]
            if len(e.diagnostics) > MAX_MESSAGES:
                entry["more_errors"] = len(e.diagnostics) - MAX_MESSAGES
            if not args.json:
                print_diagnostics(path, e.diagnostics)
        except CliError as e:
            entry["ok"] = False
            entry["errors"] = [{"file": path, "line": 0, "col": 0, "message": str(e)}]
            if not args.json:
                print(e, file=sys.stderr)
        failed |= not entry["ok"]
        results.append(entry)
        if entry["ok"] and not args.json:
            print("%s: ok: %s, %s, %s, %s %s" % (
                path, entry["title"], clock(entry["total_s"]), intervals(entry["intervals"]),
                entry["ratio"], entry["band"]))
            if len(entry["pairs"]) > 1:
                print("%s: pairs: %s" % (path, "; ".join(
                    "%ds/%ds %s %s" % (p["work_s"], p["rest_s"], p["ratio"], p["band"])
                    for p in entry["pairs"])))
            for f in entry["warnings"]:
                print(checks.format_finding(checks.Finding(**f), path))
        warned |= bool(entry["warnings"])
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    return 1 if failed or (args.strict and warned) else 0


def intervals(n):
    """'1 interval', '6 intervals'."""
    return "%d interval%s" % (n, "" if n == 1 else "s")


def clock(sec):
    """Seconds -> m:ss (or h:mm:ss), as the device's screen writes them."""
    return fw.load("ui").mmss(int(round(sec)))


def cmd_show(args):
    """Print the expanded timeline with clock times, totals, ratio and band."""
    from rich.console import Console
    from rich.table import Table as RichTable

    try:
        plan = load_any(args.file)
    except lang.PlanSyntaxError as e:
        print_diagnostics(args.file, e.diagnostics)
        raise CliError("%s has errors" % args.file) from None
    if args.source:
        sys.stdout.write(lang.to_text(plan))
        return 0
    s = coach.summary(plan)
    t = RichTable(title=plan["title"])
    for col in ("#", "start", "kind", "duration", "label", "round"):
        t.add_column(col, justify="right" if col in ("#", "start", "duration") else "left")
    at = 0
    open_before = False
    for i, (kind, dur, label, _opts, rep, reps) in enumerate(coach.expand(plan["steps"]), 1):
        start = ("+" if open_before else "") + clock(at)
        t.add_row(str(i), start, kind, lang.format_duration(dur), label,
                  "%d/%d" % (rep, reps) if reps else "")
        at += dur
        open_before |= dur == 0
    console = Console(width=max(100, Console().width))
    console.print(t)
    note = " (+ open lap steps)" if any(st[1] == 0 for st in coach.expand(plan["steps"])) else ""
    basis = " (timed pairs only)" if s.get("ratio_basis") == "timed pairs" else ""
    console.print("total %s%s, work %s, rest %s, %s, work:rest %s%s, band: %s" % (
        clock(s["total_s"]), note, clock(s["work_s"]), clock(s["rest_s"]),
        intervals(s["intervals"]), s["ratio"], basis, s["band"]))
    return 0


def cmd_compile(args):
    """Write the binary session table for a plan."""
    try:
        plan = load_any(args.file)
    except lang.PlanSyntaxError as e:
        print_diagnostics(args.file, e.diagnostics)
        return 1
    out = args.output or os.path.splitext(args.file)[0] + ".bin"
    data = table.encode(plan)
    with open(out, "wb") as f:
        f.write(data)
    print("%s: %d bytes (%d steps)" % (out, len(data), table.Table(data).step_count()))
    return 0
