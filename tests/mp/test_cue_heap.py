# Allocation checks: the timer-callback path and poll() under micropython.heap_lock().
# Meaningful on MicroPython (on CPython heap_lock only counts); both run the same code.
import gc
import sys

import buzzer
import cue_rig
import interp
import micropython
import session

MP = sys.implementation.name == "micropython"


def _locked(fn, arg):
    micropython.heap_lock()
    try:
        return fn(arg)
    finally:
        micropython.heap_unlock()


def _play_all(rig):
    # Every cue pattern, loaded and played edge by edge with the heap locked.
    ck = rig.clock
    for cue in range(len(buzzer.PATTERNS)):
        rig.edge.load(ck.ticks_add(ck.ticks_us(), 5000), cue)
        ck.advance_us(1200000)
    return rig.edge.n_onsets


def test_timer_callback_path_allocates_nothing():
    tab = cue_rig.table([("work", 20, "", 0)])
    rig = cue_rig.Rig(tab)
    for hard in (True, False):
        rig.edge.hard = hard
        n0 = rig.edge.n_onsets
        changes0 = rig.pwm.changes
        n = _locked(_play_all, rig)
        assert n - n0 == len(buzzer.PATTERNS)
        assert rig.pwm.changes > changes0 + 2 * len(buzzer.PATTERNS)
        assert max(rig.errors or [0]) == 0


def _loop(rig):
    # A whole session's main loop: poll(), quiet_ms() and the timer, heap locked.
    s = rig.s
    ck = rig.clock
    n = 0
    while s.state != session.S_DONE:
        s.poll()
        s.quiet_ms()
        s.remaining_ms()
        s.elapsed_ms()
        ck.sleep_ms(20)
        n += 1
    ck.sleep_ms(1000)
    return n


def test_poll_allocates_nothing_while_running():
    tab = cue_rig.table([("warmup", 10, "", 0),
                         ("repeat", 3, [("work", 20, "", 1), ("rest", 10, "", 0)]),
                         ("cooldown", 8, "", 0)], flags=1)
    rig = cue_rig.Rig(tab)
    rig.s.start()
    n = _locked(_loop, rig)
    assert n > 1000 and rig.edge.n_onsets == len(cue_rig.planned_cues(tab))
    if MP:
        assert rig.edge.max_late_us == 0


def test_poll_mem_alloc_delta():
    tab = cue_rig.table([("work", 600, "", 0)])
    rig = cue_rig.Rig(tab)
    rig.s.start()
    rig.clock.sleep_ms(5000)
    s = rig.s
    if not MP:
        interp.micropython_only("gc.mem_alloc counts real allocations")
    gc.collect()
    a0 = gc.mem_alloc()
    for _ in range(1000):
        s.poll()
    assert gc.mem_alloc() - a0 == 0
