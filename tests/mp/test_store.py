"""Plan-set storage on real LittleFS (MicroPython) or a temp dir (CPython)."""

import os

import crc
import plan
import store
import storefs


def raw(buf):
    """Table factory for tests that store opaque bytes."""
    return bytes(buf)


def picky(buf):
    """Table factory that rejects tables starting with 0xEE."""
    if buf[0] == 0xEE:
        raise ValueError("picky: bad table")
    return bytes(buf)


SET_A = [b"alpha", b"\x01\x02\x03" * 50]
SET_B = [b"bravo-table", b"x", b"y" * 700]


def test_crc32_known_vectors():
    assert crc.crc32(b"123456789") == 0xCBF43926
    assert crc.crc32_py(b"123456789") == 0xCBF43926
    assert crc.crc32(b"") == 0
    data = bytes(range(256)) * 3
    assert crc.crc32(data) == crc.crc32_py(data)
    assert crc.crc32(data[100:], crc.crc32(data[:100])) == crc.crc32(data)
    assert crc.crc32_py(data[7:], crc.crc32_py(data[:7])) == crc.crc32(data)


def test_empty_store_has_no_plans():
    root, dev = storefs.fresh()
    try:
        s = store.Store(root, table=raw)
        assert s.load_plans() == []
        assert s.free_bytes() > 0
    finally:
        storefs.release(root, dev)


def test_save_load_roundtrip_and_replace():
    root, dev = storefs.fresh()
    try:
        s = store.Store(root, table=raw)
        s.save_plans(SET_A)
        assert s.load_plans() == SET_A
        s.save_plans(SET_B)
        assert store.Store(root, table=raw).load_plans() == SET_B
        s.save_plans([])
        assert s.load_plans() == []
        assert "plans.tmp" not in os.listdir(root)
    finally:
        storefs.release(root, dev)


def test_file_format_is_pset_count_lengths_crc():
    root, dev = storefs.fresh()
    try:
        s = store.Store(root, table=raw)
        s.save_plans([b"ab", b"xyz"])
        b = storefs.read_bytes(s.path("plans.bin"))
        assert b[:4] == b"PSET" and b[4] == 2
        assert b[5:14] == b"\x02\x00ab\x03\x00xyz"
        c = crc.crc32(b[:-4])
        assert b[-4:] == bytes((c & 255, c >> 8 & 255, c >> 16 & 255, c >> 24))
    finally:
        storefs.release(root, dev)


def _expect_corrupt(s, words):
    try:
        s.load_plans()
    except store.CorruptError as e:
        msg = str(e)
        assert "plans.bin" in msg, msg
        assert words in msg, msg
        return
    raise AssertionError("corruption not reported")


def test_corrupt_set_is_reported_clearly():
    root, dev = storefs.fresh()
    try:
        s = store.Store(root, table=raw)
        s.save_plans(SET_A)
        good = storefs.read_bytes(s.path("plans.bin"))
        bad = bytearray(good)
        bad[20] ^= 0x40
        storefs.write_bytes(s.path("plans.bin"), bad)
        _expect_corrupt(s, "CRC32")
        storefs.write_bytes(s.path("plans.bin"), b"XSET" + good[4:])
        _expect_corrupt(s, "magic")
        storefs.write_bytes(s.path("plans.bin"), good[:30])
        _expect_corrupt(s, "")
        # Lengths that disagree with the content, under a valid CRC.
        body = bytearray(good[:-4])
        body[4] = 3
        c = crc.crc32(body)
        storefs.write_bytes(s.path("plans.bin"),
                            bytes(body) + bytes((c & 255, c >> 8 & 255, c >> 16 & 255, c >> 24)))
        _expect_corrupt(s, "table 2")
    finally:
        storefs.release(root, dev)


