"""`beeper push|pull|logs|info|time|screenshot`: talk to a beeper over its USB link."""

import json
import sys
import time

from host_tools.cli import CliError


def _port_args(p):
    p.add_argument("--port", help="serial port (default: $BEEPER_PORT, else USB 2E8A)")
    p.add_argument("--timeout", type=float, default=3.0, help="seconds to wait per reply")


def _db_arg(p):
    p.add_argument("--db", help="SQLite log database (default: in the user data directory)")


def register(sub):
    """Add the sync subcommands."""
    p = sub.add_parser("push", help="check, compile and send plans; the set swaps atomically")
    p.add_argument("paths", nargs="+", metavar="FILE|DIR")
    _port_args(p)
    p.set_defaults(func=cmd_push)
    p = sub.add_parser("pull", help="copy unsynced logs into the database, then acknowledge")
    _port_args(p)
    _db_arg(p)
    p.set_defaults(func=cmd_pull)
    p = sub.add_parser("logs", help="list pulled sessions (or one in detail)")
    p.add_argument("seq", nargs="?", type=int, help="one session in detail")
    p.add_argument("--device", help="only this device id")
    p.add_argument("--json", action="store_true", help="print JSON")
    _db_arg(p)
    p.set_defaults(func=cmd_logs)
    p = sub.add_parser("info", help="what the beeper says about itself")
    p.add_argument("--json", action="store_true", help="print JSON")
    _port_args(p)
    p.set_defaults(func=cmd_info)
    p = sub.add_parser("time", help="set the beeper's clock to this computer's (UTC)")
    _port_args(p)
    _db_arg(p)
    p.set_defaults(func=cmd_time)
    p = sub.add_parser("screenshot", help="save the OLED as a PNG")
    p.add_argument("-o", "--output", default="screen.png", help="PNG file (default screen.png)")
    p.add_argument("--scale", type=int, default=4, help="pixels per panel pixel (default 4)")
    _port_args(p)
    p.set_defaults(func=cmd_screenshot)


def connect(args):
    """A Client on the chosen port; link errors become CliError."""
    from host_tools.link import client, transport

    try:
        port = transport.find_port(args.port)
        return client.Client(port, timeout=args.timeout)
    except transport.LinkError as e:
        raise CliError(str(e)) from None


def _run(args, fn):
    """fn(client) with every link failure reported as one line."""
    from host_tools.link import transport

    c = connect(args)
    try:
        return fn(c)
    except transport.LinkError as e:
        raise CliError(str(e)) from None
    finally:
        c.close()


def open_db(path):
    from host_tools.logs import db

    try:
        return db.LogDB(path)
    except (ValueError, OSError) as e:
        raise CliError("log database: %s" % e) from None


