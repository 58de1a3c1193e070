"""Fake rp2 `machine` (Pin, PWM, Timer, I2C, WDT, RTC) on a virtual clock (both interpreters)."""
# Placed first on sys.path this file replaces MicroPython's built-in `machine` on the unix port
# (checked on 1.29). PWM.freq/duty_u16, Timer.init and the timer dispatch allocate nothing.

import array

from vclock import VirtualClock, WatchdogReset  # noqa: F401 - re-exported

_clock = VirtualClock()

PWRON_RESET = 1
WDT_RESET = 3
_U64 = (1 << 64) - 1
ENODEV = 19


def set_clock(vc):
    """Bind the virtual clock used by every fake (call before building hardware)."""
    global _clock
    _clock = vc


def get_clock():
    """The bound VirtualClock."""
    return _clock


def reset_cause():
    """PWRON_RESET, or WDT_RESET once the clock has raised a WatchdogReset."""
    return WDT_RESET if _clock.wdt_resets else PWRON_RESET


def soft_reset():
    """As rp2's soft reset: the VM restarts (SystemExit); soft Timers are cancelled, while the
    watchdog hardware keeps counting (its CTRL register still reads ENABLE)."""
    _clock.soft_reset()
    raise SystemExit


# Watchdog CTRL registers (datasheets): RP2040 WATCHDOG_BASE 0x40058000, RP2350 0x400d8000.
WATCHDOG_CTRL = {"rp2040": 0x40058000, "rp2350": 0x400D8000}
WDT_ENABLE = 1 << 30  # CTRL.ENABLE
_chip = ["rp2040"]


def set_chip(name):
    """Which chip's memory map mem32 models: 'rp2040' (default) or 'rp2350'."""
    if name not in WATCHDOG_CTRL:
        raise ValueError("unknown chip %r" % name)
    _chip[0] = name


class _Mem32:
    """machine.mem32: reads the watchdog CTRL register (ENABLE while a WDT runs); else 0."""

    def __getitem__(self, addr):
        if addr == WATCHDOG_CTRL[_chip[0]]:
            w = _clock.wdt
            return WDT_ENABLE if w is not None and not w.expired else 0
        return 0

    def __setitem__(self, addr, value):
        raise OSError("fake mem32 is read-only")


mem32 = _Mem32()


def unique_id():
    """8-byte flash id like a Pico's."""
    return b"\xe6\x61\x41\x04\x03\x15\x2b\x2f"


def freq(hz=None):
    """CPU frequency (125 MHz, as a Pico boots)."""
    return 125000000


def idle():
    """Nothing to wait for in virtual time."""


def lightsleep(ms=0):
    """Sleep on the virtual clock."""
    _clock.sleep_ms(ms)


def disable_irq():
    """No-op; returns a state for enable_irq."""
    return 0


def enable_irq(state=0):
    """No-op."""