def test_invalid_table_rejected_before_flash_is_touched():
    root, dev = storefs.fresh()
    try:
        s = store.Store(root, table=picky)
        s.save_plans(SET_A)
        try:
            s.save_plans([b"fine", b"\xeebad"])
            raise AssertionError("bad table accepted")
        except ValueError as e:
            assert "picky" in str(e)
        assert s.load_plans() == SET_A
        try:
            s.save_plans([b""])
            raise AssertionError("empty table accepted")
        except store.StoreError:
            pass
        assert s.load_plans() == SET_A
    finally:
        storefs.release(root, dev)


def test_stored_table_failing_validation_is_corrupt():
    root, dev = storefs.fresh()
    try:
        store.Store(root, table=raw).save_plans([b"ok", b"\xeebad"])
        _expect_corrupt(store.Store(root, table=picky), "table 1 invalid")
    finally:
        storefs.release(root, dev)


def test_leftover_temp_is_deleted_at_boot():
    root, dev = storefs.fresh()
    try:
        s = store.Store(root, table=raw)
        s.save_plans(SET_A)
        storefs.write_bytes(s.path("plans.tmp"), b"PSET half written")
        s2 = store.Store(root, table=raw)
        assert "plans.tmp" not in os.listdir(root)
        assert s2.load_plans() == SET_A
    finally:
        storefs.release(root, dev)


def test_real_plan_tables():
    steps = [("warmup", 180, "Warm-up", 0),
             ("repeat", 6, [("work", 20, "High knees", 0), ("rest", 40, "Walk", 0)]),
             ("cooldown", 180, "Stretch", 0)]
    a = plan.encode({"title": "Beginner", "flags": 0, "steps": steps})
    b = plan.encode({"title": "Sprints", "flags": 0, "steps": [("work", 0, "20 m", 0)]})
    root, dev = storefs.fresh()
    try:
        s = store.Store(root)
        s.save_plans([a, b])
        tables = store.Store(root).load_plans()
        assert [t.title() for t in tables] == ["Beginner", "Sprints"]
        assert tables[0].step_count() == 14
        try:
            s.save_plans([a, b"\x01\x00\x01\x00junk"])
            raise AssertionError("invalid table accepted")
        except plan.PlanError:
            pass
        assert len(s.load_plans()) == 2
    finally:
        storefs.release(root, dev)


def test_full_flash_on_save_keeps_old_set():
    if not storefs.MP:
        return  # needs a filesystem that can fill up: LittleFS under MicroPython
    root, dev = storefs.fresh(blocks=12)
    try:
        s = store.Store(root, table=raw)
        s.save_plans(SET_A)
        big = [bytes([i]) * 1000 for i in range(12)]
        try:
            s.save_plans(big)
            raise AssertionError("expected FlashFull")
        except store.FlashFull as e:
            assert "flash full" in str(e)
        assert s.load_plans() == SET_A
        assert "plans.tmp" not in os.listdir(root)
    finally:
        storefs.release(root, dev)


def test_power_cut_during_save_leaves_old_or_new_set():
    if not storefs.MP:
        return  # power cuts are simulated in the block device: LittleFS only
    root, dev = storefs.fresh(blocks=16)
    try:
        s = store.Store(root, table=raw)
        s.save_plans(SET_A)
        cuts = 0
        n = 0  # n ops land, the next is torn: every cut point until a save completes uncut
        while True:
            dev.cut_power_after(n)
            try:
                s.save_plans(SET_B)
                done = True
            except storefs.PowerCut:
                done = False
                cuts += 1
            storefs.remount(root, dev)
            s = store.Store(root, table=raw)
            got = s.load_plans()
            assert got == SET_A or got == SET_B, (n, got)
            assert "plans.tmp" not in os.listdir(root)
            if done:
                assert got == SET_B
                break
            if got == SET_B:
                s.save_plans(SET_A)  # the rename landed: go back to the old set for the next cut
            n += 1
        assert cuts == n >= 5, (cuts, n)
        assert dev.violations == 0  # LittleFS never programmed a bit back to 1
    finally:
        storefs.release(root, dev)
