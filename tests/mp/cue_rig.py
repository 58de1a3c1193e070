"""Test rig for the cue engine: a plan, a virtual clock, the fake PWM/Timer and a Session."""
import buzzer
import cuetimer
import machine
import pico
import plan
import session
import timeline
import vclock

# Onset budget for the scheduler tests: every tone edge within this of its planned time, early
# or late. The cost model (rp2model.py) without the CPython bytecode meter leaves the firmware's
# lead ~30 us early; test_onset_model.py pins the metered model far tighter.
BUDGET_US = 50
T1_MS = session.Session.COUNTDOWN_S * 1000 + session.Session.START_LEAD_MS  # step 1, from start
STEP1_US = T1_MS * 1000


def near(a, b):
    """True if times a and b (us) are within the onset budget."""
    return -BUDGET_US <= a - b <= BUDGET_US


def near_tone(got, exp):
    """True if a (start, end, freq) tone matches the expected one within the budget."""
    return got[2] == exp[2] and near(got[0], exp[0]) and (
        got[1] == exp[1] or (got[1] >= 0 and exp[1] >= 0 and near(got[1], exp[1])))


def on_time(errors):
    """True if there are onsets and every onset error is inside the budget."""
    return len(errors) > 0 and -BUDGET_US <= min(errors) and max(errors) <= BUDGET_US


def table(steps, flags=0, title="t"):
    """Encode a plan (steps as in plan.encode) into a Table."""
    return plan.Table(plan.encode({"title": title, "flags": flags, "steps": steps}))


class Rig:
    """Clock + fake hardware + CueTimer + Session, and an idle main loop."""

    def __init__(self, tab, start_us=0, hard=True, log_n=64, lead_us=pico.CUE_LEAD_US):
        self.clock = vclock.VirtualClock(start_us)
        self.t_start = start_us  # tests start the session at once: start() reads this time
        machine.set_clock(self.clock)
        self.pwm = machine.PWM(machine.Pin(15), freq=1000, duty_u16=0)
        self.pwm.clear_events()
        self.timer = machine.Timer(-1)
        self.edge = cuetimer.CueTimer(self.timer, buzzer.Buzzer(self.pwm), self.clock, lead_us,
                                      hard=hard, log_n=log_n)
        self.s = session.Session(tab, self.clock, self.edge)
        self.seen = 0  # onsets already collected from the edge's ring
        self.errors = []  # onset error (us) of every cue, in order
        self.ev = 0
        self.events = []  # every PWM change (t_us, freq, duty), drained from the fake's ring
        self.keep = True  # False: check tones against self.expect on the fly, keep nothing
        self.expect = None  # iterator of expected (start, end, freq) tones
        self.n_tones = 0
        self.mismatch = None  # first (got, expected) that differed
        self._start = -1
        self._tf = 0

    def collect(self):
        """Move new onsets from the CueTimer ring into self.errors."""
        e = self.edge
        while self.seen < e.n_onsets:
            assert e.n_onsets - self.seen <= e.log_n, "onset ring overran"
            self.errors.append(e.onset_error_us(self.seen))
            self.seen += 1
        if self.pwm.changes > 256:
            self.drain()

    def drain(self):
        """Move the fake PWM's recorded changes into self.events (or check them as tones)."""
        if self.keep:
            self.events.extend(self.pwm.events())
        else:
            for t, f, d in self.pwm.events():
                self._stream(t, f, d)
        self.pwm.clear_events()

    def stream_check(self, tab, t0_us):
        """Check every tone against the plan's cues from session start t0_us, storing nothing."""
        self.keep = False
        self.expect = _expected_iter(tab, t0_us)

    def _stream(self, t, f, d):
        if self._start >= 0 and (d == 0 or f != self._tf):
            got = (self._start, t, self._tf)
            exp = next(self.expect, None)
            if (exp is None or not near_tone(got, exp)) and self.mismatch is None:
                self.mismatch = (self.n_tones, got, exp)
            self.n_tones += 1
            self._start = -1
        if d > 0 and f > 0 and self._start < 0:
            self._start = t
            self._tf = f

    def run_to(self, t_us, step_ms=10):
        """Main loop until just before absolute time t_us, then exactly to it (no poll)."""
        if t_us - self.clock.now_us > 2 * step_ms * 1000:
            self.run((t_us - self.clock.now_us) // 1000 - step_ms, step_ms)
        self.clock.sleep_us(t_us - self.clock.now_us)

    def run(self, ms, step_ms=10, block=None):
        """Main loop for ms of virtual time: poll, optional block(rig), sleep step_ms."""
        end = self.clock.now_us + ms * 1000
        while self.clock.now_us < end:
            self.ev |= self.s.poll()
            if block is not None:
                block(self)
            self.collect()
            if self.s.state == session.S_DONE and self.edge.free() and not self.edge.busy():
                break
            self.clock.sleep_ms(step_ms)
        self.collect()
        self.drain()


    def run_blocking(self, ms, blocks=(25000, 40000), lead_us=1000):
        """Main loop that blocks (clock.busy_us) lead_us before every cue, cycling blocks."""
        ck = self.clock
        s = self.s
        end = ck.now_us + ms * 1000
        k = 0
        while ck.now_us < end:
            self.ev |= s.poll()
            self.collect()
            if s.state == session.S_DONE and self.edge.free() and not self.edge.busy():
                break
            u = s.until_cue_us()
            if u < 0 or u > lead_us + 500:
                ck.sleep_us(10000 if u < 0 else min(u - lead_us, 10000))
            elif u > 0:
                ck.busy_us(blocks[k % len(blocks)])  # an I2C show() or a flash write
                k += 1
            else:
                ck.sleep_ms(1)
        self.collect()
        self.drain()
        return k


def tones(events):
    """[(start_us, end_us, freq)] of the finished sounding spans in PWM events."""
    return [span for span in machine.tone_spans(events) if span[1] >= 0]


def expected_tones(cue_list, t0_us):
    """[(start_us, end_us, freq)] the buzzer should play for [(cue, abs_off_ms)] from t0_us."""
    out = []
    for cue, off in cue_list:
        t = t0_us + off * 1000
        for f, on, gap in buzzer.PATTERNS[cue]:
            out.append((t, t + on * 1000, f))
            t += (on + gap) * 1000
    return out


def _expected_iter(tab, t0_us):
    tl = timeline.Timeline(plan.Cursor(tab), 3)
    while True:
        if not tl.next():
            if tl.waiting:
                tl.skip_step()
                continue
            return
        t = t0_us + tl.off_ms * 1000
        for f, on, gap in buzzer.PATTERNS[tl.cue]:
            yield (t, t + on * 1000, f)
            t += (on + gap) * 1000


def planned_cues(tab, countdown_s=3):
    """[(cue, off_ms)] of a whole session (lap steps counted as 0 ms)."""
    tl = timeline.Timeline(plan.Cursor(tab), countdown_s)
    out = []
    while True:
        if not tl.next():
            if tl.waiting:
                tl.skip_step()
                continue
            return out
        out.append((tl.cue, tl.off_ms))


