"""Benchmark rows for the cue engine: onset error under display/flash load, hard vs soft."""

import os
import random
import subprocess
import sys

from host_tools import fw
from host_tools.bench.stats import spread

plan = fw.load("plan")
buzzer = fw.load("buzzer")
cuetimer = fw.load("cuetimer")
session = fw.load("session")
machine = fw.load("machine")
vclock = fw.load("vclock")
pico = fw.load_board("pico")

BIN = os.path.dirname(sys.executable)
SHOW_US = 25000  # full SSD1306 show() on 400 kHz I2C
SHOW_EVERY_US = 200000  # about 5 frames a second, +-10 %
FLASH_US = 40000  # a log write (sector erase + program)
FLASH_MEAN_GAP_US = 2000000
LOOP_US = 5000  # idle main-loop pass
STEPS = [("warmup", 60, "", 0), ("repeat", 30, [("work", 20, "", 1), ("rest", 10, "", 0)]),
         ("cooldown", 60, "", 0)]


def _table():
    return plan.Table(plan.encode({"title": "bench", "flags": 0, "steps": STEPS}))


def simulate(hard, display=True, flash=True, stall=False, gated=False, seed=1):
    """Run one session under load; returns every cue's onset error in us."""
    clock = vclock.VirtualClock((1 << 30) - 60000000)  # ticks_us wraps in the first minute
    clock.jitter(seed)
    machine.set_clock(clock)
    pwm = machine.PWM(machine.Pin(15), freq=1000, duty_u16=0)
    edge = cuetimer.CueTimer(machine.Timer(-1), buzzer.Buzzer(pwm), clock, pico.CUE_LEAD_US,
                             hard=hard, log_n=64)
    s = session.Session(_table(), clock, edge)
    rnd = random.Random(seed)
    errs = []
    seen = 0
    next_show = clock.now_us
    next_flash = clock.now_us + int(rnd.expovariate(1 / FLASH_MEAN_GAP_US))
    s.start()
    while not (s.state == session.S_DONE and edge.free() and not edge.busy()):
        s.poll()
        while seen < edge.n_onsets:
            errs.append(edge.onset_error_us(seen))
            seen += 1
        if display and clock.now_us >= next_show:
            clock.busy_us(SHOW_US)
            next_show += SHOW_EVERY_US + rnd.randint(-20000, 20000)  # not phase-locked to cues
        if flash and clock.now_us >= next_flash and (not gated or s.quiet_ms() > 60):
            if stall:
                clock.stall_us(FLASH_US)  # flash program/erase: interrupts off too
            else:
                clock.busy_us(FLASH_US)
            next_flash = clock.now_us + int(rnd.expovariate(1 / FLASH_MEAN_GAP_US))
        clock.sleep_us(LOOP_US)
    return errs


def _pooled(hard, seeds, **kw):
    errs = []
    for seed in seeds:
        errs += simulate(hard, seed=seed, **kw)
    return errs


def onset_rows(seeds=(1, 2, 3, 4)):
    """p50/p99/max onset error, hard vs soft callbacks, under display + flash load."""
    rows = []
    for load, kw in (("display", {"flash": False}), ("display+flash", {})):
        hard = _pooled(True, seeds, **kw)
        soft = _pooled(False, seeds, **kw)
        late = sum(1 for e in soft if e > 1000)
        rows.append(("cues", "onset min/p50/p99/max us, hard, %s (%d cues; modelled, no "
                     "bytecode meter)" % (load, len(hard)), spread(hard), "|err| < 1000"))
        rows.append(("cues", "onset min/p50/p99/max us, soft, %s (%d%% > 1 ms; modelled)" % (
            load, 100 * late // len(soft)), spread(soft), "(comparison)"))
    naive = simulate(True, display=False, stall=True)
    gated = simulate(True, display=False, stall=True, gated=True)
    rows.append(("cues", "hard, flash with IRQs off, writes anywhere: max us", str(max(naive)),
                 "(why quiet_ms)"))
    rows.append(("cues", "hard, flash with IRQs off, writes when quiet_ms() > 60: max us",
                 str(max(gated)), "< 1000"))
    return rows


_MP_POLL = """
import sys, gc, time
sys.path[:0] = [ROOT + '/host_tools/sim/fakes', ROOT + '/firmware', ROOT + '/boards']
import machine, vclock, plan, buzzer, cuetimer, session, pico
ck = vclock.VirtualClock(0)
machine.set_clock(ck)
pwm = machine.PWM(machine.Pin(15), freq=1000, duty_u16=0)
edge = cuetimer.CueTimer(machine.Timer(-1), buzzer.Buzzer(pwm), ck, pico.CUE_LEAD_US)
tab = plan.Table(plan.encode({'title': 't', 'flags': 0, 'steps': [('work', 600, '', 0)]}))
s = session.Session(tab, ck, edge)
s.start()
ck.sleep_ms(5000)
gc.collect()
t0 = time.ticks_us()
a0 = gc.mem_alloc()
for i in range(20000):
    s.poll()
a1 = gc.mem_alloc()
dt = time.ticks_diff(time.ticks_us(), t0)
print(dt, a1 - a0)
"""


def poll_rows():
    """poll() cost and heap use on the MicroPython unix port (a host figure, not a Pico's)."""
    code = "ROOT = %r\n" % fw.ROOT + _MP_POLL
    proc = subprocess.run([os.path.join(BIN, "micropython"), "-X", "heapsize=" + fw.PICO_HEAP,
                           "-c", code],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode:
        return [("cues", "poll() on MicroPython", "FAILED: " + proc.stderr.strip()[-200:], "")]
    us, alloc = (int(x) for x in proc.stdout.split())
    return [("cues", "poll() per call, running step (unix port, us)", "%.2f" % (us / 20000),
             "host figure"),
            ("cues", "poll() heap bytes per call (MicroPython)", "%.3f" % (alloc / 20000), "0")]


def rows():
    """All cue benchmark rows."""
    return onset_rows() + poll_rows()


if __name__ == "__main__":
    for r in rows():
        print(r)
