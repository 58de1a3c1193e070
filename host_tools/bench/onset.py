"""Cue onsets at the PWM write in the rp2 cost model (CPython: measured costs + bytecode meter)."""

import os

from host_tools import fw
from host_tools.bench.stats import pct, spread

buzzer = fw.load("buzzer")
cuetimer = fw.load("cuetimer")
machine = fw.load("machine")
plan = fw.load("plan")
rp2model = fw.load("rp2model")
session = fw.load("session")
timeline = fw.load("timeline")
vclock = fw.load("vclock")
opmeter = fw.load("opmeter")
pico = fw.load_board("pico")

V1 = os.path.join(fw.ROOT, "host_tools", "bench", "cuetimer_v1.py")
LOOP_MS = 10  # the app's idle main-loop period
# Warm-up, 6 x (20 s work with halfway / 10 s rest), cool-down: every kind of edge.
STEPS = [("warmup", 20, "", 0), ("repeat", 6, [("work", 20, "", 1), ("rest", 10, "", 0)]),
         ("cooldown", 10, "", 0)]


def _expected(tab, t0_us):
    """Planned tone edges from step 1 at t0_us: [(kind, t_us)], kind first/later/off."""
    tl = timeline.Timeline(plan.Cursor(tab), session.Session.COUNTDOWN_S)
    out = []
    while tl.next():
        t = t0_us + tl.off_ms * 1000
        for i, (_f, on, gap) in enumerate(buzzer.PATTERNS[tl.cue]):
            out.append(("first" if i == 0 else "later", t))
            out.append(("off", t + on * 1000))
            t += (on + gap) * 1000
    return out


def _edges(events):
    """PWM duty writes that start or stop a tone: [t_us], in order."""
    out = []
    sounding = False
    for t, _f, d in events:
        if (d > 0) != sounding:
            sounding = d > 0
            out.append(t)
    return out


def run(board, lead_us=pico.CUE_LEAD_US, v1=False, start_lead_ms=None, steps=STEPS,
        meter=True):
    """One session on `board`; {kind: [error us]} for first/later/off edges, ring, first cue."""
    clock = vclock.VirtualClock((1 << 30) - 20000000, board=board)  # ticks_us wraps early on
    machine.set_clock(clock)
    pwm = machine.PWM(machine.Pin(pico.BUZZER_PIN), freq=2000, duty_u16=0)
    pwm.clear_events()
    if v1:
        mod = fw.load_file("cuetimer_v1", V1)
        edge = mod.CueTimer(machine.Timer(-1), buzzer.Buzzer(pwm), clock, log_n=256)
    else:
        edge = cuetimer.CueTimer(machine.Timer(-1), buzzer.Buzzer(pwm), clock, lead_us,
                                 log_n=256)
    tab = plan.Table(plan.encode({"title": "onset", "flags": 0, "steps": steps}))
    s = session.Session(tab, clock, edge)
    if start_lead_ms is not None:
        s.START_LEAD_MS = start_lead_ms
    roots = [fw.FIRMWARE] + ([V1] if v1 else [])
    events = []
    with (opmeter.OpMeter(clock, roots) if meter else _Null()):
        s.start()
        # Step 1's planned start as absolute virtual time (start() read the clock after its
        # own bytecode began: the plan's frame is the session's base, not the press).
        t0 = clock.now_us + clock.ticks_diff(s._base_us, clock.now_us & vclock.TICKS_MAX)
        while not (s.state == session.S_DONE and edge.free() and not edge.busy()):
            s.poll()
            if pwm.changes > 512:
                events += pwm.events()
                pwm.clear_events()
            clock.sleep_ms(LOOP_MS)
    events += pwm.events()
    exp = _expected(tab, t0)
    got = _edges(events)
    assert len(got) == len(exp), (len(got), len(exp))
    out = {"first": [], "later": [], "off": [], "ring": [], "count": []}
    for (kind, t), g in zip(exp, got, strict=True):
        out[kind].append(g - t)
    out["ring"] = [edge.onset_error_us(k) for k in range(edge.n_onsets)]
    out["count"] = [out["first"][0]]  # the session's first cue: the "3" of the countdown
    return out


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def rows(seeds=(1, 2, 3)):
    """Bench rows: onset error at the PWM write per board model, and the model's validation."""
    out = []
    for b in rp2model.boards():
        pooled = {"first": [], "later": [], "off": []}
        for seed in seeds:
            b.seed(seed)
            r = run(b)
            for k in pooled:
                pooled[k] += r[k]
        out.append(("onset", "cue onset at PWM write, min/p50/p99/max us, %s (modelled)" % b.name,
                    spread(pooled["first"]), "|err| <= 30"))
        out.append(("onset", "  tone-off / later tones, p50/max us, %s (modelled)" % b.name,
                    "%d/%d ; %d/%d" % (pct(pooled["off"], 50), max(pooled["off"]),
                                       pct(pooled["later"], 50), max(pooled["later"])), ""))
    b = rp2model.Board()
    b.seed(1)
    first = run(b)["count"][0]
    out.append(("onset", "first countdown cue (armed on the timer), us (modelled)", str(first),
                "|err| <= 30"))
    b.seed(1)
    off = run(b, lead_us=0)["first"]
    out.append(("onset", "compensation removed: onset p50 us (modelled)",
                str(pct(off, 50)), "(fails the budget)"))
    # Validation: the pre-change firmware in the same model, beside what rp2 measured of it.
    b.seed(1)
    v1 = run(b, v1=True, start_lead_ms=0)
    for key, what, measured in (
            ("first", "onset at PWM write", "92 / 96 / 96"),
            ("ring", "CueTimer ring (ticks_us before the write)", "28-30 / 31-36 / 36"),
            ("off", "tone-off edges", "87-91 / 97 / 98"),
            ("later", "later tones in a pattern", "100-105 / 113-117 / 117")):
        vals = v1[key][1:] if key in ("first", "ring") else v1[key]  # the count cue apart
        out.append(("model", "old firmware %s p50/p99/max us: model vs rp2" % what,
                    "%d / %d / %d" % (pct(vals, 50), pct(vals, 99), max(vals)), measured))
    out.append(("model", "old firmware first countdown cue (played by load()), us",
                "%d" % v1["count"][0], "1,995-3,416 (rp2)"))
    return out
