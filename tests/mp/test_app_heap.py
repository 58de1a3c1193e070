"""Heap: what the app costs, and a main-loop pass between redraws allocates nothing."""

import gc

import app_rig
import interp
import session as ses

try:
    import micropython
    LOCK = hasattr(micropython, "heap_unlock") and hasattr(gc, "mem_free")
except ImportError:
    LOCK = False


def test_loop_pass_without_redraw_allocates_nothing():
    tab = app_rig.table([("warmup", 20, "Jog", 0), ("work", 20, "Go", 0)])
    r = app_rig.Rig(tables=[tab], with_store=False)
    a = r.app
    r.tap(r.hw.btn_a)
    r.until(lambda: a.sess.state == ses.S_RUNNING)
    r.run(2500)
    passes = 0
    for _ in range(60):  # 0.6 s around redraws: lock the heap on passes that do not draw
        shows = a.ui.shows
        will_draw = a._secs() != a._shown_secs or a._dirty
        if not will_draw and LOCK:
            micropython.heap_lock()
            try:
                a.step()
            finally:
                micropython.heap_unlock()
            passes += 1
        else:
            a.step()
        if not will_draw:
            assert a.ui.shows == shows
        r.clock.sleep_ms(a.IDLE_MS)
    if LOCK:
        assert passes > 30


def test_app_heap_cost():
    interp.micropython_only("gc.mem_free and heap_lock measure the real heap")
    gc.collect()
    f0 = gc.mem_free()
    tab = app_rig.table([("work", 20, "Go", 0)])
    r = app_rig.Rig(tables=[tab], with_store=False)
    gc.collect()
    f1 = gc.mem_free()
    r.tap(r.hw.btn_a)
    gc.collect()
    f2 = gc.mem_free()
    print("heap: rig+app+driver %d bytes, running session %d bytes" % (f0 - f1, f1 - f2))
    assert f1 - f2 < 8000  # a Session on a small plan plus its per-step arrays


def _fragment(hole):
    """Fill the free heap with blocks of `hole` bytes and free every other: no larger block."""
    gc.collect()
    keep = [None] * 4000  # made first, so filling it needs no big block
    n = 0
    try:
        while n < len(keep):
            keep[n] = bytearray(hole)
            n += 1
    except MemoryError:
        pass
    for i in range(0, n, 2):
        keep[i] = None
    gc.collect()
    return keep


def test_session_runs_without_a_1k_block():
    # After hours of use a heap is fragmented: starting and running a 300-step session (its
    # books alone would be 3.3 KB) must not need one block of 1 KB.
    interp.micropython_only("a real GC heap to fragment")
    rounds = [("repeat", 50, [("work", 2, "Go", 0), ("rest", 2, "Easy", 0)])]
    tab = app_rig.table([("repeat", 3, rounds)])
    r = app_rig.Rig(tables=[tab], with_store=False)
    a = r.app
    r.settle()
    keep = _fragment(600)
    try:
        r.tap(r.hw.btn_a)
        r.until(lambda: a.sess.state == ses.S_RUNNING)
        r.run(20000)  # ten intervals: cues, redraws, lap taps
        r.tap(r.hw.btn_b)
        r.run(2000)
        assert a.sess.n_done >= 5
    finally:
        del keep[:]
