"""Piezo buzzer on a PWM pin, and one preallocated tone pattern per cue."""
import cues
from micropython import const

DUTY_ON = const(32768)  # 50 % duty: loudest square wave for a piezo

# Each pattern is a tuple of (freq_hz, on_ms, off_ms); built once at import, read in the ISR.
# Every pattern is shorter than 1 s so it ends before the next countdown or tick cue.
_COUNT = ((1568, 120, 0),)  # G6 short beep
_WORK = ((1760, 150, 70), (2637, 260, 0))  # two rising high beeps: A6 then E7
_REST = ((880, 600, 0),)  # one long low: A5
_STEP = ((1319, 200, 80), (1319, 200, 0))  # two even mid beeps: E6
_TICK = ((3136, 25, 0),)  # short click: G7
_HALF = ((2093, 80, 60), (1568, 80, 0))  # falling pair: C7 then G6
_LAP = ((1047, 90, 60), (1047, 90, 60), (1047, 90, 0))  # three low pips: C6
_DONE = ((1319, 180, 60), (1568, 180, 60), (2093, 400, 0))  # three-tone rise: E6 G6 C7

PATTERNS = (_COUNT, _WORK, _REST, _STEP, _TICK, _HALF, _LAP, _DONE)  # index = cue code
assert len(PATTERNS) == cues.N_CUES


def pattern(cue):
    """The tone pattern of a cue code."""
    return PATTERNS[cue]


def length_ms(pat):
    """Total length of a pattern in ms (host tools and tests)."""
    n = 0
    for _f, on, off in pat:
        n += on + off
    return n


class Buzzer:
    """A piezo on a machine.PWM: on(freq) sounds, off() silences; safe in a hard IRQ.

    tune(freq) and write(duty) are the PWM's own bound methods, made once, so the cue timer's
    IRQ reaches the compare register in one call (tune while silent, write at the deadline).
    """

    def __init__(self, pwm):
        self.pwm = pwm
        self.tune = pwm.freq
        self.write = pwm.duty_u16
        pwm.duty_u16(0)

    def on(self, freq):
        """Sound freq Hz (ISR-safe: two register writes, no allocation)."""
        self.pwm.freq(freq)
        self.pwm.duty_u16(DUTY_ON)

    def off(self):
        """Silence (duty 0; the PWM keeps running)."""
        self.pwm.duty_u16(0)
