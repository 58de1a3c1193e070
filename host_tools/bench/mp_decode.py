# MicroPython: decode time and heap allocation per step of a table given as hex in argv[2].
import gc
import sys
import time

import micropython

sys.path.insert(0, sys.argv[1] + "/firmware")
import plan  # noqa: E402


def measure(c, rounds):
    """Steps decoded, microseconds, heap bytes allocated (locals only: no dict growth)."""
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    t0 = time.ticks_us()
    steps = 0
    r = 0
    while r < rounds:
        c.reset()
        while c.next():
            steps += 1
        r += 1
    dt = time.ticks_diff(time.ticks_us(), t0)
    alloc = gc.mem_alloc() - before
    gc.enable()
    return steps, dt, alloc


def under_heap_lock(c):
    """1 if a whole pass runs with allocation forbidden."""
    micropython.heap_lock()
    try:
        c.reset()
        while c.next():
            pass
        return 1
    except MemoryError:
        return 0
    finally:
        micropython.heap_unlock()


cur = plan.Cursor(plan.Table(bytes.fromhex(sys.argv[2])))
s, us, a = measure(cur, int(sys.argv[3]))
print(s, us, a, under_heap_lock(cur))