class Pin:
    """GPIO with a level, pull, IRQ and test hooks press()/release()/drive()."""

    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    ALT = 3
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 4
    IRQ_RISING = 8

    def __init__(self, id, mode=-1, pull=-1, *, value=None, drive=0, alt=-1):
        # rp2 signature: mode/pull -1 = as the pin is (a fresh pin is an input, no pull)
        self.id = id
        self.mode = Pin.IN if mode == -1 else mode
        self.pull = None if pull == -1 else pull
        self._out = 0
        self._driven = -1  # level forced from outside (button), -1 = not driven
        self._handler = None
        self._trigger = 0
        self._bounce_n = 0
        self._bounce_gap = 0
        self.irq_count = 0
        self.last_irq_us = -1
        if value is not None:
            self._out = 1 if value else 0

    def init(self, mode=-1, pull=-1, *, value=None, drive=0, alt=-1):
        """Reconfigure."""
        if mode != -1:
            self.mode = mode
        if pull != -1:
            self.pull = pull
        if value is not None:
            self._out = 1 if value else 0

    def _level(self):
        if self._driven >= 0:
            return self._driven
        if self.mode == Pin.OUT:
            return self._out
        return 0 if self.pull == Pin.PULL_DOWN else 1 if self.pull == Pin.PULL_UP else self._out

    def value(self, v=None):
        """Read the level, or set the output latch."""
        if v is None:
            return self._level()
        old = self._level()
        self._out = 1 if v else 0
        self._edge(old)

    def __call__(self, v=None):
        return self.value(v)

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def toggle(self):
        self.value(1 - self._out)

    def irq(self, handler=None, trigger=12, hard=False):
        """Register an edge handler; it runs at once (as a hard IRQ) on a matching edge."""
        self._handler = handler
        self._trigger = trigger if handler is not None else 0
        return self

    def flags(self):
        """Trigger mask of the IRQ."""
        return self._trigger

    def _edge(self, old):
        new = self._level()
        if new == old or self._handler is None:
            return
        if self._trigger & (Pin.IRQ_RISING if new else Pin.IRQ_FALLING):
            self.irq_count += 1
            self.last_irq_us = _clock.now_us
            self._handler(self)

    # --- test hooks ----------------------------------------------------------------------
    def drive(self, v):
        """Force the level from outside (None releases)."""
        old = self._level()
        self._driven = -1 if v is None else (1 if v else 0)
        self._edge(old)

    def _idle_level(self):
        return 0 if self.pull == Pin.PULL_DOWN else 1

    def bounce(self, n, gap_us=200):
        """Next press()/release() chatters n extra times, gap_us apart (advances the clock)."""
        self._bounce_n = n
        self._bounce_gap = gap_us

    def _settle(self, v):
        for _ in range(self._bounce_n):
            self.drive(v)
            _clock.advance_us(self._bounce_gap)
            self.drive(1 - v)
            _clock.advance_us(self._bounce_gap)
        self.drive(v)

    def press(self):
        """Push the button (active low with PULL_UP, active high with PULL_DOWN)."""
        self._settle(1 - self._idle_level())

    def release(self):
        """Let go of the button (back to the idle level)."""
        self._settle(self._idle_level())
        self._driven = -1


class PWM:
    """rp2 PWM whose every change is logged as (t_us, freq, duty) in preallocated arrays."""

    EVENTS = 1024  # ring capacity per PWM
    FREQ_MIN = 8
    FREQ_MAX = 62500000

    def __init__(self, dest, *, freq=0, duty_u16=-1, duty_ns=-1, invert=False):
        self.pin = dest if isinstance(dest, Pin) else Pin(dest, Pin.OUT)
        self._freq = 0
        self._duty = 0
        self._on = True
        self._et = array.array("l", [0] * self.EVENTS)  # "q" reads back boxed on MP
        self._ef = array.array("i", [0] * self.EVENTS)
        self._ed = array.array("i", [0] * self.EVENTS)
        self.changes = 0  # total recorded changes (events beyond EVENTS are overwritten)
        if freq:
            self.freq(freq)
        if duty_u16 >= 0:
            self.duty_u16(duty_u16)

    def _rec(self):
        # The register write lands when the call returns: bytecode before it is paid first.
        if _clock.debt_ns:
            _clock.pay()
        i = self.changes % self.EVENTS
        self._et[i] = _clock.now_us
        self._ef[i] = self._freq
        self._ed[i] = self._duty if self._on else 0
        self.changes += 1

    def init(self, *, freq=0, duty_u16=-1):
        """Re-enable with new settings."""
        self._on = True
        if freq:
            self.freq(freq)
        if duty_u16 >= 0:
            self.duty_u16(duty_u16)

    def freq(self, f=None):
        """Get or set the frequency in Hz (ValueError below 8 Hz, like rp2)."""
        if f is None:
            return self._freq
        if f < self.FREQ_MIN:
            raise ValueError("freq too small")
        if f > self.FREQ_MAX:
            raise ValueError("freq too large")
        self._freq = f
        self._on = True
        self._rec()

    def duty_u16(self, d=None):
        """Get or set the duty cycle 0..65535."""
        if d is None:
            return self._duty
        self._duty = d
        self._on = True
        self._rec()

    def deinit(self):
        """Stop the output; recorded as duty 0."""
        self._on = False
        self._rec()

    # --- test hooks ----------------------------------------------------------------------
    def sounding(self):
        """True if the output toggles now."""
        return self._on and self._freq > 0 and self._duty > 0

    def events(self):
        """Recorded changes, oldest first: list of (t_us, freq, duty)."""
        n = self.changes
        cap = self.EVENTS
        first = n - cap if n > cap else 0
        return [(self._et[i % cap], self._ef[i % cap], self._ed[i % cap]) for i in range(first, n)]

    def clear_events(self):
        """Forget recorded changes."""
        self.changes = 0

    def tones(self):
        """Sounding spans from events(): list of (start_us, end_us or -1, freq)."""
        return tone_spans(self.events())


