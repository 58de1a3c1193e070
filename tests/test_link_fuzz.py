"""Hypothesis fuzz of the USB link against the firmware on real MicroPython (tests/mp/linkfuzz.py).

Hypothesis draws the hostile streams here (random bytes, truncated and oversized frames, bad
CRCs, wrong versions and sequence numbers, out-of-range lengths and counts, plan uploads with
bad offsets, tables with broken strings, repeat loops and huge counts, interleaved Ctrl-C);
one MicroPython process feeds them all to the real App and checks each (see linkfuzz.py).
"""

import os
import struct

from conftest import MICROPYTHON, ROOT, SLOW, run_micropython
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from host_tools import fw

link = fw.load("link")
plan = fw.load("plan")
crc = fw.load("crc")

CASES = 10000 if SLOW else 300  # make test-slow: >= 10,000 idle, then what hypothesis gives
SESSION_CASES = 10000 if SLOW else 150  # (it stops near 11,000 distinct streams a run)

GOOD_TABLE = plan.encode({"title": "Fuzz", "flags": 0, "steps": [
    ("warmup", 5, "Easy", 0), ("repeat", 99, [("work", 8, "Go", 0), ("rest", 6, "", 0)])]})


def _recrc(body):
    """A table body with a correct CRC32 appended: only the structure checks can refuse it."""
    return bytes(body) + struct.pack("<I", crc.crc32(bytes(body)))


@st.composite
def bad_table(draw):
    """Tables that pass the CRC but not the structure: bad offsets, strings, loops, counts."""
    body = bytearray(GOOD_TABLE[:-4])
    kind = draw(st.sampled_from(["flip", "truncate", "string", "loop", "count", "nstr",
                                 "label", "junk"]))
    if kind == "flip":
        i = draw(st.integers(0, len(body) - 1))
        body[i] ^= 1 << draw(st.integers(0, 7))
    elif kind == "truncate":
        body = body[:draw(st.integers(0, len(body) - 1))]
    elif kind == "string":  # invalid UTF-8 in the title
        body[5:7] = b"\xff\xfe"
    elif kind == "loop":  # a repeat with no END, or an END with no repeat
        body = body + bytes([plan.OP_REPEAT, 2]) if draw(st.booleans()) else body + b"\x06"
        body[3] += 1
    elif kind == "count":  # a huge varint repeat count
        body = body + bytes([plan.OP_REPEAT, 0xFF, 0xFF, 0xFF, 0x7F, 0, plan.OP_END])
        body[3] += 3
    elif kind == "nstr":
        body[2] = draw(st.integers(0, 255))
    elif kind == "label":  # a 255-byte label claimed
        body = body[:4] + bytes([255]) + b"x" * draw(st.integers(0, 300)) + body[4:]
    else:
        body = bytearray(draw(st.binary(min_size=0, max_size=120)))
    return _recrc(body)


def _upload(tables, seq=1, total=None, count=None, crc_of=None, offsets=None):
    """BEGIN, PUTs, COMMIT frames for a plan set (optionally lying about it)."""
    blob = b"".join(struct.pack("<H", len(t)) + t for t in tables)
    out = [link.frame(link.T_BEGIN, seq, struct.pack(
        link.BEGIN_FMT, len(blob) if total is None else total,
        crc.crc32(blob) if crc_of is None else crc_of, len(tables) if count is None else count))]
    pos = 0
    k = 0
    while pos < len(blob) or k == 0:
        off = pos if offsets is None else offsets[k % len(offsets)]
        out.append(link.frame(link.T_PUT, seq + 1 + k, struct.pack("<I", off)
                              + blob[pos:pos + link.CHUNK]))
        pos += link.CHUNK
        k += 1
    out.append(link.frame(link.T_COMMIT, seq + 1 + k))
    return out


REQUESTS = [link.T_INFO, link.T_LIST, link.T_BEGIN, link.T_PUT, link.T_COMMIT, link.T_LOGS,
            link.T_ACK, link.T_TIME, link.T_SCREEN, "Z", "e", "i"]


