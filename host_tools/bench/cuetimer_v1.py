"""CueTimer as it was measured on rp2 (rp2-timing.md): the bench validates the cost model on it."""
# Frozen copy of firmware/cuetimer.py before the onset rework (commit 543fe45); not deployed.
from array import array

import buzzer

try:
    from machine import disable_irq, enable_irq
except ImportError:  # unix port without the fakes: no IRQs to mask
    disable_irq = None
    enable_irq = None


class CueTimer:
    """Plays a loaded cue pattern from its absolute ticks_us deadline, edge by edge, in an IRQ.

    The callback only compares preallocated deadlines, switches the PWM and re-arms: no
    allocation, no floats, no printing, no I2C or flash. The main loop calls load() ahead.
    """

    ARM_US = 49  # Timer.init() cost on rp2 (measured in rp2040js); calibrate on silicon
    HARD_LATENCY_US = 15  # alarm -> hard callback entry (measured 12-18 us)
    SOFT_LATENCY_US = 40  # alarm -> soft callback while the VM runs bytecode (35-50 us)
    EARLY_US = 100  # an edge due this soon is done now: re-arming would land ~65 us late

    def __init__(self, timer, buzzer, clock, hard=True, log_n=32, patterns=buzzer.PATTERNS):
        self.timer = timer
        self.buzzer = buzzer
        self.patterns = patterns  # cue code -> (freq, on_ms, off_ms) tuples
        self.clock = clock
        self.hard = hard
        self._mode = timer.ONE_SHOT
        self._isr_ref = self._isr  # one bound method, made once: the IRQ must not allocate it
        self._cur = None  # pattern now sounding (tuple of (freq, on_ms, off_ms))
        self._i = 0  # element of _cur
        self._on = False
        self._edge_t = 0  # ticks_us of _cur's next edge
        self._pend = None  # loaded cue not yet started
        self._pend_t = 0  # its deadline (ticks_us)
        self._pend_cue = 0  # its cue code
        self._armed = False
        self._arm_t = 0  # the deadline the timer is armed for
        self.log_n = log_n
        self.planned = array("l", [0] * log_n)  # ring of onsets: planned deadline (ticks_us)
        self.actual = array("l", [0] * log_n)  # ... and ticks_us when the tone started
        self.cue = array("b", [0] * log_n)  # ... and which cue it was
        self.n_onsets = 0
        self.max_late_us = 0

    def latency_us(self):
        """Alarm-to-callback latency the arm period compensates for."""
        return self.HARD_LATENCY_US if self.hard else self.SOFT_LATENCY_US

    def load(self, deadline_us, cue):
        """Hand the next cue (a code in cues) to the edge; it sounds at deadline_us (ticks_us)."""
        st = disable_irq() if disable_irq else 0
        try:
            self._pend_t = deadline_us
            self._pend_cue = cue
            self._pend = self.patterns[cue]
            self._kick()
        finally:
            if enable_irq:
                enable_irq(st)

    def cancel(self):
        """Drop a loaded cue that has not started; True if one was dropped."""
        st = disable_irq() if disable_irq else 0
        dropped = self._pend is not None
        self._pend = None
        if enable_irq:
            enable_irq(st)
        return dropped

    def stop(self):
        """Drop the loaded cue and silence the one sounding; True if a loaded cue was dropped."""
        st = disable_irq() if disable_irq else 0
        try:
            dropped = self._pend is not None
            self._pend = None
            self._cur = None
            self._on = False
            self.buzzer.off()
            if self._armed:
                self.timer.deinit()
                self._armed = False
        finally:
            if enable_irq:
                enable_irq(st)
        return dropped

    def free(self):
        """True when the load slot is empty (the last loaded cue has started)."""
        return self._pend is None

    def busy(self):
        """True while a pattern is sounding."""
        return self._cur is not None

    def onset_error_us(self, k):
        """Onset error (actual - planned, us) of the k-th onset ever, if still in the ring."""
        j = k % self.log_n
        return self.clock.ticks_diff(self.actual[j], self.planned[j])

    def _kick(self):
        # Called with IRQs off: do a due edge now, else make sure the timer wakes in time.
        ck = self.clock
        due = self._due()
        if due is None:
            return
        if ck.ticks_diff(due, ck.ticks_us()) <= self.EARLY_US:
            self._isr(None)
        elif not self._armed or ck.ticks_diff(due, self._arm_t) < 0:
            self._arm(due)

    def _due(self):
        # The next edge: the loaded cue preempts the sounding pattern when it is due first.
        if self._pend is not None and (
                self._cur is None or self.clock.ticks_diff(self._pend_t, self._edge_t) <= 0):
            return self._pend_t
        if self._cur is not None:
            return self._edge_t
        return None

    def _arm(self, due):
        ck = self.clock
        period = ck.ticks_diff(due, ck.ticks_us()) - self.ARM_US - (
            self.HARD_LATENCY_US if self.hard else self.SOFT_LATENCY_US)
        if period < 1:
            period = 1
        self._armed = True
        self._arm_t = due
        self.timer.init(mode=self._mode, period=period, tick_hz=1_000_000,
                        callback=self._isr_ref, hard=self.hard)

    def _isr(self, t):
        # IRQ context (hard=True): ints and preallocated slots only; see the class docstring.
        ck = self.clock
        self._armed = False
        while True:
            now = ck.ticks_us()
            pend = self._pend
            cur = self._cur
            if pend is not None and (
                    cur is None or ck.ticks_diff(self._pend_t, self._edge_t) <= 0):
                due = self._pend_t
                if ck.ticks_diff(due, now) > self.EARLY_US:
                    self._arm(due)
                    return
                self._pend = None
                self._cur = pend
                self._i = 0
                el = pend[0]
                self.buzzer.on(el[0])
                self._on = True
                self._edge_t = ck.ticks_add(due, el[1] * 1000)
                k = self.n_onsets % self.log_n
                self.planned[k] = due
                self.actual[k] = now
                self.cue[k] = self._pend_cue
                self.n_onsets += 1
                late = ck.ticks_diff(now, due)
                if late > self.max_late_us:
                    self.max_late_us = late
            elif cur is not None:
                due = self._edge_t
                if ck.ticks_diff(due, now) > self.EARLY_US:
                    self._arm(due)
                    return
                el = cur[self._i]
                if self._on:
                    self.buzzer.off()
                    self._on = False
                    if self._i + 1 >= len(cur):
                        self._cur = None  # the last element's off time is trailing silence
                    else:
                        self._edge_t = ck.ticks_add(due, el[2] * 1000)
                else:
                    self._i += 1
                    el = cur[self._i]
                    self.buzzer.on(el[0])
                    self._on = True
                    self._edge_t = ck.ticks_add(due, el[1] * 1000)
            else:
                return
