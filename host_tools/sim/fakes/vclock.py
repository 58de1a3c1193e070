"""Virtual microsecond clock with MicroPython's time API and a fake-Timer dispatcher."""
# Runs on CPython and MicroPython. The dispatch path (ticks_*, _run_to, timer firing) allocates
# nothing, so a hard callback may call it under micropython.heap_lock().

try:
    import utime as _rt  # MicroPython: the built-in, even if a time.py shadows `time`
except ImportError:
    import time as _rt

_HAS_TICKS = hasattr(_rt, "ticks_us")

try:  # CPython: the registry holds Timers weakly, so an unreferenced Timer dies at a collection
    from weakref import ref as _weak  # as on rp2, whose Timer finaliser cancels its alarm
except ImportError:  # MicroPython has no weakref (and the unix port runs no user finalisers)
    _weak = None

TICKS_PERIOD = 1 << 30
TICKS_MAX = TICKS_PERIOD - 1
TICKS_HALF = TICKS_PERIOD >> 1
EPOCH_2021 = 1609459200  # 2021-01-01 00:00:00: the RP2040 RTC's value after every boot


import rp2model  # noqa: E402 - the fakes dir is on sys.path (both interpreters)


class WatchdogReset(Exception):
    """Raised out of the clock when a started WDT was not fed in time (the device resets)."""


def _real_us():
    """Real monotonic microseconds (wrapping on MicroPython; use _real_diff)."""
    if _HAS_TICKS:
        return _rt.ticks_us()
    return _rt.monotonic_ns() // 1000


def _real_diff(a, b):
    """Real-time difference a - b in us."""
    if _HAS_TICKS:
        return _rt.ticks_diff(a, b)
    return a - b


