"""CPython stand-in for the `micropython` module (MicroPython's own built-in wins there)."""
# schedule(fn, arg) only queues; run_scheduled() runs the queue. The fake VirtualClock calls
# run_scheduled() after each timer callback, as MicroPython's VM would run them right after.

SCHEDULE_DEPTH = 8  # MICROPY_SCHEDULER_DEPTH on rp2
_queue = []
_lock_depth = 0
heap_lock_calls = 0


def const(x):
    """Identity, like MicroPython's const() outside the compiler."""
    return x


def schedule(fn, arg):
    """Queue fn(arg); RuntimeError when the queue is full, like MicroPython."""
    if len(_queue) >= SCHEDULE_DEPTH:
        raise RuntimeError("schedule queue full")
    _queue.append((fn, arg))


def run_scheduled():
    """Run queued functions in order (including ones they schedule); returns how many ran."""
    n = 0
    while _queue:
        fn, arg = _queue.pop(0)
        fn(arg)
        n += 1
    return n


def pending():
    """Number of queued functions."""
    return len(_queue)


def heap_lock():
    """Count only: CPython cannot forbid allocation (the MicroPython tests check that)."""
    global _lock_depth, heap_lock_calls
    _lock_depth += 1
    heap_lock_calls += 1


def heap_unlock():
    """Returns the remaining lock depth, like MicroPython."""
    global _lock_depth
    if _lock_depth:
        _lock_depth -= 1
    return _lock_depth


def heap_locked():
    return _lock_depth


def alloc_emergency_exception_buf(size):
    """No-op."""


def mem_info(verbose=None):
    print("mem: CPython (no MicroPython heap)")


def qstr_info(verbose=None):
    print("qstr: CPython")


def stack_use():
    return 0


def opt_level(level=None):
    return 0


def kbd_intr(ch):
    """No-op on the host."""


def native(f):
    """Identity decorator."""
    return f


viper = native
asm_thumb = native
