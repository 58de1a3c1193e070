"""Session state and cue scheduler: absolute deadlines from the session start, wrap-safe."""
from array import array

import cues
import plan
import timeline
from micropython import const

S_COUNTDOWN = const(0)
S_RUNNING = const(1)
S_PAUSED = const(2)
S_WAIT_LAP = const(3)
S_DONE = const(4)
S_IDLE = const(5)  # built, not started

EV_STEP = const(1)  # the current step changed
EV_CUE = const(2)  # a cue's time came (it sounded from the timer)
EV_DONE = const(4)  # the session ended

F_SKIPPED = const(1)
F_PAUSED = const(2)
F_EXTENDED = const(4)
F_LAP = const(8)

END_DONE = const(0)
END_EARLY = const(1)

QUIET_MAX = const(1 << 29)  # quiet_ms() when no cue is scheduled (a small int on the Pico)
_FAR_MS = const(100000)  # beyond this a cue is not near; keeps ms*1000 a small int


def _zeros(code, n):
    return array(code, [0] * n)


def books(n):
    """Per-step arrays (planned ms, actual ms, flags, laps) for sessions of up to n steps.

    The app makes one set at boot (plan.MAX_STEPS: 5.5 KB) and lends it to every Session, so
    starting a session never needs a large block from a heap fragmented by hours of use.
    """
    return (_zeros("l", n), _zeros("l", n), _zeros("B", n), _zeros("H", n))


