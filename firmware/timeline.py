"""Plan -> cue times: offsets of each cue from the step and session start. Pure, no clock."""
import cues
from micropython import const
from plan import OPT_HALFWAY, OPT_NO_TICKS

T_END = const(-1)  # StepCues marker: the step ends here (not a sound)
TICKS_MIN_MS = const(6000)  # shorter steps get no last-3-seconds ticks
HALF_MIN_MS = const(10000)  # halfway cue only when it falls >= 5 s before the first tick

# StepCues phases, in time order: start, halfway, three ticks, end.
_PH_START = const(0)
_PH_HALF = const(1)
_PH_TICK3 = const(2)
_PH_END = const(5)
_PH_OVER = const(6)


class StepCues:
    """The cues of one step, one per next(): `cue` and `off_ms` from the step start."""

    def __init__(self):
        self.cue = T_END
        self.off_ms = 0
        self.dur_ms = 0
        self.opts = 0
        self._first = cues.STEP
        self._ph = _PH_OVER
        self._after = -1  # cues at or before this step offset are dropped (after resume())

    def reset(self, kind, dur_s, opts):
        """Begin a step (dur_s 0 = open lap step: a start cue and no end)."""
        self.dur_ms = dur_s * 1000
        self.opts = opts
        self._first = cues.for_step(kind, dur_s)
        self._ph = _PH_START
        self._after = -1

    def resume(self, dur_ms, opts, half, after_ms):
        """Re-walk a step now dur_ms long from its halfway (half) or from its ticks; no start.

        Cues at or before after_ms (from the step start) are dropped: they are in the past.
        """
        self.dur_ms = dur_ms
        self.opts = opts
        self._ph = _PH_HALF if half else _PH_TICK3
        self._after = after_ms

    def next(self):
        """Advance to the next cue of the step; False when none is left (or the step is open)."""
        d = self.dur_ms
        while self._ph < _PH_OVER:
            ph = self._ph
            self._ph = ph + 1
            if ph == _PH_START:
                self.cue = self._first
                self.off_ms = 0
                return True
            if d == 0:  # open step: nothing after its start cue
                self._ph = _PH_OVER
                return False
            if ph == _PH_HALF:
                if self.opts & OPT_HALFWAY and d >= HALF_MIN_MS and d // 2 > self._after:
                    self.cue = cues.HALF
                    self.off_ms = d // 2
                    return True
            elif ph < _PH_END:
                t = d - (_PH_END - ph) * 1000  # d-3000, d-2000, d-1000
                if d >= TICKS_MIN_MS and not self.opts & OPT_NO_TICKS and t > self._after:
                    self.cue = cues.TICK
                    self.off_ms = t
                    return True
            else:
                self.cue = T_END
                self.off_ms = d
                return True
        return False


class Timeline:
    """Every cue of a session in order, one per next(); offsets in ms from the session start.

    Attributes after next(): `cue`, `off_ms` (negative during the countdown), `index` (the step
    the cue belongs to; -1 countdown, step count for DONE) and `start` (a step starts). Lap steps
    are open: next() returns False with `waiting` set until skip_step(); they count 0 ms, so
    later offsets are in the plan frame that the scheduler re-bases.
    """

    def __init__(self, cursor, countdown_s=3):
        self.cursor = cursor
        self.steps = StepCues()
        self.countdown_s = countdown_s
        self.reset()

    def reset(self):
        """Back to before the countdown."""
        self.cursor.reset()
        self.cue = T_END
        self.off_ms = 0
        self.index = -1
        self.start = False
        self.waiting = False
        self.done = False
        self.step_off_ms = 0
        self._cd = self.countdown_s
        self._enter_next = True
        self._count = 0
        self._held = 0  # after extend(): 1 = enter the cursor's step again, 2 = the end
        self._last_ms = 0  # length and options of the step whose end was walked last
        self._last_opts = 0

    def next(self):
        """Advance to the next cue; False at the end or while a lap step waits."""
        if self._cd > 0:
            self.cue = cues.COUNT
            self.off_ms = -self._cd * 1000
            self._cd -= 1
            return True
        if self.done or self.waiting:
            return False
        if self._enter_next:
            self._enter_next = False
            return self._enter(self._advance())
        st = self.steps
        if not st.next():
            self.waiting = True
            return False
        if st.cue == T_END:
            self.step_off_ms += st.off_ms
            self._last_ms = st.off_ms
            self._last_opts = st.opts
            return self._enter(self._advance())
        self.cue = st.cue
        self.off_ms = self.step_off_ms + st.off_ms
        self.start = False
        return True

    def skip_step(self):
        """Drop the rest of this step (or of the countdown); next() gives the next step's start."""
        if self._cd > 0 or self._count == 0:
            self._cd = 0
            return
        self.waiting = False
        if not self._enter_next:
            self.step_off_ms += self.steps.dur_ms
            self._enter_next = True

    def extend(self, ms, after_ms):
        """Make the current timed step ms longer; returns next()'s result for the new pending cue.

        The current step is the one the pending cue lies in, or the one it ends (the pending
        cue is the next step's start or DONE). The cues after after_ms (session offset) become
        those of the plan with this step ms longer: its ticks and end move to the new end, a
        halfway not yet given to the new halfway (one given is not repeated), and every later
        cue by ms. Not for an open lap step or the countdown.
        """
        st = self.steps
        if self.start or self.done:
            # The pending cue is past this step's end: walk back into the step.
            if self.done:
                self._held = 2
                self.done = False
            else:
                self._held = 1
                self._count -= 1
            self.index = self._count - 1
            self.step_off_ms -= self._last_ms
            d = self._last_ms
            opts = self._last_opts
        else:
            d = st.dur_ms
            opts = st.opts
        after = after_ms - self.step_off_ms
        given = opts & OPT_HALFWAY and d >= HALF_MIN_MS and d // 2 <= after
        st.resume(d + ms, opts, not given, after)
        return self.next()

    def _advance(self):
        # The next step from the cursor, or the held one when extend() walked back.
        h = self._held
        if h:
            self._held = 0
            return h == 1
        return self.cursor.next()

    def _enter(self, more):
        self.start = more
        self.off_ms = self.step_off_ms
        if not more:
            self.cue = cues.DONE
            self.index = self._count
            self.done = True
            return True
        c = self.cursor
        self._count += 1
        self.index = c.index
        self.steps.reset(c.kind, c.dur_s, c.opts)
        self.steps.next()
        self.cue = self.steps.cue
        return True
