"""VirtualClock + fake Timer: ordering, latency, busy windows, re-arm, wrap (both interpreters)."""

import machine
import micropython
from machine import Timer
from rp2model import Board
from vclock import TICKS_PERIOD, VirtualClock

# Unseeded, the fake draws every cost at its measured median (rp2model.py).
H = Board.HARD_ENTRY.p50
S = Board.SOFT_ENTRY.p50
A = Board.TIMER_INIT.p50


def _clock(start=0):
    """Fresh clock bound to the fake machine module."""
    c = VirtualClock(start)
    machine.set_clock(c)
    return c


def test_ticks_wrap_like_micropython():
    """ticks_us wraps at 2**30 and ticks_diff/ticks_add are wrap-safe."""
    c = _clock(TICKS_PERIOD - 5000000)
    t0 = c.ticks_us()
    assert t0 == TICKS_PERIOD - 5000000
    c.advance_us(6000000)
    t1 = c.ticks_us()
    assert t1 == 1000000
    assert c.ticks_diff(t1, t0) == 6000000
    assert c.ticks_diff(t0, t1) == -6000000
    assert c.ticks_add(t0, 6000000) == t1
    assert c.ticks_add(5, -10) == TICKS_PERIOD - 5
    assert c.ticks_diff(0, TICKS_PERIOD // 2) == -(TICKS_PERIOD // 2)
    assert c.now_us == TICKS_PERIOD + 1000000
    try:
        c.ticks_add(0, TICKS_PERIOD // 2)
        raise AssertionError("no overflow")
    except OverflowError:
        pass


def test_ticks_ms_wraps():
    """ticks_ms is now_us // 1000, wrapped."""
    c = _clock((TICKS_PERIOD - 3) * 1000)
    assert c.ticks_ms() == TICKS_PERIOD - 3
    c.sleep_ms(5)
    assert c.ticks_ms() == 2
    assert c.ticks_diff(c.ticks_ms(), TICKS_PERIOD - 3) == 5


def test_timers_fire_in_time_order():
    """Callbacks run in alarm order at alarm + latency, whatever the creation order."""
    c = _clock()
    log = []
    ta = Timer(-1)
    tb = Timer(-1)
    ta.init(mode=Timer.ONE_SHOT, period=3000, tick_hz=1000000, hard=True,
            callback=lambda t: log.append(("a", c.now_us)))
    tb.init(mode=Timer.ONE_SHOT, period=1000, tick_hz=1000000, hard=True,
            callback=lambda t: log.append(("b", c.now_us)))
    assert c.now_us == 2 * A
    c.advance_us(10000)
    assert log == [("b", 2 * A + 1000 + H), ("a", A + 3000 + H)]
    assert not ta.armed() and not tb.armed()
    assert c.now_us == 2 * A + 10000


def test_arm_cost_and_tick_hz():
    """init() spends ARM_COST_US before the alarm; period counts tick_hz ticks."""
    c = _clock(1000)
    t = Timer(-1)
    t.init(mode=Timer.ONE_SHOT, period=5, callback=None)  # 5 ms at the default 1 kHz
    assert c.now_us == 1000 + A
    assert t.alarm_us() == 1000 + A + 5000
    t.init(mode=Timer.ONE_SHOT, period=-10, tick_hz=1000000, callback=None)
    assert t.alarm_us() - c.now_us > 10 ** 9  # rp2 casts to uint64: effectively never
    t.deinit()


def test_busy_delays_soft_not_hard():
    """Under busy_us a hard callback runs on time, a soft one at busy end + SOFT_LATENCY_US."""
    c = _clock()
    log = []
    th = Timer(-1)
    ts = Timer(-1)
    th.init(mode=Timer.ONE_SHOT, period=5000, tick_hz=1000000, hard=True,
            callback=lambda t: log.append(("hard", c.now_us)))
    ts.init(mode=Timer.ONE_SHOT, period=5000, tick_hz=1000000, hard=False,
            callback=lambda t: log.append(("soft", c.now_us)))
    start = c.now_us
    c.busy_us(25000)  # e.g. an SSD1306 show()
    assert log == [("hard", A + 5000 + H)]
    assert c.now_us == start + 25000
    c.advance_us(S - 1)
    assert len(log) == 1
    c.advance_us(1)
    assert log[1] == ("soft", start + 25000 + S)


def test_soft_on_time_when_idle():
    """Without a busy window a soft callback starts SOFT_LATENCY_US after its alarm."""
    c = _clock()
    got = []
    tm = Timer(-1, mode=Timer.ONE_SHOT, period=2, callback=lambda t: got.append(c.now_us))
    c.sleep_ms(10)
    assert got == [A + 2000 + S] and not tm.armed()


def test_stall_delays_hard_too():
    """stall_us (flash erase: interrupts off) delays even hard callbacks."""
    c = _clock()
    got = []
    t = Timer(-1)
    t.init(mode=Timer.ONE_SHOT, period=1000, tick_hz=1000000, hard=True,
           callback=lambda t: got.append(c.now_us))
    c.stall_us(45000)
    assert got == []
    c.advance_us(H)
    assert got == [A + 45000 + H]


def test_rearm_from_callback():
    """A one-shot re-armed inside its callback keeps firing (buzzer edge chain)."""
    c = _clock()
    times = []

    def edge(t):
        times.append(c.now_us)
        if len(times) < 5:
            t.init(mode=Timer.ONE_SHOT, period=1000, tick_hz=1000000, hard=True, callback=edge)

    tm = Timer(-1)
    tm.init(mode=Timer.ONE_SHOT, period=1000, tick_hz=1000000, hard=True, callback=edge)
    c.advance_us(100000)
    assert len(times) == 5
    for i in range(1, 5):
        assert times[i] - times[i - 1] == A + 1000 + H  # each re-arm lands cost + latency late
    assert not tm.armed()


def test_periodic_no_drift():
    """PERIODIC re-arms from its own deadline: the n-th call is at alarm0 + n*period."""
    c = _clock()
    times = []
    tm = Timer(-1)
    tm.init(mode=Timer.PERIODIC, period=10, callback=lambda t: times.append(c.now_us), hard=True)
    c.busy_us(3000)
    c.advance_ms(1000)
    tm.deinit()
    assert len(times) == 100
    for i, t in enumerate(times):
        assert t == A + (i + 1) * 10000 + H


def test_periodic_freq():
    """freq= sets the period in Hz."""
    c = _clock()
    n = []
    tm = Timer(-1, mode=Timer.PERIODIC, freq=1000, callback=n.append)
    c.advance_us(100000)
    tm.deinit()
    assert len(n) == 99 and n[0] is tm  # the first alarm is at A + 1000 us


def test_timer_wrap():
    """A deadline across the ticks wrap fires at the right absolute time."""
    c = _clock(TICKS_PERIOD - 500)
    got = []
    t0 = c.ticks_us()
    deadline = c.ticks_add(t0, 2000)
    period = c.ticks_diff(deadline, c.ticks_us())
    tm = Timer(-1)
    tm.init(mode=Timer.ONE_SHOT, period=period, tick_hz=1000000, hard=True,
            callback=lambda t: got.append(c.ticks_us()))
    c.advance_us(5000)
    assert got == [(deadline + A + H) & (TICKS_PERIOD - 1)]
    assert got[0] < 5000


def test_jitter_seeded_range():
    """jitter(seed) draws latencies in the measured ranges, reproducibly."""
    c = _clock()
    c.jitter(7)
    a = [c.draw_latency(True) for _ in range(50)] + [c.draw_latency(False) for _ in range(50)]
    c.jitter(7)
    b = [c.draw_latency(True) for _ in range(50)] + [c.draw_latency(False) for _ in range(50)]
    assert a == b
    assert min(a[:50]) >= 12 and max(a[:50]) <= 17 and len(set(a[:50])) > 1
    assert min(a[50:]) >= 35 and max(a[50:]) <= 50
    c.jitter(None)
    assert c.draw_latency(True) == H


def _edge_cb(t):
    """Hard-callback body: re-arm and read ticks, as the buzzer edge does."""
    clk = machine.get_clock()
    _buf[0] = clk.ticks_diff(clk.ticks_us(), _buf[1])
    if _buf[2] > 0:
        _buf[2] -= 1
        t.init(mode=Timer.ONE_SHOT, period=500, tick_hz=1000000, hard=True, callback=_edge_cb)


_buf = [0, 0, 0]


def test_dispatch_and_init_allocate_nothing():
    """Timer.init, re-arm in the callback and the dispatch loop run under heap_lock."""
    c = _clock()
    tm = Timer(-1)
    _buf[2] = 20
    cb = _edge_cb
    micropython.heap_lock()
    try:
        tm.init(mode=Timer.ONE_SHOT, period=500, tick_hz=1000000, hard=True, callback=cb)
        c.advance_us(50000)
        c.busy_us(1000)
        c.sleep_ms(2)
    finally:
        micropython.heap_unlock()
    assert _buf[2] == 0
    assert c.fired == 21


def test_epoch_time():
    """The RTC starts at 2021-01-01; set_epoch moves it; localtime/mktime round-trip."""
    c = _clock()
    assert c.localtime()[:6] == (2021, 1, 1, 0, 0, 0)
    c.set_epoch(c.mktime((2024, 2, 29, 23, 59, 58)))
    c.advance_ms(3000)
    t = c.localtime()
    assert t[:6] == (2024, 3, 1, 0, 0, 1)
    assert t[6] == 4  # Friday
    assert t[7] == 61
    assert c.mktime(t) == c.time()


def test_paced_follows_real_time():
    """set_pace(speed): virtual time tracks real time * speed and never goes back."""
    c = _clock()
    got = []
    tm = Timer(-1)
    tm.init(mode=Timer.ONE_SHOT, period=30, callback=lambda t: got.append(c.now_us), hard=True)
    c.set_pace(10)
    v0 = c.now_us
    c.sleep_ms(100)  # ~10 ms of real time
    assert c.now_us >= v0 + 100000
    assert len(got) == 1 and got[0] == A + 30000 + H
    prev = c.ticks_us()
    for _ in range(20):
        now = c.ticks_us()
        assert c.ticks_diff(now, prev) >= 0
        prev = now
    c.set_pace(0)
