"""Sync bench: push 100 plans and pull 1,000 sessions over the simulator's pty; link heap."""

import os
import subprocess
import sys
import tempfile
import time

from host_tools import fw
from host_tools.link import client, sync
from host_tools.logs.db import LogDB
from host_tools.sim.simulator import Simulator

N_PLANS = 100
N_SESSIONS = 1000
EFFICIENCY_TARGET = 0.7
SPEEDUP_TARGET = 3.0
HEAP_TARGET = 8 * 1024

# Runs on the device: N sessions written as log segments in one go (Logbook.append opens and
# closes a file per record: minutes for 1,000 on the simulated flash).
FILL = """
import logbook, os
ivs = [(20000, 19950, 0, 0, 1, 1)] * 14
try:
    os.mkdir('log')
except OSError:
    pass
seq = 1
while seq <= %d:
    f = open('log/%%010d.log' %% seq, 'wb')
    size = 0
    while seq <= %d and size < 3800:
        r = logbook.encode(seq, 7, 0, 0, 5, 0, ivs, boot_count=1, start_ticks_ms=seq,
                           strings=['Bench', 'Go'])
        f.write(r)
        size += len(r)
        seq += 1
    f.close()
"""


def _plans(d):
    for i in range(N_PLANS):
        with open(os.path.join(d, "p%03d.plan" % i), "w") as f:
            f.write("title: Bench plan %d\nwarmup 3m Warm-up\n6x\n  work %ds High knees\n"
                    "  rest 40s Walk\ncooldown 3m Stretch\n" % (i, 10 + i % 30))
    return sync.compile_plans([d])


def link_heap():
    """(resident, peak transient) bytes the link uses serving a pull, on real MicroPython."""
    mp = os.path.join(os.path.dirname(sys.executable), "micropython")
    out = subprocess.run([mp, "-X", "heapsize=4M", os.path.join(fw.ROOT, "host_tools", "bench",
                                                                  "mp_link.py"),
                          fw.ROOT, str(N_SESSIONS)], capture_output=True, text=True,
                         timeout=300, check=True).stdout.split()
    return int(out[0]), int(out[1])


def _time_commit(c):
    """Wrap c.request so the COMMIT round trip (the flash writes) is timed apart; [seconds]."""
    box = [0.0]
    request = c.request

    def timed(typ, *a, **kw):
        t0 = time.monotonic()
        try:
            return request(typ, *a, **kw)
        finally:
            if typ == client.link.T_COMMIT:
                box[0] += time.monotonic() - t0

    c.request = timed
    return box


def measure():
    """Every figure of the section as a dict."""
    r = {}
    with tempfile.TemporaryDirectory(prefix="beeper-bench-") as d:
        tables = _plans(d)
        blob = b"".join(len(t).to_bytes(2, "little") + t for _p, _t, t in tables)
        with Simulator(speed=1) as sim:
            sim.wait_for(lambda: sim.frame()[0] > 0, 60, "the menu")  # not mid-import
            sim.exec(FILL % (N_SESSIONS, N_SESSIONS), reset=True)
            with client.Client(sim.port, timeout=10) as c:
                c.info()
                w0, p0 = c.t.wire_out + c.t.wire_in, c.payload_out + c.payload_in
                commit = _time_commit(c)
                t0 = time.monotonic()
                c.push([t for _p, _t, t in tables])
                r["push_s"] = time.monotonic() - t0
                r["commit_s"] = commit[0]
                r["push_bytes"] = len(blob)
                r["push_eff"] = ((c.payload_out + c.payload_in - p0)
                                 / (c.t.wire_out + c.t.wire_in - w0))
                w0, p0 = c.t.wire_out + c.t.wire_in, c.payload_out + c.payload_in
                with LogDB(os.path.join(d, "bench.sqlite")) as db:
                    t0 = time.monotonic()
                    _info, new, _seen = sync.pull(c, db)
                    r["pull_s"] = time.monotonic() - t0
                r["pull_new"] = new
                r["pull_bytes"] = c.payload_in + c.payload_out - p0
                r["pull_eff"] = r["pull_bytes"] / (c.t.wire_out + c.t.wire_in - w0)
            path = os.path.join(d, "blob.bin")
            with open(path, "wb") as f:
                f.write(blob)
            t0 = time.monotonic()
            subprocess.run([sys.executable, "-m", "mpremote", "connect", sim.port, "resume",
                            "fs", "cp", path, ":bench.bin"], check=True, capture_output=True,
                           timeout=120)
            r["mpremote_s"] = time.monotonic() - t0
    r["heap_resident"], r["heap_peak"] = link_heap()
    return r


def rows():
    r = measure()
    speedup = r["mpremote_s"] / r["push_s"]
    heap = r["heap_resident"] + r["heap_peak"]
    return [
        ("sync", "push %d plans (%d B): time" % (N_PLANS, r["push_bytes"]),
         "%.2f s, %.1f KB/s payload" % (r["push_s"], r["push_bytes"] / r["push_s"] / 1024),
         ""),
        ("sync", "  of which COMMIT (the plan set written to the simulated flash)",
         "%.2f s" % r["commit_s"], "flash time, paid by fs cp too"),
        ("sync", "push payload/wire (both directions)", "%.2f" % r["push_eff"],
         ">= %.1f" % EFFICIENCY_TARGET),
        ("sync", "mpremote fs cp of the same bytes", "%.2f s (push %.1fx faster)"
         % (r["mpremote_s"], speedup), ">= %.0fx" % SPEEDUP_TARGET),
        ("sync", "pull %d sessions: time" % N_SESSIONS,
         "%.2f s, %d new, %.1f KB/s payload" % (r["pull_s"], r["pull_new"],
                                                r["pull_bytes"] / r["pull_s"] / 1024), ""),
        ("sync", "pull payload/wire (both directions)", "%.2f" % r["pull_eff"],
         ">= %.1f" % EFFICIENCY_TARGET),
        ("sync", "link heap during a pull (resident + peak per request)",
         "%d + %d = %.1f KB" % (r["heap_resident"], r["heap_peak"], heap / 1024),
         "< %d KB" % (HEAP_TARGET // 1024)),
    ]


if __name__ == "__main__":
    for row in rows():
        print(" | ".join(row))
