"""Heap bench: the Advanced session in the simulator on a Pico-sized heap; peak live app heap."""

import os
import time

from host_tools import fw
from host_tools.plans import lang
from host_tools.sim.simulator import Simulator

ADVANCED = os.path.join(fw.ROOT, "examples", "advanced.plan")
HEAP = fw.PICO_HEAP
TARGET_KB = 32
SPEED = 120


def run_session(plan_path=ADVANCED, speed=SPEED, heap=HEAP, timeout=90):
    """Run one whole session (start, wait for done, save RPE); returns a result dict."""
    plan_mod = fw.load("plan")
    table = plan_mod.encode(lang.load(plan_path))
    t0 = time.monotonic()
    with Simulator(speed=speed, heap=heap) as sim:
        # the app up first: a Ctrl-C landing mid-import left the raw paste hanging under load
        sim.wait_for(lambda: sim.frame()[0] > 0, 60, "the menu")
        sim.exec("import store\nstore.Store('/').save_plans([%r])" % (table,), reset=True)
        sim.wait_for(lambda: sim.frame()[0] > 0, 30, "the menu")
        sim.press("A")
        cues = []
        end = time.monotonic() + timeout
        while not any(c["name"] == "done" for c in cues):
            cues.extend(sim.cues())
            if time.monotonic() > end:
                raise TimeoutError("session did not finish; output:\n" + sim.output()[-2000:])
            time.sleep(0.05)
        sim.press("A")  # save the log with the default RPE
        time.sleep(0.5)
        log = sim.exec("import store, logbook\n"
                       "print(len(list(logbook.Logbook(store.Store('/')).records())))")
        info = sim.exec("import gc, micropython\ngc.collect()\nmicropython.mem_info()")
        out = sim.output()
        return {"cues": cues, "heap_peak": sim.heap_peak(), "heap_first": sim.heap_first(),
                "output": out,
                "memory_error": "MemoryError" in out, "records": int(log.strip() or 0),
                "max_late_us": max(c["late_us"] for c in cues), "wall_s": time.monotonic() - t0,
                "max_free": largest_free_block(info),
                "alive": sim.alive()}


def largest_free_block(mem_info):
    """Bytes of the largest free heap block in micropython.mem_info() output (unix port)."""
    import re

    m = re.search(r"max free sz: (\d+)", mem_info)
    # A GC block is 4 machine words: 32 bytes on the 64-bit unix port (16 on a Pico).
    return int(m.group(1)) * 32 if m else -1


def code_resident():
    """Heap bytes the firmware's .mpy files take once imported (bytecode lives in RAM)."""
    import subprocess
    import sys

    from host_tools.device import deploy

    files = deploy.build("sim")
    build_dir = os.path.dirname([local for dest, local in files if dest == "app.mpy"][0])
    mods = [dest[:-4].replace("/", ".") for dest, _ in files
            if dest.endswith(".mpy") and not dest.endswith("__init__.mpy") and dest != "board.mpy"]
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "micropython"),
                           "-X", "heapsize=" + HEAP,
                           os.path.join(fw.ROOT, "host_tools", "bench", "mp_code.py"),
                           fw.ROOT, build_dir] + mods, capture_output=True, text=True, timeout=60)
    if proc.returncode:
        raise RuntimeError(proc.stderr.strip()[-300:])
    return int(proc.stdout.split()[-1])


def _median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else 0


def rows():
    """(section, metric, value, target) rows for `make bench`."""
    r = run_session()
    kb = r["heap_peak"] / 1024
    code = code_resident()
    return [
        ("heap", "Advanced session under -X heapsize=%s: MemoryError" % HEAP,
         "yes" if r["memory_error"] else "no", "no"),
        ("heap", "peak live app heap (code + data above boot, sampled after gc)",
         "%.1f KB" % kb, "-"),
        ("heap", "  of which at the first loop pass (modules + app objects)",
         "%.1f KB" % (r["heap_first"] / 1024), "-"),
        ("heap", "  of which firmware + driver bytecode resident (.mpy imports)",
         "%.1f KB" % (code / 1024), "-"),
        ("heap", "  of which app data at peak (peak - bytecode)",
         "%.1f KB" % ((r["heap_peak"] - code) / 1024), "<= %d KB" % TARGET_KB),
        ("heap", "  growth while the session ran", "%.1f KB" % ((r["heap_peak"] - r["heap_first"])
                                                            / 1024), "-"),
        ("heap", "cues played in the sim; lateness p50 / max (us)",
         "%d; %d / %d" % (len(r["cues"]), _median([c["late_us"] for c in r["cues"]]),
                          r["max_late_us"]),
         "not a firmware figure: paced at %dx, 1 ms of host scheduling = %d ms" % (
             SPEED, SPEED)),
        ("heap", "largest free block after the whole session (gc'd, unix port)",
         "%.1f KB" % (r["max_free"] / 1024), ">= 8 KB"),
        ("heap", "session logged", "yes" if r["records"] else "no", "yes"),
        ("heap", "wall time at %dx" % SPEED, "%.1f s" % r["wall_s"], "-"),
    ]


if __name__ == "__main__":
    for row in rows():
        print("%-6s %-66s %12s  (target %s)" % row)
