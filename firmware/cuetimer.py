"""Hard-timer buzzer edge: one one-shot machine.Timer re-armed for each tone edge of a cue."""
from array import array

import buzzer

try:
    from machine import disable_irq, enable_irq
except ImportError:  # unix port without the fakes: no IRQs to mask
    disable_irq = None
    enable_irq = None


class CueTimer:
    """Plays a loaded cue pattern from its absolute ticks_us deadline, edge by edge, in an IRQ.

    What an edge writes (duty, and a pitch change only if a tone must change pitch while
    sounding) is decided when its alarm is armed; a tone's pitch is set while the buzzer is
    silent. So the callback's first act is the one PWM write, and the alarm is armed lead_us
    early: the time from the ticks_us() read in _arm to that write on this board (boards/).
    The callback allocates nothing and does no float maths, printing, I2C or flash.
    """

    SOFT_EXTRA_US = 28  # a soft callback starts ~28 us later than a hard one (35-50 vs 12-17)
    EARLY_US = 100  # an edge due this soon is done now: re-arming could not land earlier

    def __init__(self, timer, buzzer, clock, lead_us, hard=True, log_n=32,
                 patterns=buzzer.PATTERNS):
        self.timer = timer
        self.buzzer = buzzer
        self.patterns = patterns  # cue code -> (freq, on_ms, off_ms) tuples
        self.clock = clock
        self.hard = hard
        # lead_us: the board's (boards/*.py CUE_LEAD_US); soft callbacks start later still.
        self.lead_us = lead_us if hard else lead_us + self.SOFT_EXTRA_US
        self._mode = timer.ONE_SHOT
        self._isr_ref = self._isr  # bound methods made once: the IRQ must not allocate them
        self._write = buzzer.write
        self._tune = buzzer.tune
        self._ticks = clock.ticks_us
        self._cur = None  # pattern now sounding (tuple of (freq, on_ms, off_ms))
        self._i = 0  # element of _cur
        self._on = False
        self._edge_t = 0  # ticks_us of _cur's next edge
        self._pend = None  # loaded cue not yet started
        self._pend_t = 0  # its deadline (ticks_us)
        self._pend_cue = 0  # its cue code
        self._armed = False
        self._arm_t = 0  # the deadline of the prepared edge
        self._nd = 0  # duty the prepared edge writes
        self._nf = 0  # pitch it must set first (only when a tone changes pitch while sounding)
        self._starts = False  # the prepared edge starts the loaded cue
        self._f = 0  # pitch the PWM is set to
        self.log_n = log_n
        self.planned = array("l", [0] * log_n)  # ring of onsets: planned deadline (ticks_us)
        self.actual = array("l", [0] * log_n)  # ... and ticks_us just after the PWM write
        self.cue = array("b", [0] * log_n)  # ... and which cue it was
        self.n_onsets = 0
        self.max_late_us = 0
        self.max_early_us = 0

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
        try:
            dropped = self._pend is not None
            self._pend = None
            if dropped and self._armed and self._starts:
                self._kick()  # the sounding pattern's own next edge, if any
        finally:
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
            self._write(0)
            self._disarm()
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

    def reset_worst(self):
        """Start a new worst-onset tally (a session's); the IRQ keeps it from here."""
        st = disable_irq() if disable_irq else 0
        self.max_late_us = 0
        self.max_early_us = 0
        if enable_irq:
            enable_irq(st)

    def worst_onset_us(self):
        """Largest |onset error| since reset_worst() (us), early or late."""
        e = self.max_early_us
        return self.max_late_us if self.max_late_us > e else e

    # ----- internals (called with IRQs off or from the IRQ) -----

    def _disarm(self):
        if self._armed:
            self.timer.deinit()
            self._armed = False

    def _due(self):
        # The next edge: the loaded cue preempts the sounding pattern when it is due first.
        if self._pend is not None and (
                self._cur is None or self.clock.ticks_diff(self._pend_t, self._edge_t) <= 0):
            return self._pend_t
        if self._cur is not None:
            return self._edge_t
        return None

    def _kick(self):
        # The next edge changed or may have: prepare and re-arm it, or do it now if it is due.
        self._disarm()
        due = self._due()
        if due is None:
            return
        if self.clock.ticks_diff(due, self._ticks()) <= self.EARLY_US:
            self._prepare(due)
            self._isr(None)
        else:
            self._arm(due)

    def _prepare(self, due):
        # Decide what the edge at `due` writes; set a new pitch now if the buzzer is silent.
        self._arm_t = due
        if self._pend is not None and due == self._pend_t and (
                self._cur is None or self.clock.ticks_diff(due, self._edge_t) <= 0):
            self._starts = True
            nf = self._pend[0][0]
        else:
            self._starts = False
            if self._on:
                self._nd = 0
                self._nf = 0
                return
            nf = self._cur[self._i + 1][0]
        self._nd = buzzer.DUTY_ON
        if nf == self._f:
            self._nf = 0
        elif self._on:
            self._nf = nf  # a cue cutting into a sounding tone: pitch changes at the edge
            self._f = nf
        else:
            self._tune(nf)  # silent: the pitch is set now, off the deadline
            self._f = nf
            self._nf = 0

    def _arm(self, due):
        self._prepare(due)
        period = self.clock.ticks_diff(due, self._ticks()) - self.lead_us
        if period < 1:
            period = 1
        self._armed = True
        self.timer.init(mode=self._mode, period=period, tick_hz=1_000_000,
                        callback=self._isr_ref, hard=self.hard)

    def _isr(self, t):
        # IRQ context (hard=True): the prepared write first, then ints and preallocated slots.
        if self._nf:
            self._tune(self._nf)
        self._write(self._nd)
        now = self._ticks()
        self._armed = False
        ck = self.clock
        while True:
            due = self._arm_t
            if self._starts:
                pend = self._pend
                self._pend = None
                self._cur = pend
                self._i = 0
                self._on = True
                self._edge_t = ck.ticks_add(due, pend[0][1] * 1000)
                k = self.n_onsets % self.log_n
                self.planned[k] = due
                self.actual[k] = now
                self.cue[k] = self._pend_cue
                self.n_onsets += 1
                err = ck.ticks_diff(now, due)
                if err > self.max_late_us:
                    self.max_late_us = err
                elif -err > self.max_early_us:
                    self.max_early_us = -err
            elif self._on:
                self._on = False
                cur = self._cur
                if self._i + 1 >= len(cur):
                    self._cur = None  # the last element's off time is trailing silence
                else:
                    self._edge_t = ck.ticks_add(due, cur[self._i][2] * 1000)
            else:
                self._i += 1
                self._on = True
                self._edge_t = ck.ticks_add(due, self._cur[self._i][1] * 1000)
            nxt = self._due()
            if nxt is None:
                return
            if ck.ticks_diff(nxt, self._ticks()) > self.EARLY_US:
                self._arm(nxt)
                return
            self._prepare(nxt)
            if self._nf:
                self._tune(self._nf)
            self._write(self._nd)
            now = self._ticks()