@st.composite
def frame_bytes(draw):
    """One request frame, well-formed or mutated."""
    typ = draw(st.sampled_from(REQUESTS))
    payload = draw(st.one_of(st.binary(max_size=40), st.binary(min_size=380, max_size=420),
                             st.just(struct.pack("<IH", 0, 0xFFFF)),
                             st.just(struct.pack("<I", 0xFFFFFFFF)),
                             st.just(struct.pack(link.BEGIN_FMT, 0xFFFFFFFF, 0, 0xFFFF))))
    f = bytearray(link.frame(typ, draw(st.integers(0, 255)), payload))
    how = draw(st.sampled_from(["ok", "ok", "truncate", "crc", "version", "flip", "oversize",
                                "badchar", "cr", "ctrl_c"]))
    if how == "truncate":
        f = f[:draw(st.integers(1, len(f) - 1))] + b"\n"
    elif how == "crc":
        f[-2] = ord("0") if f[-2] != ord("0") else ord("1")
    elif how == "version":
        f[2] = ord("f")
    elif how == "flip":
        i = draw(st.integers(1, len(f) - 2))
        f[i] = draw(st.integers(0x20, 0x7E))
    elif how == "oversize":
        f = f[:-1] + b"A" * draw(st.integers(400, 1500)) + b"\n"
    elif how == "badchar":
        f[draw(st.integers(1, len(f) - 2))] = draw(st.integers(0x80, 0xFF))
    elif how == "cr":
        f[-1] = 13
    elif how == "ctrl_c":
        f = f[:len(f) // 2] + b"\x03" + f[len(f) // 2:]
    return bytes(f)


@st.composite
def upload_bytes(draw):
    """A plan upload that lies: bad tables, counts, totals, CRCs, offsets, or is cut off."""
    good = [GOOD_TABLE]
    kind = draw(st.sampled_from(["bad_table", "count", "total", "crc", "offsets", "cut",
                                 "huge", "good"]))
    if kind == "bad_table":
        frames = _upload([GOOD_TABLE, draw(bad_table())])
    elif kind == "count":
        frames = _upload(good, count=draw(st.integers(0, 300)))
    elif kind == "total":
        frames = _upload(good, total=draw(st.integers(0, 70000)))
    elif kind == "crc":
        frames = _upload(good, crc_of=draw(st.integers(0, 0xFFFFFFFF)))
    elif kind == "offsets":
        frames = _upload(good * 3, offsets=draw(st.lists(st.integers(0, 5000), min_size=1,
                                                          max_size=4)))
    elif kind == "cut":
        frames = _upload(good)
        frames = frames[:draw(st.integers(1, len(frames)))]
    elif kind == "huge":  # many big tables: over the set limit
        frames = _upload([GOOD_TABLE + b"\x00" * 900] * 40)
    else:
        frames = _upload(good)
    return b"".join(frames)


STREAM = st.one_of(
    st.binary(max_size=700),
    frame_bytes(),
    upload_bytes(),
    st.lists(frame_bytes(), min_size=2, max_size=5).map(b"".join),
    st.lists(st.sampled_from([b"!", b"\n", b"\r", b"\x03", b"\x04", b"\x01", b"!I1", b"00"]),
             max_size=50).map(b"".join),
)


def _collect(strategy, n):
    """n streams drawn by hypothesis (its edge cases first, no database)."""
    got = []

    @settings(max_examples=n, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def draw(b):
        got.append(b)

    draw()
    return got


def _run_on_micropython(tmp_path, cases):
    path = tmp_path / "cases.bin"
    with open(path, "wb") as f:
        for mode, b in cases:
            f.write(struct.pack("<IB", len(b), mode) + b)
    script = tmp_path / "drive.py"
    script.write_text(
        "import sys\nroot = %r\n" % ROOT
        + "sys.path[:0] = [root + '/host_tools/sim/fakes', root + '/firmware', "
        "root + '/boards', root + '/tests/mp', root + '/build/mplib']\n"
        "import linkfuzz\nn, bad = linkfuzz.run(%r)\nprint('@@CASES', n, bad)\n" % str(path))
    proc = run_micropython([str(script)], timeout=3000 if SLOW else 300)
    return proc.stdout + proc.stderr


def test_link_fuzz_on_micropython(tmp_path):
    assert os.path.exists(MICROPYTHON)
    drawn = _collect(STREAM, CASES + SESSION_CASES)  # one run: a second would repeat it
    idle = [(0, b) for b in drawn[:CASES]]
    busy = [(1, b) for b in drawn[CASES:]]
    out = _run_on_micropython(tmp_path, idle + busy)
    import conftest

    conftest._reports.extend(ln[len("@@REPORT "):] for ln in out.splitlines()
                             if ln.startswith("@@REPORT "))
    assert "@@CASES" in out, out[-3000:]
    fails = [ln for ln in out.splitlines() if ln.startswith("@@FAILCASE")]
    assert not fails, out[-4000:]
    n = int(out.split("@@CASES")[1].split()[0])
    assert n == len(idle) + len(busy) and len(idle) >= (10000 if SLOW else 300)
