"""Logbook on real LittleFS (MicroPython) or a temp dir (CPython): records, tears, acks."""

import os

import logbook
import store
import storefs


def check(rec, n, k, seq):
    """rec is what storefs.LoggedSession(n, k) appended as seq."""
    s = storefs.LoggedSession(n, k)
    assert rec["seq"] == seq, (rec["seq"], seq)
    assert rec["plan_hash"] == (0xDEAD0000 + k) & 0xFFFFFFFF
    assert rec["start_s"] == 1700000000 + k
    assert rec["rpe"] == k % 11
    assert rec["paused_ms"] == s.paused_ms
    assert len(rec["intervals"]) == n
    for i in range(n):
        assert tuple(rec["intervals"][i]) == (s.planned_ms[i], s.actual_ms[i], s.flags[i],
                                              s.laps[i], logbook.NO_KIND, logbook.NO_LABEL)


def add(lb, n, k):
    return lb.append(storefs.LoggedSession(n, k), 0xDEAD0000 + k, 1700000000 + k, k % 11)


def segs(root):
    return sorted(os.listdir(root + "/log"))


def test_record_size_for_twelve_intervals():
    assert logbook.record_size(12) == 193
    assert logbook.record_size(14, 20) == 239
    rec = logbook.encode(5, 1, 2, 1, 7, 3, [(1, 2, 3, 4)])
    d = logbook.decode(rec)
    assert d["seq"] == 5 and d["end_reason"] == 1 and d["rpe"] == 7
    assert [tuple(i) for i in d["intervals"]] == [(1, 2, 3, 4, 0xFF, 0xFF)]
    assert d["title"] == "" and d["worst_onset_us"] == 0xFFFF and not d["rtc_set"]
    bad = bytearray(rec)
    bad[10] ^= 1
    try:
        logbook.decode(bad)
        raise AssertionError("damage not detected")
    except ValueError:
        pass


def test_append_and_read_back_across_reboots():
    root, dev = storefs.fresh(blocks=64)
    try:
        lb = logbook.Logbook(store.Store(root))
        assert list(lb.records()) == [] and lb.last_seq == 0
        assert add(lb, 12, 0) == 1
        assert add(lb, 0, 1) == 2
        assert add(lb, 3, 2) == 3
        storefs.remount(root, dev)
        lb = logbook.Logbook(store.Store(root))
        assert lb.repaired == 0
        recs = list(lb.records())
        assert [r["seq"] for r in recs] == [1, 2, 3]
        check(recs[0], 12, 0, 1)
        check(recs[1], 0, 1, 2)
        check(recs[2], 3, 2, 3)
        assert add(lb, 4, 3) == 4
        assert [r["seq"] for r in lb.records(from_seq=3)] == [3, 4]
        assert lb.unsynced_count() == 4
    finally:
        storefs.release(root, dev)


def test_values_are_clamped_and_rpe_checked():
    root, dev = storefs.fresh(blocks=64)
    try:
        lb = logbook.Logbook(store.Store(root))
        s = storefs.LoggedSession(2)
        s.laps[0] = 100000
        s.actual_ms[1] = -5
        s.paused_ms = 1 << 40
        lb.append(s, -1, 0, 0)
        r = list(lb.records())[0]
        assert r["intervals"][0][3] == 0xFFFF and r["intervals"][1][1] == 0
        assert r["paused_ms"] == 0xFFFFFFFF and r["plan_hash"] == 0xFFFFFFFF
        for bad in (-1, 11):
            try:
                lb.append(storefs.LoggedSession(1), 0, 0, bad)
                raise AssertionError("rpe %d accepted" % bad)
            except ValueError:
                pass
        assert lb.last_seq == 1
    finally:
        storefs.release(root, dev)


def test_torn_tail_cut_at_every_length():
    root, dev = storefs.fresh(blocks=64)
    try:
        lb = logbook.Logbook(store.Store(root))
        for k in range(3):
            add(lb, 5, k)
        path = root + "/log/" + segs(root)[0]
        full = storefs.read_bytes(path)
        last = logbook.record_size(5)
        good = len(full) - last
        for cut in range(good + 1, len(full)):
            storefs.write_bytes(path, full[:cut])
            storefs.remount(root, dev)
            lb = logbook.Logbook(store.Store(root))
            assert lb.repaired == 1, cut
            assert len(storefs.read_bytes(path)) == good
            assert [r["seq"] for r in lb.records()] == [1, 2]
            assert lb.last_seq == 2
        assert add(lb, 5, 2) == 3
        check(list(lb.records())[2], 5, 2, 3)
    finally:
        storefs.release(root, dev)


