"""Benchmark rows for session tables: size, decode cost on MicroPython, check throughput."""

import json
import os
import subprocess
import sys
import tempfile
import time

from host_tools import fw
from host_tools.plans import coach, lang

table = fw.load("plan")
EXAMPLES = os.path.join(fw.ROOT, "examples")
BIN = os.path.dirname(sys.executable)


def _text_bytes(p):
    labels = {s[2] for s in coach.expand(p["steps"]) if s[2]}
    return len(p["title"].encode()) + sum(len(s.encode()) for s in labels)


def size_rows():
    """Bytes per table against minified JSON of the expanded step list."""
    rows = []
    for name in ("beginner", "intermediate", "advanced", "sprint-fly"):
        p = lang.load(os.path.join(EXAMPLES, name + ".plan"))
        data = table.encode(p)
        flat = [{"kind": s[0], "seconds": s[1], "label": s[2]} for s in coach.expand(p["steps"])]
        js = json.dumps({"title": p["title"], "steps": flat}, separators=(",", ":"))
        over = len(data) - _text_bytes(p)
        rows.append(("tables", "%s: table / JSON bytes" % name,
                     "%d / %d (%.1fx)" % (len(data), len(js), len(js) / len(data)),
                     ">= 8x" if name == "advanced" else ""))
        if name == "advanced":
            rows.append(("tables", "advanced: bytes beyond title+label text", str(over),
                         "<= 24"))
    return rows


def decode_rows():
    """Decode time and heap allocation per step on the MicroPython unix port."""
    p = lang.load(os.path.join(EXAMPLES, "advanced.plan"))
    hexdata = table.encode(p).hex()
    proc = subprocess.run([os.path.join(BIN, "micropython"), "-X", "heapsize=" + fw.PICO_HEAP,
                           os.path.join(fw.ROOT, "host_tools", "bench", "mp_decode.py"),
                           fw.ROOT, hexdata, "200"], capture_output=True, text=True, timeout=60)
    if proc.returncode:
        return [("tables", "MicroPython decode", "FAILED: " + proc.stderr.strip()[-200:], "")]
    steps, us, alloc, locked = (int(x) for x in proc.stdout.split())
    return [
        ("tables", "decode per step (unix port, us)", "%.2f" % (us / steps), "host figure"),
        ("tables", "heap bytes per decoded step (MicroPython)", "%.3f%s" % (
            alloc / steps, ", runs under heap_lock" if locked else ", FAILS under heap_lock"),
         "0"),
    ]


def check_rows(n=1000):
    """Wall time of one `beeper check` over n plan files."""
    srcs = [open(os.path.join(EXAMPLES, f)).read() for f in sorted(os.listdir(EXAMPLES))]
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i in range(n):
            path = os.path.join(d, "p%04d.plan" % i)
            with open(path, "w") as f:
                f.write(srcs[i % len(srcs)].replace("title: ", "title: %d " % i, 1))
            paths.append(path)
        t0 = time.perf_counter()
        proc = subprocess.run([os.path.join(BIN, "beeper"), "check", "--json"] + paths,
                              capture_output=True, text=True)
        dt = time.perf_counter() - t0
        ok = proc.returncode == 0 and len(json.loads(proc.stdout)) == n
    return [("tables", "beeper check, %d plans (one process, s)" % n,
             "%.2f%s" % (dt, "" if ok else " FAILED"), "< 1")]


def junk_rows(size=1 << 20):
    """Wall time of `beeper check` on 1 MB of random bytes (linear; messages capped)."""
    import random

    rnd = random.Random(11)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "junk.plan")
        with open(path, "wb") as f:
            f.write(bytes(rnd.getrandbits(8) for _ in range(size)))
        t0 = time.perf_counter()
        proc = subprocess.run([os.path.join(BIN, "beeper"), "check", path],
                              capture_output=True, text=True)
        dt = time.perf_counter() - t0
    lines = proc.stderr.count("\n")
    ok = proc.returncode == 1 and "Traceback" not in proc.stderr
    return [("tables", "beeper check, 1 MB of random bytes (s; stderr lines)",
             "%.2f; %d%s" % (dt, lines, "" if ok else " FAILED"), "< 1; <= 51")]


def rows():
    """All plan benchmark rows."""
    return size_rows() + decode_rows() + check_rows() + junk_rows()
