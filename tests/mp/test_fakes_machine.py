"""Fake machine: Pin IRQs and bounce, PWM recording without allocation, I2C cost, WDT."""

import machine
import micropython
from machine import I2C, PWM, WDT, Pin, Timer
from rp2model import Board
from vclock import VirtualClock, WatchdogReset


def _clock(start=0):
    """Fresh clock bound to the fake machine module."""
    c = VirtualClock(start)
    machine.set_clock(c)
    return c


class _Sink:
    """I2C device that keeps every transaction."""

    def __init__(self):
        self.writes = []

    def i2c_write(self, buf):
        self.writes.append(bytes(buf))


def test_pin_press_release_irq():
    """A pull-up button reads 1, press() drives 0 and fires a falling-edge IRQ at once."""
    c = _clock(5000)
    p = Pin(14, Pin.IN, Pin.PULL_UP)
    got = []
    p.irq(handler=lambda pin: got.append((pin.value(), c.now_us)), trigger=Pin.IRQ_FALLING)
    assert p.value() == 1
    p.press()
    assert p.value() == 0 and got == [(0, 5000)]
    c.advance_us(100)
    p.release()
    assert p.value() == 1 and len(got) == 1  # rising edge not asked for
    p.irq(handler=lambda pin: got.append(pin.value()), trigger=Pin.IRQ_RISING | Pin.IRQ_FALLING)
    p.press()
    p.release()
    assert got[1:] == [0, 1]


def test_pin_bounce():
    """bounce(n, gap) makes the next press chatter: 2n+1 falling/rising edges over time."""
    c = _clock()
    p = Pin(15, Pin.IN, Pin.PULL_UP)
    edges = []
    p.irq(handler=lambda pin: edges.append((pin.value(), c.now_us)),
          trigger=Pin.IRQ_RISING | Pin.IRQ_FALLING)
    p.bounce(2, 300)
    p.press()
    assert edges == [(0, 0), (1, 300), (0, 600), (1, 900), (0, 1200)]
    assert p.value() == 0


def test_pin_output():
    """An output pin reads back its latch; drive(None) releases an external drive."""
    p = Pin(2, Pin.OUT, value=1)
    assert p.value() == 1
    p.off()
    assert p() == 0
    p.toggle()
    assert p.value() == 1
    p.drive(0)
    assert p.value() == 0
    p.drive(None)
    assert p.value() == 1


def test_pwm_records_changes():
    """Each freq/duty change is logged with its virtual time; tones() gives sounding spans."""
    c = _clock()
    pwm = PWM(Pin(16), freq=2000, duty_u16=0)
    c.advance_us(1000)
    pwm.duty_u16(32768)
    c.advance_us(500)
    pwm.freq(4000)
    c.advance_us(500)
    pwm.duty_u16(0)
    ev = pwm.events()
    assert ev == [(0, 2000, 0), (0, 2000, 0), (1000, 2000, 32768), (1500, 4000, 32768),
                  (2000, 4000, 0)]
    assert pwm.tones() == [(1000, 1500, 2000), (1500, 2000, 4000)]
    assert not pwm.sounding()
    pwm.deinit()
    assert pwm.events()[-1] == (2000, 4000, 0)
    pwm.clear_events()
    assert pwm.events() == []


def test_pwm_rejects_too_low_freq():
    """rp2 raises ValueError below about 8 Hz (so freq(0) is not a way to mute)."""
    pwm = PWM(Pin(16))
    try:
        pwm.freq(0)
        raise AssertionError("accepted")
    except ValueError:
        pass


def _toggle(t):
    """Hard-callback body: switch the buzzer PWM and re-arm."""
    pwm = _state[0]
    pwm.duty_u16(0 if pwm.duty_u16() else 32768)
    pwm.freq(2000 + _state[1])
    _state[1] += 1
    if _state[1] < 40:
        t.init(mode=Timer.ONE_SHOT, period=250, tick_hz=1000000, hard=True, callback=_toggle)


_state = [None, 0]


def test_pwm_from_hard_timer_under_heap_lock():
    """The ISR path (Timer re-arm + PWM.duty_u16/freq recording) allocates nothing."""
    c = _clock()
    pwm = PWM(Pin(16), freq=2000, duty_u16=0)
    pwm.clear_events()
    _state[0] = pwm
    _state[1] = 0
    tm = Timer(-1)
    micropython.heap_lock()
    try:
        tm.init(mode=Timer.ONE_SHOT, period=250, tick_hz=1000000, hard=True, callback=_toggle)
        c.advance_us(100000)
    finally:
        micropython.heap_unlock()
    ev = pwm.events()
    assert len(ev) == 80
    assert ev[0] == (Board.TIMER_INIT.p50 + 250 + Board.HARD_ENTRY.p50, 2000, 32768)