def test_bad_crc_in_last_record_is_cut():
    root, dev = storefs.fresh(blocks=64)
    try:
        lb = logbook.Logbook(store.Store(root))
        add(lb, 4, 0)
        add(lb, 4, 1)
        path = root + "/log/" + segs(root)[0]
        b = bytearray(storefs.read_bytes(path))
        b[-6] ^= 0x10
        storefs.write_bytes(path, b)
        lb = logbook.Logbook(store.Store(root))
        assert lb.repaired == 1 and lb.last_seq == 1
        assert [r["seq"] for r in lb.records()] == [1]
        # Garbage after a good record is cut too.
        storefs.write_bytes(path, storefs.read_bytes(path) + b"\xa7\xff")
        lb = logbook.Logbook(store.Store(root))
        assert lb.repaired == 1 and [r["seq"] for r in lb.records()] == [1]
        # A torn first record leaves an empty segment: it is removed.
        storefs.write_bytes(path, b"\xa7\x10")
        lb = logbook.Logbook(store.Store(root))
        assert lb.repaired == 1 and segs(root) == [] and list(lb.records()) == []
    finally:
        storefs.release(root, dev)


def test_damage_before_the_end_is_kept_not_cut():
    root, dev = storefs.fresh(blocks=64)
    try:
        lb = logbook.Logbook(store.Store(root))
        for k in range(3):
            add(lb, 4, k)
        path = root + "/log/" + segs(root)[0]
        b = bytearray(storefs.read_bytes(path))
        b[logbook.record_size(4) + 10] ^= 0x10  # inside record 2 of 3
        storefs.write_bytes(path, b)
        lb = logbook.Logbook(store.Store(root))
        assert lb.damaged == 1 and lb.repaired == 0
        assert storefs.read_bytes(path) == bytes(b)  # nothing dropped
        assert [r["seq"] for r in lb.records()] == [1]
        seq = add(lb, 4, 9)
        assert seq > 3, seq  # never reuses a seq that may sit behind the damage
        assert len(segs(root)) == 2  # never appends after damage
        assert [r["seq"] for r in lb.records()] == [1, seq]
    finally:
        storefs.release(root, dev)


def test_segments_roll_and_compact_only_acked():
    root, dev = storefs.fresh(blocks=96)
    try:
        lb = logbook.Logbook(store.Store(root))
        for k in range(60):
            add(lb, 12, k)  # 193 bytes each: 20 a segment
        names = segs(root)
        assert len(names) == 3, names
        assert lb.compact() == 0  # nothing acked
        assert lb.ack(30) == 30
        assert lb.ack(10) == 30  # acks never go back
        assert lb.compact() == 1  # seqs 1..20; 21..40 still holds unacked 31..
        assert [r["seq"] for r in lb.records()][0] == 21
        assert [r["seq"] for r in lb.unsynced()] == list(range(31, 61))
        assert lb.unsynced_count() == 30
        storefs.remount(root, dev)
        lb = logbook.Logbook(store.Store(root))
        assert lb.acked == 30 and lb.last_seq == 60
        assert lb.ack(999) == 60  # clamped to what exists
        assert lb.compact() == 1  # the newest segment is kept: it carries the last seq
        assert [r["seq"] for r in lb.records()] == list(range(41, 61))
        assert lb.unsynced_count() == 0
        storefs.remount(root, dev)
        lb = logbook.Logbook(store.Store(root))
        assert add(lb, 1, 0) == 61
    finally:
        storefs.release(root, dev)


def test_seq_survives_when_only_the_cursor_remembers():
    root, dev = storefs.fresh(blocks=64)
    try:
        lb = logbook.Logbook(store.Store(root))
        for k in range(3):
            add(lb, 1, k)
        lb.ack(3)
        for name in segs(root):
            os.remove(root + "/log/" + name)
        lb = logbook.Logbook(store.Store(root))
        assert add(lb, 1, 0) == 4
        # A damaged cursor counts as "nothing acked": nothing may be dropped.
        storefs.write_bytes(root + "/ack.bin", b"\x00" * 8)
        lb = logbook.Logbook(store.Store(root))
        assert lb.acked == 0 and lb.unsynced_count() == 1
    finally:
        storefs.release(root, dev)