class Session:
    """One run of a plan: call start(), then poll() often from the main loop."""

    COUNTDOWN_S = 3
    # The "3" sounds this long after start(): the first cue is armed on the timer like every
    # other, instead of being played late by the main loop (2-3.4 ms, 5.9 ms under stress on rp2).
    START_LEAD_MS = 20
    LOOKAHEAD_MS = 2000  # hand a cue to the timer this early (> any main-loop stall)
    REANCHOR_MS = 60000  # move the ticks_us base forward; ticks_diff is valid to 2**29 us
    MAX_EXTEND_MS = 3600000  # one extend() at most an hour (offsets stay small ints)

    def __init__(self, table, clock, edge, books_=None):
        self.table = table
        self.clock = clock
        self.edge = edge
        n = table.step_count()
        self.n_steps = n
        if books_ is None or len(books_[0]) < n:
            books_ = books(n)
        self.planned_ms, self.actual_ms, self.flags, self.laps = books_
        c = plan.Cursor(table)
        while c.next():
            self.planned_ms[c.index] = c.dur_s * 1000
        self.cursor = plan.Cursor(table)
        self._pv = plan.Cursor(table)
        self.preview = None
        self._tl = timeline.Timeline(plan.Cursor(table), self.COUNTDOWN_S)
        self.state = S_IDLE
        self.step = -1  # running step index; -1 before step 1
        self.n_done = 0
        self.paused_ms = 0
        self.end_reason = END_DONE
        self._ev = 0
        self._base_us = 0  # ticks_us at which the plan frame is at _base_off_ms
        self._base_off_ms = 0
        self._step_off_ms = 0  # plan-frame offset of the current step's start
        self._len_ms = 0  # the current step's length with its extensions
        self._done_ms = 0  # actual ms of closed steps
        self._pos_us = 0  # frozen position (us past the base) while paused
        self._pause_ms = 0
        self._resume = S_RUNNING
        self._has_next = False
        self._loaded = False

    # ----- commands from the app -----

    def start(self):
        """Begin the 3-2-1 countdown; step 1 starts COUNTDOWN_S s + START_LEAD_MS from now."""
        ck = self.clock
        self.edge.stop()
        now = ck.ticks_us()
        self._base_us = ck.ticks_add(now, (self.COUNTDOWN_S * 1000 + self.START_LEAD_MS) * 1000)
        self._base_off_ms = 0
        for a in (self.actual_ms, self.flags, self.laps):
            for i in range(self.n_steps):
                a[i] = 0
        self.step = -1
        self.n_done = 0
        self.paused_ms = 0
        self._done_ms = 0
        self._step_off_ms = 0
        self._len_ms = 0
        self.end_reason = END_DONE
        self.cursor.reset()
        self.cursor.next()
        self._set_preview()
        self._tl.reset()
        self._has_next = self._tl.next()
        self._loaded = False
        self.state = S_COUNTDOWN
        self._ev = EV_STEP
        self._update()

    def poll(self):
        """Apply due cues, hand the next one to the timer; returns EV_* bits since last poll."""
        self._update()
        ev = self._ev
        self._ev = 0
        return ev

    def _update(self):
        # Catch up with the clock (events collect in _ev); commands call it first so a cue
        # that sounded but was not yet applied is not replayed or skipped twice.
        st = self.state
        if st == S_PAUSED or st >= S_DONE:
            return
        ck = self.clock
        now = ck.ticks_us()
        d = ck.ticks_diff(now, self._base_us)
        if d > self.REANCHOR_MS * 1000:  # exact: whole ms move from the base to its offset
            k = d // 1000
            self._base_us = ck.ticks_add(self._base_us, k * 1000)
            self._base_off_ms += k
            d -= k * 1000
        tl = self._tl
        while self._has_next:
            rel = tl.off_ms - self._base_off_ms
            if rel > _FAR_MS or rel * 1000 > d:
                break
            self._apply(-1)
            if self.state == S_DONE:
                break
        self._feed(d)

    def pause(self):
        """Freeze the session clock and silence the buzzer."""
        self._update()
        st = self.state
        if st == S_PAUSED or st >= S_DONE:
            return
        ck = self.clock
        self._pos_us = ck.ticks_diff(ck.ticks_us(), self._base_us)
        self._pause_ms = ck.ticks_ms()
        self._resume = st
        self.state = S_PAUSED
        if self.edge.stop():
            self._loaded = False
        if self.step >= 0:
            self.flags[self.step] |= F_PAUSED

    def resume(self):
        """Continue: the base moves once by the paused span."""
        if self.state != S_PAUSED:
            return
        ck = self.clock
        self._base_us = ck.ticks_add(ck.ticks_us(), -self._pos_us)
        self.paused_ms += ck.ticks_diff(ck.ticks_ms(), self._pause_ms)
        self.state = self._resume
        self._update()

    def skip(self):
        """End the current interval (or the countdown) now; what follows is re-based to now."""
        if self.state == S_PAUSED:
            self.resume()
        self._update()
        st = self.state
        if st >= S_DONE:
            return
        now, pos = self._pos()
        tl = self._tl
        if not (self._has_next and (tl.start or tl.cue == cues.DONE)):
            tl.skip_step()
            self._has_next = tl.next()
        actual = -1
        if self.step >= 0:
            actual = pos - self._step_off_ms
            self.flags[self.step] |= F_SKIPPED
        self._rebase_apply(now, actual)

    def lap(self, ago_ms=0):
        """A lap/rep tap: counted per interval; on a lap step it ends the step, its length
        measured to the press ago_ms before now (the next step and its cue start now)."""
        self._update()
        st = self.state
        i = self.step
        if i < 0 or st == S_PAUSED or st >= S_DONE:
            return
        if self.laps[i] < 65535:
            self.laps[i] += 1
        if st == S_WAIT_LAP:
            now, pos = self._pos()
            self.flags[i] |= F_LAP
            self._tl.skip_step()
            self._has_next = self._tl.next()
            actual = pos - self._step_off_ms - (ago_ms if ago_ms > 0 else 0)
            self._rebase_apply(now, actual if actual > 0 else 0)

    def extend(self, ms):
        """Make the running timed interval ms longer; False (nothing changed) if not allowed.

        Its ticks and end cue move to the new end and every later cue by ms; deadlines stay
        absolute (the plan frame gets ms longer, the base is not touched). A cue already handed
        to the timer is cancelled and the new next cue loaded. Not on an open lap step, while
        paused, in the countdown or when done.
        """
        self._update()
        i = self.step
        tl = self._tl
        if (self.state != S_RUNNING or i < 0 or not 0 < ms <= self.MAX_EXTEND_MS
                or not self._has_next or not (tl.start or tl.done or tl.index == i)):
            return False
        ck = self.clock
        d = ck.ticks_diff(ck.ticks_us(), self._base_us)
        if self._loaded:
            if not self.edge.cancel() and (tl.start or tl.done):
                # The boundary cue already started (due within the edge's EARLY_US): the
                # interval is over as far as the user can hear.
                return False
            self._loaded = False
        self._has_next = tl.extend(ms, self._base_off_ms + d // 1000)
        self._len_ms += ms
        self.flags[i] |= F_EXTENDED
        self._feed(d)
        return True

    def finish(self):
        """End early: the current step is cut (F_SKIPPED), DONE sounds now."""
        if self.state == S_PAUSED:
            self.resume()
        self._update()
        if self.state >= S_DONE:
            return
        now, pos = self._pos()
        if self.step >= 0:
            self.flags[self.step] |= F_SKIPPED
            self._close(pos - self._step_off_ms)
        self.end_reason = END_EARLY
        self.state = S_DONE
        self._has_next = False
        self.edge.cancel()
        self.edge.load(now, cues.DONE)
        self._ev |= EV_DONE | EV_CUE

    # ----- read-only views -----

    def elapsed_ms(self):
        """Active ms since step 1 started (pauses excluded)."""
        if self.step < 0:
            return 0
        if self.state == S_DONE:
            return self._done_ms
        return self._done_ms + self._pos_ms() - self._step_off_ms

    def remaining_ms(self):
        """Ms left in the current step (-1 on an open lap step; step 1's length in countdown)."""
        st = self.state
        if st >= S_DONE:
            return 0
        if self.cursor.dur_s == 0:
            return -1
        i = self.step
        if i < 0:
            return self.planned_ms[0] if self.n_steps else 0
        r = self._len_ms - (self._pos_ms() - self._step_off_ms)
        return r if r > 0 else 0

    def countdown_s(self):
        """3, 2, 1 during the countdown, else 0."""
        if self.step >= 0 or self.state >= S_DONE:
            return 0
        n = (-self._pos_ms() + 999) // 1000
        return n if n < self.COUNTDOWN_S else self.COUNTDOWN_S  # START_LEAD_MS is not a 4th

    def quiet_ms(self):
        """Ms until the next cue (0 while one sounds); QUIET_MAX when none is scheduled."""
        if self.edge.busy():
            return 0
        us = self.until_cue_us()
        if us < 0 or us >= QUIET_MAX:
            return QUIET_MAX
        return us // 1000

    def until_cue_us(self):
        """Us until the next cue is due (0 if overdue; QUIET_MAX if far), -1 if none is set."""
        st = self.state
        if st == S_PAUSED or st >= S_DONE or not self._has_next:
            return -1
        ck = self.clock
        d = ck.ticks_diff(ck.ticks_us(), self._base_us)
        rel = self._tl.off_ms - self._base_off_ms
        if rel > _FAR_MS:
            return QUIET_MAX
        r = rel * 1000 - d
        return r if r > 0 else 0

    def cue_pending(self):
        """The next cue code (cues.*), or -1 when none is scheduled."""
        return self._tl.cue if self._has_next and self.state < S_DONE else -1

    # ----- internals -----

    def _pos(self):
        # (now, plan-frame position in ms); allocates a tuple: commands only, not poll().
        ck = self.clock
        now = ck.ticks_us()
        return now, self._base_off_ms + ck.ticks_diff(now, self._base_us) // 1000

    def _pos_ms(self):
        if self.state == S_PAUSED:
            return self._base_off_ms + self._pos_us // 1000
        ck = self.clock
        return self._base_off_ms + ck.ticks_diff(ck.ticks_us(), self._base_us) // 1000

    def _rebase_apply(self, now, actual):
        # The pending event (next step's start, or DONE) happens now; later cues follow it.
        self.edge.cancel()
        self._loaded = False
        self._base_us = now
        self._base_off_ms = self._tl.off_ms
        if self._has_next:
            self._apply(actual)
        self._feed(0)

    def _close(self, actual):
        i = self.step
        self.actual_ms[i] = actual
        self._done_ms += actual
        self.n_done = i + 1

    def _apply(self, actual):
        # The pending timeline event is due: update the session; sound it if it was not handed
        # to the timer in time (late, rather than never).
        tl = self._tl
        if not self._loaded:
            rel = tl.off_ms - self._base_off_ms
            self.edge.load(self.clock.ticks_add(self._base_us, rel * 1000), tl.cue)
        ev = EV_CUE
        if tl.start or tl.cue == cues.DONE:
            if self.step >= 0:
                self._close(tl.off_ms - self._step_off_ms if actual < 0 else actual)
            ev |= EV_STEP
            if tl.start:
                self.step = tl.index
                self._step_off_ms = tl.off_ms
                self._len_ms = self.planned_ms[tl.index]
                if self.cursor.index != tl.index:
                    self.cursor.next()
                self._set_preview()
                self.state = S_WAIT_LAP if self.cursor.dur_s == 0 else S_RUNNING
            else:
                self.state = S_DONE
                self.end_reason = END_DONE
                self.preview = None
                ev |= EV_DONE
        self._ev |= ev
        self._has_next = tl.next()
        self._loaded = False

    def _feed(self, d):
        # Hand the next cue to the timer once it is within LOOKAHEAD_MS (d: us past the base).
        if not self._has_next or self._loaded or not self.edge.free():
            return
        rel = self._tl.off_ms - self._base_off_ms
        if rel > _FAR_MS or rel * 1000 - d > self.LOOKAHEAD_MS * 1000:
            return
        self.edge.load(self.clock.ticks_add(self._base_us, rel * 1000),
                       self._tl.cue)
        self._loaded = True

    def _set_preview(self):
        pv = self._pv
        pv.copy_from(self.cursor)
        self.preview = pv if pv.next() else None