def test_pwm_ring_keeps_latest():
    """Past EVENTS changes the ring keeps the newest ones in order."""
    _clock()
    pwm = PWM(Pin(16), freq=1000)
    pwm.clear_events()
    for i in range(PWM.EVENTS + 10):
        pwm.duty_u16(i)
    ev = pwm.events()
    assert len(ev) == PWM.EVENTS and pwm.changes == PWM.EVENTS + 10
    assert ev[0][2] == 10 and ev[-1][2] == PWM.EVENTS + 9


def test_i2c_cost_and_devices():
    """Writes cost 9 bits/byte (+address) of busy time; unknown addresses raise ENODEV."""
    c = _clock()
    i2c = I2C(0, scl=Pin(5), sda=Pin(4), freq=400000)
    sink = _Sink()
    i2c.attach(0x3C, sink)
    assert i2c.scan() == [0x3C]
    buf = bytearray(1025)
    buf[0] = 0x40
    i2c.writeto(0x3C, buf)
    frame_us = c.now_us
    assert 23000 <= frame_us <= 25000, frame_us
    i2c.writevto(0x3C, (b"\x00", b"\xaf"))
    assert sink.writes[-1] == b"\x00\xaf"
    try:
        i2c.writeto(0x3D, b"\x00")
        raise AssertionError("no error")
    except OSError as e:
        assert e.args[0] == 19


def test_i2c_show_delays_soft_timer_only():
    """A frame write is a busy window: a soft callback due inside it waits for the end."""
    c = _clock()
    i2c = I2C(0, freq=400000)
    i2c.attach(0x3C, _Sink())
    log = []
    th = Timer(-1)
    ts = Timer(-1)
    th.init(mode=Timer.ONE_SHOT, period=1, hard=True, callback=lambda t: log.append(c.now_us))
    ts.init(mode=Timer.ONE_SHOT, period=1, hard=False, callback=lambda t: log.append(c.now_us))
    t0 = c.now_us
    i2c.writeto(0x3C, bytearray(1025))
    end = c.now_us
    c.advance_us(1000)
    assert log[0] == Board.TIMER_INIT.p50 + 1000 + Board.HARD_ENTRY.p50
    assert log[1] == end + Board.SOFT_ENTRY.p50
    assert log[1] - (t0 + 1000) > 20000  # the soft cue came ~20 ms late


def test_wdt_starvation():
    """A WDT not fed within its timeout raises WatchdogReset out of the clock."""
    c = _clock()
    w = WDT(timeout=1000)
    for _ in range(10):
        c.sleep_ms(900)
        w.feed()
    assert machine.reset_cause() == machine.PWRON_RESET
    try:
        c.sleep_ms(1500)
        raise AssertionError("no reset")
    except WatchdogReset:
        pass
    assert c.wdt_resets == 1 and c.wdt_reset_us == 9000000 + 1000000
    assert c.now_us == c.wdt_reset_us
    assert machine.reset_cause() == machine.WDT_RESET
    try:
        WDT(timeout=9000)
        raise AssertionError("accepted 9 s")
    except ValueError:
        pass


def test_wdt_expires_inside_busy():
    """A long blocking call starves the watchdog too."""
    c = _clock()
    WDT(timeout=100)
    try:
        c.busy_us(200000)
        raise AssertionError("no reset")
    except WatchdogReset:
        assert c.now_us == 100000


def test_signatures_are_rp2s():
    # rp2 (MicroPython 1.26+): keyword-only options as in machine_pin.c, machine_pwm.c,
    # machine_i2c.c, machine_timer.c; WDT(id=0, timeout) with id 0 only
    for call in (lambda: Pin(3, Pin.IN, Pin.PULL_UP, 1),
                 lambda: PWM(Pin(16), 2000),
                 lambda: I2C(0, 400000, Pin(5)),
                 lambda: Timer(-1, 1, 100)):
        try:
            call()
            raise AssertionError("positional option accepted")
        except TypeError:
            pass
    p = Pin(3, value=1)
    assert p.mode == Pin.IN and p.pull is None
    assert I2C(0, 100000).freq == 100000
    try:
        WDT(1)
        raise AssertionError("WDT(1) accepted")
    except ValueError:
        pass
    try:
        WDT(timeout=8389)
        raise AssertionError("over the RP2040's 8388 ms")
    except ValueError as e:
        assert "8388" in str(e)
