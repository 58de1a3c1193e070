"""The USB link on both interpreters: frame codec, and the device side fed through fake streams."""

import struct
import sys

import link
import logbook
import plan
import store
import storefs
from vclock import VirtualClock

MP = sys.implementation.name == "micropython"


class Wire:
    """Host end of a fake USB cable: bytes in for the device, frames out from it."""

    def __init__(self):
        self.inq = bytearray()
        self.pos = 0
        self.outq = bytearray()

    def ready(self):
        return self.pos < len(self.inq)

    def readinto(self, b):
        if self.pos >= len(self.inq):
            return 0
        b[0] = self.inq[self.pos]
        self.pos += 1
        if self.pos == len(self.inq):
            self.inq = bytearray()
            self.pos = 0
        return 1

    def write(self, data):
        self.outq.extend(data)
        return len(data)

    def replies(self):
        lines = bytes(self.outq).split(b"\n")
        self.outq = bytearray()
        return [link.parse(ln) for ln in lines if ln]


def table(steps, title="Test"):
    return plan.Table(plan.encode({"title": title, "flags": 0, "steps": steps}))


class FakeHW:
    name = "sim"
    uid = b"\x01\x02"


class FakeApp:
    """What the link needs of app.App (the App itself is covered by the simulator tests)."""

    def __init__(self, tables):
        self.root, self.dev = storefs.fresh(blocks=64)
        self.store = store.Store(self.root)
        self.store.count_boot()
        self.logbook = logbook.Logbook(self.store)
        self.tables = tables or [table([("work", 20, "Go", 0)], "Default")]
        self.clock = VirtualClock()
        self.hw = FakeHW()
        self.rtc_set = False
        self.full = False
        self.damaged = False
        self.busy = False
        self.fb = bytearray(bytes(range(256)) * 4)
        self.link = None

    def running(self):
        return self.busy

    def boot_count(self):
        return self.store.boot_count

    def collect(self):
        pass

    def plans_changed(self):
        self.tables = self.store.load_plans()

    def screen_bytes(self):
        return self.fb

    def run(self, ms):
        for _ in range(ms // 10):
            self.link.service()
            self.clock.advance_ms(10)

    def close(self):
        storefs.release(self.root, self.dev)


def rig(tables=None):
    r = FakeApp(tables)
    w = Wire()
    r.link = link.Link(r, w, w, ready=w.ready)
    r.app = r
    return r, w


def ask(r, w, typ, payload=b"", seq=1, passes=3):
    """Send one request, run the loop a few passes, return the replies."""
    w.inq.extend(link.frame(typ, seq, payload))
    r.run(10 * passes)
    return w.replies()


def test_b85_round_trip_all_lengths():
    for n in range(0, 13):
        data = bytes((i * 37 + 250) & 0xFF for i in range(n))
        enc = link.b85encode(data)
        assert len(enc) == link.b85_len(n)
        assert link.b85decode(enc) == data
    assert link.b85decode(link.b85encode(b"\xff\xff\xff\xff")) == b"\xff\xff\xff\xff"
    if not MP:
        import base64

        for n in range(0, 40):
            data = bytes((i * 91 + n) & 0xFF for i in range(n))
            assert link.b85encode(data) == base64.b85encode(data)


def test_frames_are_printable_and_checked():
    f = link.frame("G", 0x3C, bytes(range(256)))
    assert f.endswith(b"\n")
    assert all(0x21 <= c <= 0x7E for c in f[:-1])  # no control character, no space
    typ, ver, seq, payload = link.parse(f)
    assert (typ, ver, seq, payload) == ("G", link.PROTOCOL, 0x3C, bytes(range(256)))
    for i in (1, 3, 10, len(f) - 3):
        bad = bytearray(f)
        bad[i] = 0x30 if bad[i] != 0x30 else 0x31
        try:
            link.parse(bytes(bad))
            raise AssertionError("damage at %d not detected" % i)
        except link.FrameError:
            pass


def test_info_list_and_errors():
    tab = table([("work", 20, "Go", 0)], "Short one")
    r, w = rig([tab])
    (typ, _v, seq, p), = ask(r, w, link.T_INFO, seq=7)
    assert typ == "i" and seq == 7
    f = struct.unpack_from(link.INFO_FMT, p, 0)
    assert f[0] == link.PROTOCOL and f[1] == 0 and f[5] == 1
    (typ, _v, _s, p), = ask(r, w, link.T_LIST)
    assert typ == "l" and p[0] == 1
    crc, steps, total = struct.unpack_from(link.LIST_ITEM, p, 1)
    assert (crc, steps, total) == (tab.crc, 1, 20)
    assert p[1 + 10 + 1:] == b"Short one"
    # garbage, a damaged frame, an unknown request, a bad payload, an overlong line
    w.inq.extend(b"hello\n")
    r.run(30)
    assert w.replies() == []  # not a frame: ignored
    bad = bytearray(link.frame(link.T_LIST, 2))
    bad[6] ^= 1
    w.inq.extend(bad)
    r.run(30)
    (typ, _v, _s, p), = w.replies()
    assert typ == "e" and p[0] == link.E_FRAME
    (typ, _v, _s, p), = ask(r, w, "Z")
    assert typ == "e" and p[0] == link.E_BAD
    (typ, _v, _s, p), = ask(r, w, link.T_ACK, b"\x01")
    assert typ == "e" and p[0] == link.E_BAD
    w.inq.extend(b"!" + b"x" * 900 + b"\n")
    r.run(60)
    (typ, _v, _s, p), = w.replies()
    assert typ == "e" and p[0] == link.E_TOO_LONG
    (typ, _v, _s, p), = ask(r, w, link.T_INFO)
    assert typ == "i"  # still answering
    r.close()


def test_other_protocol_version_gets_a_clear_error():
    r, w = rig()
    f = bytearray(link.frame(link.T_INFO, 1))
    f[2] = ord("9")
    body = bytes(f[1:-9])
    from crc import crc32

    f[-9:-1] = b"%08x" % crc32(body)
    w.inq.extend(f)
    r.run(30)
    (typ, _v, _s, p), = w.replies()
    assert typ == "e" and p[0] == link.E_VERSION and b"protocol 1" in p
    r.close()


def _blob(tables):
    return b"".join(struct.pack("<H", len(t)) + t for t in tables)


def push(r, w, tables, stop_after=None):
    """Upload tables chunk by chunk; stop_after=n stops after n chunks (cable pulled)."""
    blob = _blob(tables)
    from crc import crc32

    (typ, _v, _s, _p), = ask(r, w, link.T_BEGIN,
                             struct.pack(link.BEGIN_FMT, len(blob), crc32(blob), len(tables)))
    assert typ == "b"
    off = 0
    k = 0
    while off < len(blob):
        if stop_after is not None and k >= stop_after:
            return None
        chunk = blob[off:off + link.CHUNK]
        (typ, _v, _s, p), = ask(r, w, link.T_PUT, struct.pack("<I", off) + chunk)
        assert typ == "p"
        off = struct.unpack("<I", p)[0]
        k += 1
    if stop_after is not None and k >= stop_after:
        return None
    return ask(r, w, link.T_COMMIT)


def test_push_swaps_the_plan_set_and_partial_push_changes_nothing():
    r, w = rig()
    old = [t.crc for t in r.app.tables]
    new = [plan.encode({"title": "Plan %d" % i, "flags": 0,  # 40 plans: several chunks
                        "steps": [("work", 10 + i, "Go", 0), ("rest", 5, "", 0)]})
           for i in range(40)]
    assert len(_blob(new)) > 2 * link.CHUNK
    for stop in (0, 1, 2):
        assert push(r, w, new, stop_after=stop) is None
        assert [t.crc for t in r.app.tables] == old
        (typ, _v, _s, p), = ask(r, w, link.T_COMMIT)  # commit of a partial upload refused
        assert typ == "e" and p[0] == link.E_BAD
        assert [t.crc for t in r.app.tables] == old
    (typ, _v, _s, p), = push(r, w, new)
    assert typ == "c" and p[0] == 40
    assert [t.title() for t in r.app.tables] == ["Plan %d" % i for i in range(40)]
    assert len(r.store.load_plans()) == 40
    # a set the store refuses (a damaged table) leaves the new set in place
    bad = bytearray(new[0])
    bad[-1] ^= 1
    (typ, _v, _s, p), = push(r, w, [bytes(bad)])
    assert typ == "e" and p[0] == link.E_BAD
    assert len(r.store.load_plans()) == 40
    r.close()


def _session(r, n):
    """A saved session record, as the app writes it."""
    a = r.app
    return a.logbook.append(storefs.LoggedSession(n), 7, int(a.clock.time()), 5,
                            boot_count=a.boot_count(), start_ticks_ms=a.clock.ticks_ms(),
                            rtc_set=a.rtc_set)


def test_busy_during_a_session_then_logs_time_ack():
    tab = table([("work", 3, "Go", 0), ("rest", 2, "", 0)], "Tiny")
    r, w = rig([tab])
    try:
        r.busy = True
        (typ, _v, _s, p), = ask(r, w, link.T_LIST)
        assert typ == "e" and p[0] == link.E_BUSY
        (typ, _v, _s, p), = ask(r, w, link.T_INFO)
        assert typ == "i" and struct.unpack_from(link.INFO_FMT, p, 0)[1] == 1  # running
        r.busy = False
        _session(r, 2)
        _session(r, 3)
        (typ, _v, _s, p), = ask(r, w, link.T_LOGS, struct.pack(link.LOGS_REQ, 1, 2048))
        nxt, last, n = struct.unpack_from(link.LOGS_HEAD, p, 0)
        assert typ == "g" and (nxt, last, n) == (3, 2, 2)
        pos = struct.calcsize(link.LOGS_HEAD)
        recs = []
        for _ in range(n):
            size = logbook.HDR + (p[pos + 1] | p[pos + 2] << 8) + logbook.TRAILER
            recs.append(logbook.decode(p[pos:pos + size]))
            pos += size
        assert [d["seq"] for d in recs] == [1, 2] and recs[0]["boot_count"] == 1
        assert not recs[0]["rtc_set"]
        (typ, _v, _s, p), = ask(r, w, link.T_LOGS, struct.pack(link.LOGS_REQ, 3, 2048))
        assert struct.unpack_from(link.LOGS_HEAD, p, 0) == (3, 2, 0)
        (typ, _v, _s, p), = ask(r, w, link.T_TIME, struct.pack("<I", 1767225600))
        t, boots, ticks = struct.unpack(link.TIME_FMT, p)
        assert typ == "t" and 1767225600 <= t < 1767225602 and r.rtc_set and boots == 1
        (typ, _v, _s, p), = ask(r, w, link.T_ACK, struct.pack("<I", 1))
        assert typ == "a" and struct.unpack("<I", p)[0] == 1
        assert r.logbook.unsynced_count() == 1
        _session(r, 1)
        rec = list(r.logbook.records(3))[0]
        assert rec["rtc_set"] and rec["start_s"] >= 1767225600
    finally:
        r.close()


def test_screen_is_the_frame_buffer():
    r, w = rig()
    try:
        (typ, _v, _s, p), = ask(r, w, link.T_SCREEN)
        assert typ == "s" and p == bytes(r.fb)
    finally:
        r.close()


def test_a_carriage_return_leaves_the_rest_to_the_repl():
    r, w = rig()
    try:
        w.inq.extend(b"\r\x01")  # mpremote: "\r\x03" (Ctrl-C, a signal) then "\r\x01"
        r.link.service()
        assert w.ready()  # Ctrl-A is left for the REPL once the interrupt lands
        r.run(100)
        assert w.ready() and w.replies() == []
        r.clock.advance_ms(link.MUTE_MS)
        w.inq = bytearray(link.frame(link.T_INFO, 3))
        w.pos = 0
        r.run(30)
        (typ, _v, seq, _p), = w.replies()
        assert typ == "i" and seq == 3  # the link reads again afterwards
    finally:
        r.close()
