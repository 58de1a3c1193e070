"""Export commands: session logs to CSV/JSON/FIT, plans to FIT workouts, FIT workouts back."""

import datetime
import os
import sqlite3
import sys

from host_tools.cli import CliError
from host_tools.export import ExportError
from host_tools.logs.db import default_path

FORMATS = ("csv", "json", "fit")


def register(sub):
    """Add export, export-plan and import to the command table."""
    p = sub.add_parser("export", help="export pulled session logs as CSV, JSON or FIT")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--since", metavar="DATE", type=_date,
                   help="only sessions on or after DATE (YYYY-MM-DD, UTC)")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="csv/json: file (default stdout); fit: directory (default .)")
    p.add_argument("--db", metavar="PATH", default=None,
                   help="log database (default: %s)" % default_path())
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("export-plan", help="export a plan as a FIT workout")
    p.add_argument("file", metavar="FILE", help="a plan (.plan) or compiled table (.bin)")
    p.add_argument("--format", choices=("fit",), default="fit")
    p.add_argument("-o", "--output", metavar="OUT", help="default: FILE with .fit")
    p.set_defaults(func=cmd_export_plan)
    p = sub.add_parser("import", help="read a FIT workout into the plan language")
    p.add_argument("file", metavar="FILE.fit")
    p.add_argument("-o", "--output", metavar="OUT", help="write the plan here (default stdout)")
    p.set_defaults(func=cmd_import)


def _date(text):
    """--since: an ISO date (YYYY-MM-DD) -> the same text, checked."""
    import argparse

    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a date (write YYYY-MM-DD)" % text)


def load_sessions(db_path, since=None):
    """Session dicts from the log store at db_path (CliError when it is missing)."""
    if not os.path.exists(db_path):
        raise CliError("no log database at %s (pull logs from the device first, or pass --db)"
                       % db_path)
    from host_tools.logs.db import LogDB

    try:
        with LogDB(db_path) as db:
            return db.sessions(since=since)
    except (ValueError, sqlite3.DatabaseError) as e:
        raise CliError("%s: not a readable log store: %s" % (db_path, e)) from None


def cmd_export(args):
    """Write the sessions in the chosen format."""
    sessions = load_sessions(args.db or default_path(), args.since)
    try:
        if args.format == "fit":
            n = _write_fit(sessions, args.output or ".")
        else:
            n = _write_text(sessions, args.format, args.output)
    except ExportError as e:
        raise CliError(str(e)) from None
    where = args.output or ("." if args.format == "fit" else "stdout")
    print("exported %d session%s (%s) to %s" % (n, "" if n == 1 else "s", args.format, where),
          file=sys.stderr)
    return 0


def _write_text(sessions, fmt, path):
    from host_tools.export import csvout, jsonout

    mod = csvout if fmt == "csv" else jsonout
    if path is None:
        mod.write(sessions, sys.stdout)
        return len(sessions)
    tmp = path + ".tmp"
    try:  # a failed export never leaves half a file where the old one was
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            mod.write(sessions, f)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return len(sessions)


def _write_fit(sessions, out_dir):
    from host_tools.export import fit_activity

    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise CliError("%s is a file; FIT export writes one file per session into a directory"
                       % out_dir)
    os.makedirs(out_dir, exist_ok=True)
    unknown = 0
    for s in sessions:
        path = os.path.join(out_dir, fit_activity.file_name(s))
        with open(path, "wb") as f:
            f.write(fit_activity.activity_bytes(s))
        unknown += not s.get("date")
    if unknown:
        print("%d session%s without a known date are dated 1989-12-31 (the FIT epoch)"
              % (unknown, "" if unknown == 1 else "s"), file=sys.stderr)
    return len(sessions)


def cmd_export_plan(args):
    """Write a plan as a FIT workout file."""
    from host_tools.commands.plan import load_any
    from host_tools.export import fit_workout
    from host_tools.plans import lang

    try:
        plan = load_any(args.file)
    except lang.PlanSyntaxError as e:
        raise CliError("%s has errors:\n%s" % (args.file, e)) from None
    out = args.output or os.path.splitext(args.file)[0] + ".fit"
    data = fit_workout.plan_to_fit(plan)
    with open(out, "wb") as f:
        f.write(data)
    print("%s: %d bytes" % (out, len(data)))
    return 0


def cmd_import(args):
    """Print (or write) a FIT workout as plan text."""
    from host_tools.export import fit_workout
    from host_tools.plans import lang

    def note(msg):
        print("%s: note: %s" % (args.file, msg), file=sys.stderr)

    try:
        plan = fit_workout.fit_to_plan(args.file, note)
    except ExportError as e:
        raise CliError(str(e)) from None
    text = lang.to_text(plan)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
        print("%s: %s" % (args.output, plan["title"]), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
