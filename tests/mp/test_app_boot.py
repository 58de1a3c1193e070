"""What the app tells at boot: a damaged plan set, and flash too full for the next log."""

import struct

import app
import app_rig
import crc
import defaults
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
