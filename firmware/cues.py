"""Cue codes: what the buzzer announces, and the start cue of each kind of step."""
from micropython import const

COUNT = const(0)  # pre-start countdown 3-2-1
WORK = const(1)  # GO: a work step starts
REST = const(2)  # a rest or recover step starts
STEP = const(3)  # a warmup or cooldown step starts
TICK = const(4)  # one of the last three seconds of a step
HALF = const(5)  # halfway through a step (plan.OPT_HALFWAY)
LAP_WAIT = const(6)  # a lap step starts: it ends on the lap button
DONE = const(7)  # session end
N_CUES = const(8)

NAMES = ("count", "work", "rest", "step", "tick", "half", "lap", "done")

# Start cue per plan kind, indexed by plan.K_* (warmup, work, rest, recover, cooldown).
_START = (STEP, WORK, REST, REST, STEP)


def for_step(kind, dur_s):
    """Start cue of a step: LAP_WAIT for open (lap) steps, else by kind."""
    if dur_s == 0:
        return LAP_WAIT
    if 0 <= kind < len(_START):
        return _START[kind]
    return STEP
