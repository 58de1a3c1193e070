"""CPython only (weak Timer registry): an unreferenced Timer dies at gc.collect(), as on rp2."""

import gc

import machine
import vclock


def test_unreferenced_timer_is_cancelled_by_gc():
    clock = vclock.VirtualClock()
    machine.set_clock(clock)
    hits = [0]

    def cb(_t):
        hits[0] += 1

    t = machine.Timer(-1, mode=machine.Timer.PERIODIC, period=100, callback=cb)
    clock.advance_ms(1050)
    assert hits[0] == 10
    del t
    gc.collect()
    clock.advance_ms(1000)
    assert hits[0] == 10  # its finaliser cancelled the alarm: what killed the old REPL feeder
