"""What the app tells at boot: a damaged plan set, and flash too full for the next log."""

import struct

import app
import app_rig
import crc
import cue_rig
import defaults
import logbook
import plan
import screen
import store


def _boot(r):
    """Boot a new App on the rig's hardware, screen, store and logbook (like a reset)."""
    a = app.App(r.hw, store=r.store, logbook=r.logbook, fb=r.fb)
    r.app = a
    r._seen = a.edge.n_onsets
    return a


def _write(path, data):
    f = open(path, "wb")
    f.write(data)
    f.close()


def _read(path):
    f = open(path, "rb")
    try:
        return f.read()
    finally:
        f.close()


def _bad_table_set():
    """A plan set whose CRC32 is right but whose one table is not a table."""
    body = store.MAGIC + bytes((1,)) + struct.pack("<H", 7) + b"garbage"
    return body + struct.pack("<I", crc.crc32(body))


def test_damaged_plan_set_is_shown_on_the_menu():
    r = app_rig.Rig()  # real LittleFS on MicroPython, a temp dir on CPython
    st = r.store
    mine = app_rig.table([("work", 60, "", 0)], "Mine").buf
    path = st.path(store.PLANS)
    for damage in ("flip", "cut", "table"):
        st.save_plans([mine])
        good = _read(path)
        if damage == "flip":
            b = bytearray(good)
            b[len(b) // 2] ^= 0x40
            _write(path, b)
        elif damage == "cut":
            _write(path, good[:-3])
        else:
            _write(path, _bad_table_set())
        a = _boot(r)
        assert a.damaged, damage
        assert [t.title() for t in a.tables] == [plan.Table(b).title() for b in defaults.PLANS]
        r.settle()
        sc = r.screen
        assert screen.has_inverted_text(sc, "PLANS DAMAGED", 56), damage
        assert screen.has_text(sc, "BUILT-IN 1/%d" % len(defaults.PLANS), 0, 0)
        assert screen.has_text(sc, "Beginner speed s", 14, 0)
        r.run(5000)
        assert screen.has_inverted_text(sc, "PLANS DAMAGED", 56)  # stays until a press
        r.tap(r.hw.btn_b)
        r.settle()
        assert not screen.has_inverted_text(sc, "PLANS DAMAGED", 56)
        assert screen.has_text(sc, "A:go B:> C:<", 56, 0)
        assert screen.has_text(sc, "BUILT-IN 2/%d" % len(defaults.PLANS), 0, 0)  # still says
    # a good set again: no warning, the stored plans
    st.save_plans([mine])
    a = _boot(r)
    assert not a.damaged and [t.title() for t in a.tables] == ["Mine"]
    r.settle()
    assert screen.has_text(r.screen, "PLAN 1/1", 0, 0)
    assert screen.has_text(r.screen, "A:go B:> C:<", 56, 0)
    assert not screen.has_inverted_text(r.screen, "PLANS DAMAGED", 56)


def test_no_stored_set_is_not_damage():
    r = app_rig.Rig()
    assert not r.app.damaged
    r.settle()
    assert screen.has_text(r.screen, "PLAN 1/%d" % len(defaults.PLANS), 0, 0)
    assert not screen.has_inverted_text(r.screen, "PLANS DAMAGED", 56)


# ----- flash too full for the next log, known at boot -----

class TinyStore(store.Store):
    """CPython has no small filesystem: a store whose free space the test sets."""

    free = None

    def free_bytes(self):
        return self.free if self.free is not None else store.Store.free_bytes(self)


SHORT = [("work", 3, "Go", 0), ("rest", 2, "", 0)]


def _filled_fs():
    """(root, dev, store, logbook) on flash filled with logs, opened again (a reboot)."""
    import storefs

    if not storefs.MP:
        root, dev = storefs.fresh()
        st = TinyStore(root)
        st.free = logbook.RESERVE_BLOCKS * st.block_size() + logbook.record_size(0) - 1
        return root, dev, st, logbook.Logbook(st)
    root, dev = storefs.fresh(blocks=24)
    lb = logbook.Logbook(store.Store(root))
    n = 0
    for k in (12, 0):  # sessions of 12 intervals, then empty records: nothing fits after
        while True:
            try:
                lb.append(storefs.LoggedSession(k), 1, 1700000000, 5)
            except store.FlashFull:
                break
            n += 1
            assert n < 400, "never filled up"
    storefs.remount(root, dev)
    st = store.Store(root)
    lb = logbook.Logbook(st)
    assert not lb.full and lb.last_seq == n  # a fresh boot does not know yet
    return root, dev, st, lb


def test_flash_full_known_at_boot():
    import storefs

    r = app_rig.Rig(with_store=False)
    root, dev, st, lb = _filled_fs()
    try:
        r.store, r.logbook = st, lb
        a = _boot(r)
        assert a.full and lb.full
        r.settle()
        assert screen.has_text(r.screen, "FULL", 0, 96)  # before any training
        # timing still works; the log is refused at the end and the warning screen says so
        a.tables = [app_rig.table(SHORT)]
        r.tap(r.hw.btn_a)
        r.until(lambda: a.mode == app.M_RPE, 20000)
        errs = [act - pl for pl, act in r.onsets]
        assert len(errs) >= 6 and cue_rig.on_time(errs), errs
        r.tap(r.hw.btn_a)
        r.until(lambda: a.mode == app.M_FULL, 3000)
        assert a.seq == -1 and a.full
    finally:
        storefs.release(root, dev)


def test_longest_plan_decides():
    import storefs

    r = app_rig.Rig(with_store=False)
    root, dev = storefs.fresh(blocks=14)  # 7 KB of 512-byte blocks
    try:
        st = TinyStore(root)
        if not storefs.MP:
            st.free = logbook.RESERVE_BLOCKS * st.block_size() + logbook.record_size(20)
        lb = logbook.Logbook(st)
        short = app_rig.table(SHORT, "Short").buf
        long_ = app_rig.table([("repeat", 50, [("repeat", 5, [("work", 20, "", 0),
                                                              ("rest", 10, "", 0)])])],
                              "Long").buf
        st.save_plans([short, long_])
        r.store, r.logbook = st, lb
        a = _boot(r)
        assert [t.step_count() for t in a.tables] == [2, 500]
        need = logbook.record_size(500) + logbook.RESERVE_BLOCKS * st.block_size()
        assert st.free_bytes() < need, (st.free_bytes(), need)
        assert a.full  # no room for the 500-interval log
        assert lb.room_for(12)  # though a short session's log would fit
        r.settle()
        assert screen.has_text(r.screen, "FULL", 0, 96)
        st.save_plans([short])
        lb.full = False
        a = _boot(r)
        assert not a.full and not lb.full
        r.settle()
        assert not screen.has_text(r.screen, "FULL", 0)
        assert screen.has_text(r.screen, "PLAN 1/1", 0, 0)
    finally:
        storefs.release(root, dev)
