"""CPython-only checks of the fakes: the micropython stand-in and its scheduler hook."""

import os

import machine
import micropython
import pytest
import rp2model  # noqa: E402
from vclock import VirtualClock

FAKES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "host_tools",
                     "sim", "fakes")


def test_fake_micropython_is_the_one_imported():
    """The fakes dir shadows Blinka's `micropython` shim on CPython."""
    assert os.path.dirname(os.path.abspath(micropython.__file__)) == FAKES
    assert micropython.const(5) == 5
    assert micropython.native(len) is len and micropython.viper(len) is len


def test_schedule_queue_and_limit():
    """schedule() queues; run_scheduled() runs in order; a full queue raises RuntimeError."""
    got = []
    for i in range(micropython.SCHEDULE_DEPTH):
        micropython.schedule(got.append, i)
    with pytest.raises(RuntimeError):
        micropython.schedule(got.append, 99)
    assert micropython.run_scheduled() == micropython.SCHEDULE_DEPTH
    assert got == list(range(micropython.SCHEDULE_DEPTH))


def test_scheduled_from_hard_callback_runs_after_it():
    """As on MicroPython, a function scheduled by a hard callback runs right after it returns."""
    c = VirtualClock()
    machine.set_clock(c)
    order = []

    def later(arg):
        order.append(("later", arg, c.now_us))

    def hard(t):
        micropython.schedule(later, 7)
        order.append(("hard", c.now_us))

    tm = machine.Timer(-1, mode=machine.Timer.ONE_SHOT, period=1, callback=hard, hard=True)
    c.advance_ms(5)  # tm is kept: an unreferenced Timer dies at a collection, as on rp2
    del tm
    t = rp2model.Board.TIMER_INIT.p50 + 1000 + rp2model.Board.HARD_ENTRY.p50
    assert order == [("hard", t), ("later", 7, t)]


def test_heap_lock_counts():
    """heap_lock/heap_unlock only count on CPython."""
    micropython.heap_lock()
    micropython.heap_lock()
    assert micropython.heap_locked() == 2
    assert micropython.heap_unlock() == 1
    assert micropython.heap_unlock() == 0
    micropython.alloc_emergency_exception_buf(100)


def test_paced_sleep_really_sleeps():
    """Paced at 20x, sleep_ms(200) takes about 10 ms of real time."""
    import time

    c = VirtualClock()
    c.set_pace(20)
    t0 = time.monotonic()
    c.sleep_ms(200)
    real = time.monotonic() - t0
    assert 0.009 <= real < 0.1
    assert c.now_us >= 200000
