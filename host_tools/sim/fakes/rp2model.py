"""Cost model of an RP2040 running MicroPython: measured distributions, seeded draws."""
# Every figure below is measured on rp2 MicroPython 1.28 in the rp2040js emulator
# (../shared/rp2-timing.md) unless it says otherwise. The firmware compensates with its own
# per-board constants (boards/*.py); the fakes draw from these rows, so a test of the firmware
# against them can fail. Integer maths only: draws happen inside hard callbacks (heap_lock).


class Dist:
    """A cost in us known by its p50 / p99 / max; draws follow that quantile curve."""

    def __init__(self, p50, p99, mx, lo=None):
        # Below the median only a floor is known: a cost rarely beats its median by much, so
        # lo defaults to p50 (half the draws sit at the median).
        self.lo = p50 if lo is None else lo
        self.p50 = p50
        self.p99 = p99
        self.max = mx

    def at(self, u):
        """The cost at quantile u/10000 (u in 0..9999), linear between the known points."""
        if u < 5000:
            return self.lo + (self.p50 - self.lo) * u // 5000
        if u < 9900:
            return self.p50 + (self.p99 - self.p50) * (u - 5000) // 4900
        return self.p99 + (self.max - self.p99) * (u - 9900) // 99


class Board:
    """One chip's costs: the measured rows, optionally scaled (a slower or faster board)."""

    # Timer.init(mode=ONE_SHOT, period, tick_hz=1_000_000, hard=True, callback): call cost.
    TIMER_INIT = Dist(49, 70, 70)
    # Hardware alarm -> first statement of a minimal hard callback (12 / 17 / 17).
    HARD_ENTRY = Dist(12, 17, 17)
    # Alarm -> soft callback while the VM runs bytecode: 35-50 us (median not published).
    SOFT_ENTRY = Dist(42, 50, 50, lo=35)
    # CPython bytecode meter (opmeter.py): ns per executed opcode of firmware code. Calibrated
    # on one rp2 row, the pre-change firmware's timer-played cue onset: 92 us late at the PWM
    # compare write with 64 us compensated, i.e. 156 us from the ticks_us() read in
    # CueTimer._arm to the write. Of that, 49 (Timer.init) + 12 (IRQ entry) are the rows above;
    # the rest ran 106 CPython opcodes (37 arm path, 11 ISR prologue, 58 ISR to the write):
    # 95 us / 106 = 896 ns. The bench prints the other rows (ring, tone-off edges, later
    # tones, the first countdown cue) as predictions beside their measurements.
    NS_PER_OP = 896

    def __init__(self, name="rp2040", scale_pct=100, seed=None):
        self.name = name
        self.scale_pct = scale_pct
        self._seed = -1
        self.seed(seed)

    def seed(self, seed):
        """Seeded draws from the distributions; None = every cost at its median."""
        self._seed = -1 if seed is None else (seed & 0x7FFFFFFF)

    def _u(self):
        # A tiny LCG (no allocation): quantile in 0..9999.
        self._seed = (self._seed * 1103515245 + 12345) & 0x7FFFFFFF
        return (self._seed >> 8) % 10000

    def draw(self, dist):
        """One cost in us from dist, scaled to this board."""
        v = dist.p50 if self._seed < 0 else dist.at(self._u())
        return v * self.scale_pct // 100

    def timer_init_us(self):
        """Cost of one Timer.init() call (the alarm is set when it returns)."""
        return self.draw(self.TIMER_INIT)

    def entry_us(self, hard):
        """Alarm -> callback start, for a hard or a soft callback."""
        return self.draw(self.HARD_ENTRY if hard else self.SOFT_ENTRY)

    def ns_per_op(self):
        """Bytecode cost on this board (CPython meter only)."""
        return self.NS_PER_OP * self.scale_pct // 100


def boards(seed=None):
    """The measured board and two off-nominal ones (30 % slower, 25 % faster)."""
    return (Board("rp2040 (measured)", 100, seed), Board("slow board (x1.30)", 130, seed),
            Board("fast board (x0.75)", 75, seed))
