"""Buttons: debounce bouncing edges, short vs long press, decided in the loop in virtual time."""

import buttons
import machine
import vclock


def make():
    clock = vclock.VirtualClock()
    machine.set_clock(clock)
    pins = [machine.Pin(n, machine.Pin.IN, machine.Pin.PULL_UP) for n in (10, 11, 12)]
    return clock, pins, buttons.Buttons(pins[0], pins[1], pins[2], clock)


def run(clock, btns, ms, step_ms=5):
    """Poll every step_ms for ms; the events seen, in order."""
    out = []
    for _ in range(ms // step_ms):
        ev = btns.poll()
        if ev:
            out.append(ev)
        clock.sleep_ms(step_ms)
    return out


def test_short_press_with_bouncing_edges():
    clock, pins, btns = make()
    assert run(clock, btns, 50) == []
    pins[0].bounce(5, 300)  # 5 chatters 0.3 ms apart on the way down
    pins[0].press()
    assert pins[0].irq_count == 11  # the IRQ saw every edge
    assert run(clock, btns, 150) == []  # nothing until released
    assert btns.a.down
    pins[0].bounce(4, 500)
    pins[0].release()
    assert run(clock, btns, 100) == [buttons.A_SHORT]
    assert not btns.any_down()


def test_bounce_between_polls_is_not_a_press():
    clock, pins, btns = make()
    run(clock, btns, 30)
    # A glitch shorter than the debounce time, entirely between two polls: the IRQ stamp
    # restarts the settle window, the level is back up, nothing is reported.
    pins[1].drive(0)
    clock.advance_us(2000)
    pins[1].drive(1)
    assert run(clock, btns, 100) == []
    # A 10 ms dip seen by the loop is still shorter than debounce_ms
    pins[1].drive(0)
    assert run(clock, btns, 10) == []
    pins[1].drive(1)
    assert run(clock, btns, 100) == []


def test_long_press_fires_while_held_and_release_is_silent():
    clock, pins, btns = make()
    pins[2].press()
    evs = run(clock, btns, buttons.Button.long_ms - 50)
    assert evs == []
    evs = run(clock, btns, 200)
    assert evs == [buttons.C_LONG]
    assert run(clock, btns, 2000) == []  # holding longer sends nothing more
    pins[2].release()
    assert run(clock, btns, 100) == []


def test_short_long_boundary_in_virtual_time():
    clock, pins, btns = make()
    # held for long_ms - 60 ms (including the 20 ms debounce) -> short
    pins[1].press()
    ev1 = run(clock, btns, buttons.Button.long_ms - 60)
    pins[1].release()
    ev1 += run(clock, btns, 60)
    assert ev1 == [buttons.B_SHORT]
    pins[1].press()
    ev2 = run(clock, btns, buttons.Button.long_ms + 60)
    pins[1].release()
    ev2 += run(clock, btns, 60)
    assert ev2 == [buttons.B_LONG]


def test_two_buttons_at_once_both_reported():
    clock, pins, btns = make()
    pins[0].press()
    pins[2].press()
    evs = run(clock, btns, 60)
    pins[0].release()
    pins[2].release()
    evs += run(clock, btns, 100)
    assert sorted(evs) == [buttons.A_SHORT, buttons.C_SHORT]


def test_timings_are_class_attributes():
    class Slow(buttons.Button):
        long_ms = 2000

    clock = vclock.VirtualClock()
    machine.set_clock(clock)
    pin = machine.Pin(3, machine.Pin.IN, machine.Pin.PULL_UP)
    b = Slow(pin, clock, buttons.A_SHORT, buttons.A_LONG)
    pin.press()
    evs = []
    for _ in range(300):  # 1.5 s
        ev = b.poll(clock.ticks_ms())
        if ev:
            evs.append(ev)
        clock.sleep_ms(5)
    assert evs == []
    for _ in range(200):
        ev = b.poll(clock.ticks_ms())
        if ev:
            evs.append(ev)
        clock.sleep_ms(5)
    assert evs == [buttons.A_LONG]


def test_isr_allocates_nothing():
    clock, pins, btns = make()
    try:
        import micropython
        lock = micropython.heap_lock
        unlock = micropython.heap_unlock
    except (ImportError, AttributeError):
        return  # CPython: nothing to check
    isr = btns.a._isr_ref
    lock()
    try:
        for _ in range(10):
            isr(pins[0])
    finally:
        unlock()
    assert btns.a._irq_n[0] == 10
