"""Fault bench: power-cut walks (cut points, records lost) and boot recovery with a full log.

Everything runs on the MicroPython unix port (real LittleFS v2 on the fake NOR flash), not on
a Pico: recovery times are unix-port wall clock, a lower bound for an RP2040 at 125 MHz.
"""

import os
import re
import subprocess
import sys

from host_tools import fw

MICROPYTHON = os.path.join(os.path.dirname(sys.executable), "micropython")
PATHS = ["host_tools/sim/fakes", "firmware", "boards", "tests/mp", "build/mplib"]

WALK = """
import test_power_cuts as t
for name in sorted(dir(t)):
    if name.startswith('test_'):
        getattr(t, name)()
"""

# A Pico-sized log (1.4 MB of 4 KB blocks) filled with 250-interval sessions (few big records:
# each append's free-space check walks the whole filesystem) until full, six synced and pruned,
# a session left open by a dead battery, then one boot timed: mount, store, boot count, logbook
# scan (torn-tail check of every segment's last record), recovery of the open session.
BOOT = """
import time, vfs, gc
import store, logbook, checkpoint
from flashdev import FlashDevice
from cutwalk import Sess
dev = FlashDevice(350, 4096)
vfs.VfsLfs2.mkfs(dev)
vfs.mount(vfs.VfsLfs2(dev), '/f')
st = store.Store('/f')
lb = logbook.Logbook(st)
n = 0
while True:
    try:
        lb.append(Sess(250, n), 1, 1700000000 + n, 5)
    except store.FlashFull:
        break
    n += 1
lb.ack(6)  # the host synced the oldest: room for the open session's record
lb.compact()
assert checkpoint.Checkpoints(lb).save(Sess(12, 1), 2, 1)
vfs.umount('/f')
r0 = dev.reads
gc.collect()
t0 = time.ticks_us()
vfs.mount(vfs.VfsLfs2(dev), '/f')
st = store.Store('/f')
st.count_boot()
lb = logbook.Logbook(st)
seq = checkpoint.Checkpoints(lb).recover(logbook.END_POWER_LOSS)
t1 = time.ticks_us()
print('@@BOOT', n, len(lb._segs), seq, time.ticks_diff(t1, t0), dev.reads - r0)
"""


def _mp(code, heap):
    script = "import sys\nsys.path[:0] = %r\n" % [os.path.join(fw.ROOT, p) for p in PATHS]
    proc = subprocess.run([MICROPYTHON, "-X", "heapsize=" + heap, "-c", script + code],
                          capture_output=True, text=True, timeout=600, cwd=fw.ROOT)
    return proc.stdout + proc.stderr


def rows():
    """(section, metric, value, target) rows."""
    out = _mp(WALK, "324K")
    reps = re.findall(r"@@REPORT power-cut (\S+): (\d+)/(\d+) cut points walked \((\d+) runs"
                      r".*?records checked (\d+), records lost (\d+), plan sets mixed (\d+)",
                      out)
    if not reps:
        raise RuntimeError("power-cut walk failed:\n" + out[-1500:])
    for name, pts, total, runs, checked, lost, mixed in reps:
        yield ("faults", "power cut: %s (%s ops, %s runs with tears)" % (name, total, runs),
               "%s cut points, %s records checked, %s lost, %s mixed" % (pts, checked, lost,
                                                                          mixed),
               "0 lost, 0 mixed")
    out = _mp(BOOT, "6M")
    m = re.search(r"@@BOOT (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if not m:
        raise RuntimeError("boot bench failed:\n" + out[-1500:])
    recs, segs, seq, us, reads = (int(x) for x in m.groups())
    yield ("faults", "boot with a full 1.4 MB log (%d records, %d segments) + open session "
           "recovered (unix port wall clock)" % (recs, segs),
           "%.1f ms, %d block reads" % (us / 1000.0, reads), "recovered seq %d" % seq)