class TinyStore(store.Store):
    """A store whose free space the test sets (CPython has no small filesystem)."""

    free = 1 << 20

    def free_bytes(self):
        return self.free


def test_full_flash_reported_and_recovers_after_ack():
    root, dev = storefs.fresh(blocks=64)
    try:
        st = TinyStore(root)
        lb = logbook.Logbook(st)
        for k in range(30):
            add(lb, 12, k)
        st.free = logbook.RESERVE_BLOCKS * st.block_size() + 100
        try:
            add(lb, 12, 30)
            raise AssertionError("expected FlashFull")
        except store.FlashFull as e:
            assert "flash full" in str(e)
        assert lb.full and lb.last_seq == 30
        assert [r["seq"] for r in lb.records()] == list(range(1, 31))
        lb.ack(30)
        st.free = 1 << 20
        assert add(lb, 12, 30) == 31 and not lb.full
    finally:
        storefs.release(root, dev)


def test_real_full_flash_keeps_every_record():
    if not storefs.MP:
        return  # needs a filesystem that fills up: LittleFS under MicroPython
    root, dev = storefs.fresh(blocks=24)
    try:
        lb = logbook.Logbook(store.Store(root))
        n = 0
        while True:
            try:
                add(lb, 12, n)
            except store.FlashFull:
                break
            n += 1
            assert n < 200, "never filled up"
        assert n > 10, n
        assert lb.full
        assert [r["seq"] for r in lb.records()] == list(range(1, n + 1))
        storefs.remount(root, dev)
        lb = logbook.Logbook(store.Store(root))
        assert lb.repaired == 0 and lb.last_seq == n
        recs = list(lb.records())
        for k in range(n):
            check(recs[k], 12, k, k + 1)
        try:
            add(lb, 12, n)
            raise AssertionError("still full: expected FlashFull")
        except store.FlashFull:
            pass
        lb.ack(n)  # the host stored everything: appends may reuse the space
        assert add(lb, 12, n) == n + 1
    finally:
        storefs.release(root, dev)


def _cut_every_op(blocks, block_size, prefill):
    """Cut power at each flash op of one append, from the same start; returns cut count.

    cut_power_after(n): n ops land, the next is torn; n runs from 0 until an append completes.
    """
    root, dev = storefs.fresh(blocks, block_size)
    try:
        lb = logbook.Logbook(store.Store(root))
        for k in range(prefill):
            add(lb, 12, k)
        snap = dev.snapshot(sparse=True)  # erased blocks as None: less heap
        n = 0
        while True:
            storefs.restore(root, dev, snap)
            lb = logbook.Logbook(store.Store(root))
            dev.cut_power_after(n)
            try:
                assert add(lb, 12, prefill) == prefill + 1
                ok = True
            except storefs.PowerCut:
                ok = False
            storefs.remount(root, dev)
            lb = logbook.Logbook(store.Store(root))
            recs = list(lb.records())
            # Every earlier record is intact; the cut one is all there or gone, never half.
            assert len(recs) in (prefill, prefill + 1), (n, len(recs))
            for k in range(len(recs)):
                check(recs[k], 12, k, k + 1)
            if ok:
                assert len(recs) == prefill + 1
                assert dev.violations == 0  # LittleFS never programmed a bit back to 1
                return n
            assert add(lb, 12, len(recs)) == len(recs) + 1  # and the log still works
            n += 1
    finally:
        storefs.release(root, dev)


def test_power_cut_during_append_at_every_flash_op():
    if not storefs.MP:
        return  # power cuts are simulated in the block device: LittleFS only
    assert _cut_every_op(24, 512, 3) >= 3  # append into the current segment
    assert _cut_every_op(24, 512, 25) >= 3  # append that starts a new segment


def test_power_cut_during_append_4k_blocks():
    if not storefs.MP:
        return  # power cuts are simulated in the block device: LittleFS only
    assert _cut_every_op(12, 4096, 5) >= 2  # Pico-sized blocks
