"""Log record v2 (boot count, ticks, RTC flag, title, labels, onset), v1 still read; boots."""

import os

import logbook
import store
import storefs
from test_logbook import add


def test_v2_fields_round_trip():
    ivs = [(20000, 19000, 1, 0, 1, 1), (40000, 40000, 0, 3, 2, 0xFF)]
    rec = logbook.encode(9, 0xABCDEF01, 1700000000, logbook.END_EARLY, 6, 500, ivs,
                         boot_count=70000, start_ticks_ms=123456, rtc_set=True,
                         worst_onset_us=42, strings=["Sprint \u00e9", "High knees"])
    d = logbook.decode(rec)
    assert d["version"] == 2 and d["seq"] == 9 and d["plan_hash"] == 0xABCDEF01
    assert d["boot_count"] == 70000 & 0xFFFF and d["start_ticks_ms"] == 123456
    assert d["rtc_set"] and d["worst_onset_us"] == 42 and d["title"] == "Sprint \u00e9"
    assert d["strings"] == ["Sprint \u00e9", "High knees"]
    assert logbook.END_REASONS[d["end_reason"]] == "finished early"
    assert [tuple(i) for i in d["intervals"]] == ivs
    assert len(rec) == logbook.record_size(2, logbook.strings_size(d["strings"]))
    # Titles are cut to 40 bytes on a character boundary; unknown onset stays unknown.
    rec = logbook.encode(1, 0, 0, 0, 0, 0, [], worst_onset_us=-1,
                         strings=["\u00e9" * 30])
    d = logbook.decode(rec)
    assert d["title"] == "\u00e9" * 20 and d["worst_onset_us"] == 0xFFFF
    for name in ("finished", "abandoned", "power loss", "watchdog"):
        assert name in [logbook.END_REASONS[k] for k in logbook.END_REASONS]


def _v1(seq, n):
    """A v1 record as the old firmware wrote it."""
    import struct

    from crc import crc32

    body = struct.pack("<IIIBBHI", seq, 0xDEADBEEF, 10, 1, 4, n, 100)
    for i in range(n):
        body += struct.pack("<IIBH", 32 + i, 33 + i, 2, 3)
    rec = bytes([logbook.REC_MAGIC_V1, len(body) & 0xFF, len(body) >> 8]) + body
    return rec + struct.pack("<I", crc32(rec))


def test_v1_records_still_read():
    d = logbook.decode(_v1(5, 1))
    assert d["version"] == 1 and d["seq"] == 5 and d["plan_hash"] == 0xDEADBEEF
    assert d["rpe"] == 4 and d["end_reason"] == 1 and d["boot_count"] == 0
    assert [tuple(i) for i in d["intervals"]] == [(32, 33, 2, 3, 0xFF, 0xFF)]
    root, dev = storefs.fresh(blocks=64)
    try:
        st = store.Store(root)
        logbook.Logbook(st)  # makes log/
        storefs.write_bytes(root + "/log/0000000001.log", _v1(1, 2) + _v1(2, 0))
        lb = logbook.Logbook(st)
        assert lb.repaired == 0 and lb.last_seq == 2
        assert add(lb, 3, 3) == 3  # a v2 record after the v1 ones
        assert [(r["version"], r["seq"]) for r in lb.records()] == [(1, 1), (1, 2), (2, 3)]
    finally:
        storefs.release(root, dev)


def test_boot_counter_counts_each_boot():
    root, dev = storefs.fresh(blocks=64)
    try:
        assert store.Store(root).count_boot() == 1
        storefs.remount(root, dev)
        st = store.Store(root)
        assert st.boot_count == 0 and st.count_boot() == 2 and st.boot_count == 2
        assert store.Store(root).count_boot() == 3
        storefs.write_bytes(root + "/boot.bin", b"\x05\x00junk")  # damaged: restart
        assert store.Store(root).count_boot() == 1
        assert "boot.tmp" not in os.listdir(root)
    finally:
        storefs.release(root, dev)