def tone_spans(events):
    """Sounding spans in (t_us, freq, duty) PWM events: [(start_us, end_us or -1, freq)]."""
    out = []
    start = -1
    tf = 0
    for t, f, d in events:
        if start >= 0 and (d == 0 or f != tf):
            out.append((start, t, tf))
            start = -1
        if d > 0 and f > 0 and start < 0:
            start = t
            tf = f
    if start >= 0:
        out.append((start, -1, tf))
    return out


class Timer:
    """rp2 virtual Timer(-1) dispatched by the VirtualClock (hard or soft callbacks)."""

    ONE_SHOT = 0
    PERIODIC = 1

    def __init__(self, id=-1, *, mode=1, period=None, tick_hz=1000, freq=None, callback=None,
                 hard=False):
        if id != -1:
            raise ValueError("Timer doesn't exist")
        self._armed = False
        self._alarm = 0
        self._hard = False
        self._lat = 0
        self._periodic = False
        self._delta = 1
        self._cb = None
        self._clock = _clock
        _clock.register(self)
        if period is not None or freq is not None or callback is not None:
            self.init(mode=mode, period=0xFFFFFFFF if period is None else period,
                      tick_hz=tick_hz, freq=freq, callback=callback, hard=hard)

    def init(self, *, mode=1, period=0xFFFFFFFF, tick_hz=1000, freq=None, callback=None,
             hard=False):
        """Arm. Costs a Timer.init() draw first; alarm = now + period*1e6//tick_hz (min 1 us).

        As rp2 (uint64 cast), a negative period gives an alarm ~days away: clamp it yourself.
        """
        self._armed = False
        clock = _clock
        if self._clock is not clock:
            self._clock.unregister(self)
            clock.register(self)
            self._clock = clock
        if freq is not None:
            delta = 1000000 // freq if isinstance(freq, int) else int(1000000 / freq)
        elif period >= 0:
            delta = period * 1000000 // tick_hz
        else:
            delta = ((period & _U64) * 1000000 & _U64) // tick_hz
        if delta < 1:
            delta = 1
        if clock.debt_ns:
            clock.pay()
        clock.spend_us(clock.board.timer_init_us())
        self._delta = delta
        self._periodic = mode == Timer.PERIODIC
        self._hard = hard
        self._cb = callback
        self._lat = clock.draw_latency(hard)
        self._alarm = clock.now_us + delta
        self._armed = True

    def deinit(self):
        """Cancel."""
        self._armed = False

    # --- test hooks ----------------------------------------------------------------------
    def armed(self):
        """True while an alarm is pending."""
        return self._armed

    def alarm_us(self):
        """Absolute virtual time of the pending alarm."""
        return self._alarm


