"""`make demo`: the Beginner session in the simulator at high speed, driven by a button script."""

import ast
import os
import sys
import time

from host_tools import fw
from host_tools.plans import coach, lang
from host_tools.sim.simulator import Simulator

ROOT = fw.ROOT
BEGINNER = os.path.join(ROOT, "examples", "beginner.plan")
_ses = fw.load("session")
COUNTDOWN_S = _ses.Session.COUNTDOWN_S
FLAG_NAMES = ((_ses.F_SKIPPED, "skipped"), (_ses.F_PAUSED, "paused"),
              (_ses.F_EXTENDED, "extended"), (_ses.F_LAP, "lap"))


def mmss(us):
    """Signed m:ss.mmm of a microsecond offset."""
    sign = "-" if us < 0 else " "
    ms = abs(us) // 1000
    return "%s%02d:%02d.%03d" % (sign, ms // 60000, ms // 1000 % 60, ms % 1000)


class Show:
    """Terminal output: a rich Live view on a tty, plain lines otherwise."""

    def __init__(self, out, live):
        self.out = out
        self.live = None
        self.lines = []
        if live:
            from rich.console import Console
            from rich.live import Live

            self.console = Console(file=out)
            self.live = Live(console=self.console, refresh_per_second=12, transient=False)
            self.live.start()

    def log(self, line):
        if self.live:
            self.lines.append(line)
            self.live.console.print(line, highlight=False)
        else:
            print(line, file=self.out, flush=True)

    def screen(self, text, title):
        width = 128 if max((len(r) for r in text.splitlines()), default=0) > 64 else 64
        if self.live:
            from rich.panel import Panel

            self.live.update(Panel(text, title="OLED - " + title, width=width + 4))
        else:
            print("+" + "-" * width + "+  " + title, file=self.out)
            for row in text.splitlines():
                print("|" + row.ljust(width) + "|", file=self.out)
            print("+" + "-" * width + "+", file=self.out, flush=True)

    def stop(self):
        if self.live:
            self.live.stop()


class Script:
    """Button presses keyed to cues: start, laps, pause+resume, skip a rest, RPE 7."""

    def __init__(self, sim, show):
        self.sim = sim
        self.show = show
        self.counts = {}
        self.seq = 0
        self.t0 = None
        self.steps = [
            ("menu", lambda: self._frame(), [("press", "A", "start the Beginner session")]),
            ("work1", lambda: self.n("work") >= 1,
             [("press", "B", "lap tap"), ("press", "B", "lap tap"), ("press", "B", "lap tap")]),
            ("work2", lambda: self.n("work") >= 2,
             [("sleep", 0.1), ("press", "A", "pause"), ("screen", "paused"), ("sleep", 0.5),
              ("press", "A", "resume")]),
            ("rest3", lambda: self.n("rest") >= 3,
             [("sleep", 0.05), ("press", "C", "skip the rest of this interval")]),
            ("done", lambda: self.n("done") >= 1,
             [("sleep", 0.3), ("screen", "RPE"), ("redraw", "B", "RPE up"),
              ("redraw", "B", "RPE up"), ("redraw", "A", "save RPE 7")]),
        ]

    def _frame(self):
        return self.sim.frame()[0] > 0

    def n(self, name):
        return self.counts.get(name, 0)

    def poll_cues(self):
        if self.show.live:  # a live view follows every frame; plain output only key moments
            seq = self.sim.frame()[0]
            if seq != self.seq:
                self.seq = seq
                self.show.screen(self.sim.screen(compact=True), "live")
        for c in self.sim.cues():
            self.counts[c["name"]] = self.n(c["name"]) + 1
            if self.t0 is None:  # the 3-2-1 comes first: step 1 starts COUNTDOWN_S later
                self.t0 = c["planned_us"] + COUNTDOWN_S * 1000000
            base = self.t0
            self.show.log("cue %-5s planned %s  actual %s  late %+5d us"
                          % (c["name"], mmss(c["planned_us"] - base),
                             mmss(c["actual_us"] - base), c["late_us"]))

    def act(self, action):
        if action[0] == "sleep":
            end = time.monotonic() + action[1]
            while time.monotonic() < end:
                self.poll_cues()
                time.sleep(0.02)
        elif action[0] == "screen":
            self.show.screen(self.sim.screen(compact=True), action[1])
        else:
            self.show.log(">>> press %s: %s" % (action[1], action[2]))
            seq, before = self.sim.frame()
            self.sim.press(action[1])
            if action[0] == "redraw":  # the device has acted on it once the panel changes
                self.sim.wait_for(lambda: self.sim.frame()[0] > seq and
                                  self.sim.frame()[1] != before, 30,
                                  "the screen after pressing " + action[1])

    def run(self, timeout):
        end = time.monotonic() + timeout
        for name, cond, actions in self.steps:
            while not cond():
                self.poll_cues()
                if time.monotonic() > end:
                    raise RuntimeError("demo stuck waiting for %s" % name)
                time.sleep(0.02)
            if name != "menu":
                self.show.screen(self.sim.screen(compact=True), name)
            else:
                self.show.screen(self.sim.screen(compact=True), "menu")
            for a in actions:
                self.act(a)
        self.poll_cues()


LOG_CODE = """import store, logbook
for r in logbook.Logbook(store.Store('/')).records():
    print(repr(r))
"""


def print_log(show, records, steps):
    """The session log as the device stored it."""
    for r in records:
        show.log("session log #%d: plan hash %08x, end %s, RPE %d, paused %.1f s"
                 % (r["seq"], r["plan_hash"], "done" if r["end_reason"] == 0 else "early",
                    r["rpe"], r["paused_ms"] / 1000))
        for i, iv in enumerate(r["intervals"]):
            planned, actual, flags, laps = iv[:4]
            kind, _dur, label = steps[i] if i < len(steps) else ("?", 0, "")
            fl = ",".join(n for bit, n in FLAG_NAMES if flags & bit)
            show.log("  %2d %-8s %-22s planned %6.1f s  actual %6.1f s  %s%s"
                     % (i + 1, kind, label[:22], planned / 1000, actual / 1000, fl,
                        (" laps=%d" % laps) if laps else ""))


def sync_demo(sim, show):
    """Over the USB link: push the examples, pull the log into a temp DB, show `beeper logs`."""
    import tempfile

    from host_tools.link import client, sync
    from host_tools.logs.db import LogDB

    with client.Client(sim.port) as c:
        added, removed, same = sync.push(c, sync.compile_plans([os.path.join(ROOT,
                                                                             "examples")]))
        show.log("beeper push examples/: %d added, %d removed, %d unchanged (%d payload bytes, "
                 "%d on the wire)" % (len(added), len(removed), len(same), c.payload_out,
                                      c.t.wire_out))
        with tempfile.TemporaryDirectory(prefix="beeper-demo-") as d:
            with LogDB(os.path.join(d, "logs.sqlite")) as db:
                info, new, seen = sync.pull(c, db)
                show.log("beeper pull: device %s, %d session%s read, %d new, acknowledged"
                         % (info["device_id"], seen, "" if seen == 1 else "s", new))
                show.log("beeper logs:")
                for r in db.sessions():
                    show.log("  #%d  %s  %-26s %s  RPE %s  %d intervals" % (
                        r["seq"], r["date"] or "date unknown", r["plan_title"],
                        r["end_reason"], r["rpe"] or "-", len(r["intervals"])))


def run(speed=60, plan_path=BEGINNER, out=None, live=None, timeout=120):
    """Run the demo; returns an exit code (0 when the session was logged with RPE 7)."""
    out = out or sys.stdout
    if live is None:
        live = out.isatty() and not os.environ.get("CI")
    plan_mod = fw.load("plan")
    parsed = lang.load(plan_path)
    table = plan_mod.encode(parsed)
    steps = [st[:3] for st in coach.expand(parsed["steps"])]
    show = Show(out, live)
    t_start = time.monotonic()
    try:
        show.log("beeper demo: %s (%d steps) in the simulator at %gx speed"
                 % (parsed["title"], len(steps), speed))
        with Simulator(speed=speed) as sim:
            show.log("simulator on %s: booted and deployed in %.2f s (%d files, %d bytes)"
                     % (sim.port, sim.boot_s, len(sim.deploy_info["files"]),
                        sim.deploy_info["bytes"]))
            sim.wait_for(lambda: sim.frame()[0] > 0, 60, "the menu")  # not mid-import
            sim.exec("import store\nstore.Store('/').save_plans([%r])" % (table,), reset=True)
            show.log("plan set pushed (Store.save_plans on the device); soft reboot")
            Script(sim, show).run(timeout)
            sync_demo(sim, show)
            raw = sim.exec(LOG_CODE)
            records = [ast.literal_eval(line) for line in raw.splitlines() if line.strip()]
            print_log(show, records, steps)
            peak = sim.heap_peak()
        ok = bool(records) and records[-1]["rpe"] == 7
        show.log("demo %s in %.1f s wall time; peak heap above boot %.1f KB "
                 "(firmware bytecode + app data; `make bench` splits them)"
                 % ("finished" if ok else "FAILED", time.monotonic() - t_start, peak / 1024))
        return 0 if ok else 1
    finally:
        show.stop()
