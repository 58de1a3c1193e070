"""Report command: an offline HTML training report with plots and history coaching checks."""

import os
import sqlite3

from host_tools.cli import CliError
from host_tools.logs.db import default_path
from host_tools.plans import checks


def register(sub):
    """Add report to the command table."""
    p = sub.add_parser("report", help="write an offline HTML report: plots and coaching checks")
    p.add_argument("-o", "--output", metavar="DIR", default="beeper-report",
                   help="folder for index.html and its PNGs (default: ./beeper-report)")
    p.add_argument("--db", metavar="PATH", help="log store (default: %s)" % default_path())
    p.add_argument("--sample", action="store_true",
                   help="report on a generated 8-week history instead of the log store")
    p.add_argument("--strict", action="store_true", help="exit 1 when a coaching check warns")
    p.set_defaults(func=cmd_report)


def load_sessions(path):
    """Session dicts from the log store at path; [] when it does not exist yet."""
    if not os.path.exists(path):
        return []
    from host_tools.logs.db import LogDB

    try:
        with LogDB(path) as db:
            return db.sessions()
    except (ValueError, sqlite3.DatabaseError) as e:
        raise CliError("%s: not a readable log store: %s" % (path, e)) from None


def cmd_report(args):
    """Write the report; an empty log store is said so, not an error."""
    from host_tools.report import history, page

    if args.sample:
        source, sessions = "generated 8-week sample", history.generate()
    else:
        source = args.db or default_path()
        sessions = load_sessions(source)
    if not sessions:
        print("%s: no sessions logged yet, nothing to report (pull logs from the device "
              "first)" % source)
        return 0
    path, findings = page.write_report(sessions, args.output)
    print("%s: %d sessions from %s" % (path, len(sessions), source))
    for f in findings:
        print(checks.format_finding(f))
    return 1 if args.strict and findings else 0