class I2C:
    """I2C controller: writes cost bus time via clock.busy_us and go to attached devices."""

    OVERHEAD_BITS = 2  # start + stop

    def __init__(self, id, freq=400000, *, scl=None, sda=None, timeout=50000):  # rp2's
        self.id = id
        self.freq = freq
        self._devs = {}
        self.bytes_written = 0
        self.busy_total_us = 0

    def attach(self, addr, device):
        """Connect a device (e.g. ssd1306_panel.Panel) at a 7-bit address."""
        self._devs[addr] = device

    def detach(self, addr):
        self._devs.pop(addr, None)

    def cost_us(self, nbytes):
        """Bus time of one transaction of nbytes data bytes (plus address, 9 bits each)."""
        bits = 9 * (nbytes + 1) + self.OVERHEAD_BITS
        return (bits * 1000000 + self.freq - 1) // self.freq

    def _xfer(self, addr, nbytes):
        cost = self.cost_us(nbytes)
        self.busy_total_us += cost
        dev = self._devs.get(addr)
        if dev is None:
            _clock.busy_us(self.cost_us(0))  # address byte NACKed
            raise OSError(ENODEV)
        _clock.busy_us(cost)
        return dev

    def scan(self):
        """Attached addresses, sorted."""
        return sorted(self._devs)

    def writeto(self, addr, buf, stop=True):
        """Write buf to addr; returns the number of ACKs (len(buf))."""
        dev = self._xfer(addr, len(buf))
        self.bytes_written += len(buf)
        if hasattr(dev, "i2c_write"):
            dev.i2c_write(buf)
        return len(buf)

    def writevto(self, addr, vector, stop=True):
        """Write the buffers of vector as one transaction."""
        data = b"".join(bytes(b) for b in vector)
        return self.writeto(addr, data, stop)

    def readfrom_into(self, addr, buf, stop=True):
        """Read len(buf) bytes from addr."""
        dev = self._xfer(addr, len(buf))
        if hasattr(dev, "i2c_read_into"):
            dev.i2c_read_into(buf)
        else:
            for i in range(len(buf)):
                buf[i] = 0

    def readfrom(self, addr, n, stop=True):
        buf = bytearray(n)
        self.readfrom_into(addr, buf, stop)
        return bytes(buf)

    def writeto_mem(self, addr, memaddr, buf, addrsize=8):
        return self.writeto(addr, bytes([memaddr]) + bytes(buf))


class WDT:
    """Watchdog (timeout <= 8388 ms, cannot be stopped); the clock raises WatchdogReset."""

    MAX_TIMEOUT_MS = 8388  # RP2040 (rp2 machine_wdt.c; 16777 on an RP2350)

    def __init__(self, id=0, timeout=5000):
        if id != 0:
            raise ValueError("WDT(%d) doesn't exist" % id)
        if timeout > self.MAX_TIMEOUT_MS or timeout < 1:
            raise ValueError("timeout exceeds %d" % self.MAX_TIMEOUT_MS)
        self.timeout_ms = timeout
        self.expired = False
        self.feeds = 0
        self.deadline_us = _clock.now_us + timeout * 1000
        self._clock = _clock
        _clock.watch(self)

    def feed(self):
        """Restart the countdown."""
        self.check()
        self.feeds += 1
        self.deadline_us = self._clock.now_us + self.timeout_ms * 1000

    def check(self):
        """Raise WatchdogReset if the timeout has passed (the clock also checks as it moves)."""
        c = self._clock
        if not self.expired and c.wdt is self:
            c._check_wdt(c.now_us)
        if self.expired:
            raise WatchdogReset("watchdog expired")


class RTC:
    """RTC backed by the clock's epoch (restarts at 2021-01-01 like an RP2040)."""

    def datetime(self, dt=None):
        """Get/set (year, month, day, weekday, hour, minute, second, subsecond)."""
        if dt is None:
            t = _clock.localtime()
            return (t[0], t[1], t[2], t[6], t[3], t[4], t[5], 0)
        _clock.set_epoch(_clock.mktime((dt[0], dt[1], dt[2], dt[4], dt[5], dt[6])))