def _days_from_civil(y, m, d):
    """Days since 1970-01-01 (proleptic Gregorian)."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


class VirtualClock:
    """Virtual time: `now_us` is absolute and unwrapped; ticks_* wrap like MicroPython's rp2."""

    TICKS_PERIOD = TICKS_PERIOD

    def __init__(self, start_us=0, board=None):
        self.now_us = start_us
        self.board = board if board is not None else rp2model.Board()  # costs: rp2model.py
        self.debt_ns = 0  # bytecode time charged by opmeter.py (CPython), paid at clock reads
        self.start_us = start_us
        self._timers = []
        self._depth = 0  # >0 while a callback runs: clock moves then only bump now_us
        self._busy_end = start_us  # VM blocked (long C call) until here: soft callbacks wait
        self._stall_end = start_us  # interrupts off (flash erase) until here: all callbacks wait
        self._pace = 0  # virtual us per 1000 real us; 0 = not paced
        self._anchor_v = 0
        self._anchor_r = 0
        self._last_r = 0
        self._acc_r = 0
        self._epoch_s = EPOCH_2021
        self._epoch_at = start_us
        self.wdt = None
        self.wdt_resets = 0
        self.wdt_reset_us = -1
        self.fired = 0  # callbacks dispatched so far

    # --- MicroPython time API -------------------------------------------------------------
    def ticks_us(self):
        """Wrapping microsecond ticks."""
        if self.debt_ns:
            self.pay()
        if self._pace and not self._depth:
            self._sync()
        return self.now_us & TICKS_MAX

    def ticks_ms(self):
        """Wrapping millisecond ticks."""
        if self.debt_ns:
            self.pay()
        if self._pace and not self._depth:
            self._sync()
        return (self.now_us // 1000) & TICKS_MAX

    def ticks_cpu(self):
        """Same as ticks_us (the fake has no cycle counter)."""
        return self.ticks_us()

    def ticks_add(self, t, delta):
        """(t + delta) wrapped; OverflowError if |delta| >= PERIOD/2, as MicroPython."""
        if delta <= -TICKS_HALF or delta >= TICKS_HALF:
            raise OverflowError("ticks interval overflow")
        return (t + delta) & TICKS_MAX

    def ticks_diff(self, a, b):
        """Signed, wrap-safe a - b."""
        return ((a - b + TICKS_HALF) & TICKS_MAX) - TICKS_HALF

    def sleep_us(self, n):
        """Idle for n us: due callbacks run (really sleeps n/speed in paced mode)."""
        if self.debt_ns:
            self.pay()
        if n > 0:
            self._move(self.now_us + n)

    def sleep_ms(self, n):
        """Idle for n ms."""
        if self.debt_ns:
            self.pay()
        if n > 0:
            self._move(self.now_us + n * 1000)

    def sleep(self, s):
        """Idle for s seconds (int or float)."""
        self.sleep_us(int(s * 1000000))

    # --- epoch time (RTC) -----------------------------------------------------------------
    def set_epoch(self, seconds):
        """Set the wall clock: time() returns `seconds` now (default 2021-01-01 at start)."""
        self._epoch_s = int(seconds)
        self._epoch_at = self.now_us

    def time(self):
        """Epoch seconds (Unix epoch, like the unix port)."""
        return self._epoch_s + (self.now_us - self._epoch_at) // 1000000

    def time_ns(self):
        """Epoch nanoseconds."""
        return self._epoch_s * 1000000000 + (self.now_us - self._epoch_at) * 1000

    def gmtime(self, secs=None):
        """(year, month, mday, hour, minute, second, weekday 0=Mon, yearday) like MicroPython."""
        if secs is None:
            secs = self.time()
        days, rem = divmod(int(secs), 86400)
        z = days + 719468
        era = (z if z >= 0 else z - 146096) // 146097
        doe = z - era * 146097
        yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
        mp = (5 * doy + 2) // 153
        d = doy - (153 * mp + 2) // 5 + 1
        m = mp + (3 if mp < 10 else -9)
        y = yoe + era * 400 + (m <= 2)
        yday = days - _days_from_civil(y, 1, 1) + 1
        return (y, m, d, rem // 3600, rem // 60 % 60, rem % 60, (days + 3) % 7, yday)

    localtime = gmtime

    def mktime(self, t):
        """Inverse of localtime (first six fields used)."""
        return _days_from_civil(t[0], t[1], t[2]) * 86400 + t[3] * 3600 + t[4] * 60 + t[5]

    # --- test / simulator control ---------------------------------------------------------
    def advance_us(self, n):
        """Move time forward n us (idle), firing due callbacks in time order."""
        self.advance_to_us(self.now_us + n)

    def advance_ms(self, n):
        """Move time forward n ms."""
        self.advance_to_us(self.now_us + n * 1000)

    def advance_to_us(self, t):
        """Move to absolute time t (no-op if already past), firing due callbacks."""
        if self.debt_ns:
            self.pay()
        if self._depth:
            if t > self.now_us:
                self.now_us = t
            return
        self._run_to(t)
        if self._pace:
            self._rebase()

    def busy_us(self, n):
        """Main loop stuck in a C call for n us: hard callbacks on time, soft ones after it."""
        if self.debt_ns:
            self.pay()
        if n <= 0:
            return
        end = self.now_us + n
        if self._depth:
            self.now_us = end
            return
        if end > self._busy_end:
            self._busy_end = end
        self._move(end)

    def stall_us(self, n):
        """Interrupts and XIP off for n us (flash erase/program): every callback waits."""
        if n > 0 and not self._depth and self.now_us + n > self._stall_end:
            self._stall_end = self.now_us + n
        self.busy_us(n)

    def pay(self):
        """Turn metered bytecode time (debt_ns) into elapsed time; callbacks due meanwhile run."""
        d = self.debt_ns // 1000
        if d:
            self.debt_ns -= d * 1000
            self.spend_us(d)

    def spend_us(self, n):
        """Time taken by running code (e.g. Timer.init); inside a callback it only bumps now."""
        if self._depth:
            self.now_us += n
        else:
            self._move(self.now_us + n)

    def jitter(self, seed=None):
        """Seeded draws from the board's measured cost distributions; None = medians."""
        self.board.seed(seed)

    def set_pace(self, speed):
        """Make virtual time follow real time * speed (0 or None stops pacing)."""
        self._pace = int(speed * 1000) if speed else 0
        self._rebase()

    def next_due_us(self):
        """Absolute time the next callback will run, or -1 if none is armed."""
        t = self._next()
        return -1 if t is None else self._nt

    def pending(self):
        """Number of armed timers."""
        n = 0
        for it in self._timers:
            tm = it() if _weak is not None else it
            if tm is not None and tm._armed:
                n += 1
        return n

    # --- registry used by the fake machine module -----------------------------------------
    def register(self, timer):
        """Add a timer (allocates; done once when the Timer is built)."""
        if _weak is None:
            if timer not in self._timers:
                self._timers.append(timer)
            return
        self._timers = [r for r in self._timers if r() is not None and r() is not timer]
        self._timers.append(_weak(timer))

    def unregister(self, timer):
        """Remove a timer from the registry."""
        if _weak is None:
            if timer in self._timers:
                self._timers.remove(timer)
            return
        self._timers = [r for r in self._timers if r() is not None and r() is not timer]

    def soft_reset(self):
        """The VM restarted (rp2 soft reset): every soft timer is cancelled; the WDT runs on."""
        for it in self._timers:
            tm = it() if _weak is not None else it
            if tm is not None:
                tm._armed = False
        self._timers = []
        self._depth = 0

    def draw_latency(self, hard):
        """Alarm -> callback latency in us for the next arming (no allocation)."""
        return self.board.entry_us(hard)

    def watch(self, wdt):
        """Attach a started watchdog (machine.WDT); the clock raises WatchdogReset on expiry."""
        self.wdt = wdt

    # --- internals ------------------------------------------------------------------------
    def _run_at(self, tm):
        """When an armed timer's callback will start, given busy/stall windows."""
        base = tm._alarm
        if tm._hard:
            if base < self._stall_end:
                base = self._stall_end
        elif base < self._busy_end:
            base = self._busy_end
        return base + tm._lat

    def _next(self):
        """Earliest armed timer (run time in self._nt), or None."""
        best = None
        bt = 0
        for it in self._timers:
            tm = it() if _weak is not None else it
            if tm is not None and tm._armed:
                t = self._run_at(tm)
                if best is None or t < bt:
                    best = tm
                    bt = t
        self._nt = bt
        return best

    def _run_to(self, target):
        """Fire every callback due at or before target in time order, then sit at target."""
        while True:
            tm = self._next()
            if tm is None or self._nt > target:
                break
            if self._nt > self.now_us:
                self._check_wdt(self._nt)
                self.now_us = self._nt
            self._fire(tm)
        self._check_wdt(target)
        if target > self.now_us:
            self.now_us = target

    def _fire(self, tm):
        """Run one timer callback (re-arming periodic ones from their deadline first)."""
        if tm._periodic:
            tm._alarm += tm._delta
            tm._lat = self.draw_latency(tm._hard)
        else:
            tm._armed = False
        self.fired += 1
        cb = tm._cb
        if cb is not None:
            self._depth += 1
            try:
                cb(tm)
            finally:
                self._depth -= 1
            _drain_scheduled()

    def _check_wdt(self, t):
        """Raise WatchdogReset if the watchdog expires at or before t."""
        w = self.wdt
        if w is not None and t > w.deadline_us:
            self.now_us = w.deadline_us
            self.wdt = None
            self.wdt_resets += 1
            self.wdt_reset_us = w.deadline_us
            w.expired = True
            raise WatchdogReset("watchdog expired at %d us" % w.deadline_us)

    def _move(self, end):
        """Advance to end: instantly, or in paced mode really sleeping in slices."""
        if self._depth:
            if end > self.now_us:
                self.now_us = end
            return
        if not self._pace:
            self._run_to(end)
            return
        while self.now_us < end:
            stop = end
            if self._next() is not None and self._nt < stop:
                stop = self._nt
            wait = (stop - self.now_us) * 1000 // self._pace
            if wait > 0:
                if _HAS_TICKS:
                    _rt.sleep_us(wait)
                else:
                    _rt.sleep(wait / 1000000)
            self._sync()
            self._run_to(stop if stop > self.now_us else self.now_us)

    def _sync(self):
        """Paced mode: bring virtual time up to anchor + real elapsed * speed (never back)."""
        r = _real_us()
        self._acc_r += _real_diff(r, self._last_r)
        self._last_r = r
        v = self._anchor_v + self._acc_r * self._pace // 1000
        if v > self.now_us:
            self._run_to(v)

    def _rebase(self):
        """Restart pacing from the current virtual and real time."""
        self._anchor_v = self.now_us
        self._last_r = _real_us()
        self._acc_r = 0


def _drain_scheduled():
    """CPython: run micropython.schedule()d functions after a callback, as MicroPython would."""
    if _run_sched is not None:
        _run_sched()


try:
    import micropython as _mp

    _run_sched = getattr(_mp, "run_scheduled", None)
except ImportError:
    _run_sched = None