def _progress(label):
    """A rich progress bar on stderr; returns (context, callback(done, total))."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    prog = Progress(TextColumn(label), BarColumn(), DownloadColumn(),
                    console=Console(file=sys.stderr), transient=True)
    task = prog.add_task(label, total=None)

    def cb(done, total):
        prog.update(task, completed=done, total=total)

    return prog, cb


def cmd_push(args):
    from host_tools.link import sync

    try:
        tables = sync.compile_plans(args.paths)
    except sync.PlanFilesError as e:
        for line in e.lines:
            print(line, file=sys.stderr)
        raise CliError("nothing sent: fix the plans above") from None

    def go(c):
        prog, cb = _progress("push")
        with prog:
            return sync.push(c, tables, cb)

    added, removed, unchanged = _run(args, go)
    print("pushed %d plans: %d added, %d removed, %d unchanged"
          % (len(tables), len(added), len(removed), len(unchanged)))
    for name, titles in (("added", added), ("removed", removed)):
        for t in titles:
            print("  %s: %s" % (name, t))
    return 0


def cmd_pull(args):
    from host_tools.link import sync

    db = open_db(args.db)
    try:
        def go(c):
            prog, cb = _progress("pull")
            with prog:
                return sync.pull(c, db, cb)

        info, new, seen = _run(args, go)
    finally:
        db.close()
    print("device %s: %d session%s read, %d new, stored in %s"
          % (info["device_id"], seen, "" if seen == 1 else "s", new, db.path))
    return 0


def _clock(sec):
    m, s = divmod(int(round(sec)), 60)
    return "%d:%02d" % (m, s)


def cmd_logs(args):
    db = open_db(args.db)
    try:
        rows = db.sessions(device=args.device)
    finally:
        db.close()
    if args.seq is not None:
        rows = [r for r in rows if r["seq"] == args.seq]
        if not rows:
            raise CliError("no session #%d in %s" % (args.seq, db.path))
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    if args.seq is not None:
        for r in rows:
            _detail(r)
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(title="%d sessions" % len(rows))
    for col in ("device", "#", "date", "plan", "time", "end", "RPE"):
        t.add_column(col)
    for r in rows:
        date = r["date"] or "date unknown"
        if r["date_source"] == "sync":
            date += " (sync)"
        t.add_row(r["device_id"][-6:], str(r["seq"]), date, r["plan_title"],
                  _clock(sum(i["actual_s"] for i in r["intervals"])), r["end_reason"],
                  str(r["rpe"] or "-"))
    Console().print(t)
    return 0


def _detail(r):
    print("session #%d on %s: %s" % (r["seq"], r["device_id"], r["plan_title"]))
    print("  date: %s (%s)" % (r["date"] or "unknown", r["date_source"]))
    print("  end: %s, RPE %s, paused %.1f s, worst cue onset %s" % (
        r["end_reason"], r["rpe"] or "-", r["paused_s"],
        "%d us" % r["worst_onset_us"] if r["worst_onset_us"] is not None else "unknown"))
    for i in r["intervals"]:
        flags = [n for n in ("skipped", "paused", "extended") if i[n]]
        planned = "lap" if i["planned_s"] is None else "%.1fs" % i["planned_s"]
        extra = (" laps %d" % i["laps"] if i["laps"] else "") + (
            " reps %d" % i["reps"] if i["reps"] else "")
        print("  %2d %-8s %-18s %7s -> %6.1fs%s %s" % (i["idx"] + 1, i["kind"], i["label"],
                                                   planned, i["actual_s"], extra,
                                                   " ".join(flags)))


def cmd_info(args):
    info = _run(args, lambda c: c.info())
    if args.json:
        json.dump(info, sys.stdout, indent=2)
        print()
        return 0
    from host_tools.logs.db import iso

    print("beeper %s on %s (%s), firmware %s, link protocol %d" % (
        info["device_id"], args.port or "auto", info["board"], info["firmware"],
        info["protocol"]))
    print("plans %d, unsynced logs %d, free flash %d KB%s" % (
        info["plans"], info["unsynced"], info["free_bytes"] // 1024,
        " (FULL)" if info["full"] else ""))
    print("boot %d, clock %s%s%s" % (info["boot_count"], iso(info["time_s"]),
                                     "" if info["rtc_set"] else " (not set this boot)",
                                     ", session running" if info["running"] else ""))
    return 0


def cmd_time(args):
    db = open_db(args.db)
    try:
        def go(c):
            info = c.info()
            sent, t, boot, ticks = c.set_time()
            db.add_sync(info["device_id"], boot, ticks, sent)
            return t

        t = _run(args, go)
    finally:
        db.close()
    from host_tools.logs.db import iso

    print("clock set: %s (this computer: %s)" % (iso(t), iso(int(time.time()))))
    return 0


def cmd_screenshot(args):
    from host_tools.link import png

    if not 1 <= args.scale <= 16:
        raise CliError("--scale must be 1..16")
    buf = _run(args, lambda c: c.screen())
    try:
        with open(args.output, "wb") as f:
            f.write(png.panel_png(buf, args.scale))
    except OSError as e:
        raise CliError("%s: %s" % (args.output, e.strerror or e)) from None
    print("saved %s (%dx%d)" % (args.output, 128 * args.scale, 64 * args.scale))
    return 0
