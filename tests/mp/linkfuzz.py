"""Link fuzz driver: feed hostile byte streams to the real App's link; check what must hold.

Run by tests/test_link_fuzz.py under MicroPython (or CPython): `run(path)` reads cases
(u32 length, u8 mode, bytes; mode 1 = fed while a session runs) and checks per case:
- app.step() never raises (the main loop survives everything);
- every complete request line ("!" ... newline) gets exactly one reply, and every reply is a
  well-formed frame (errors are "e" frames);
- the plan set on flash always loads and validates (no bad plan is ever written);
- the heap stays bounded (after gc, at most one plan upload's buffer above the start);
- cues of a session running under the fuzz keep their timing budget.
Prints "@@REPORT" (counts) and "@@FAILCASE i reason" lines.
"""

import gc
import os
import struct

import app
import app_rig
import link
import store

# An upload may hold up to a whole plan set until COMMIT or the next BEGIN.
HEAP_SLACK = store.MAX_SET_BYTES + 12288
ONSET_BUDGET_US = 200
LONG = [("warmup", 5, "Easy", 0), ("repeat", 99, [("work", 8, "Go", 0), ("rest", 6, "", 0)])]
BUSY_RUN_MS = 300  # virtual time a session case runs on after its bytes (cues fall due)
LONG_EVERY = 20 if os.getenv("BEEPER_SLOW") else 1  # slow profile: every 20th (10,000 cases)


class Wire:
    """Host end of the cable: a case streamed from the cases file (a case may be bigger than
    a fragmented heap's largest hole), and the frames the device writes back."""

    def __init__(self):
        self.f = None
        self.left = 0
        self.buf = bytearray(512)
        self.have = 0
        self.pos = 0
        self.head = b""  # the case's first bytes, for a failure message
        self.out = bytearray()
        self.owed = 0  # replies the link owes for the bytes it took (see _owe)
        self.carry = [0, 0, False]  # pending line: length, first byte, skipping an overlong

    def feed(self, f, n):
        self.f = f
        self.left = n
        self.have = self.pos = 0
        self.head = b""

    def ready(self):
        if self.pos < self.have:
            return True
        if self.left <= 0:
            return False
        k = self.f.readinto(memoryview(self.buf)[:min(self.left, len(self.buf))])
        if not self.head:
            self.head = bytes(self.buf[:min(k, 120)])
        self.left -= k
        self.have = k
        self.pos = 0
        return k > 0

    def readinto(self, b):
        if not self.ready():
            return 0
        c = self.buf[self.pos]
        self.pos += 1
        b[0] = c
        self._owe(c)
        return 1

    def skip_rest(self):
        """Drop what a failed case left unread."""
        while self.ready():
            self.pos = self.have

    def _owe(self, c):
        """Count the replies a byte makes due, as Link.service decides them."""
        st = self.carry
        if c == 13 or (c < 32 and c != 10):  # "\r" or a control byte: the line is dropped
            st[0] = 0  # (and the link mutes a while: Ctrl-C goes to the REPL)
            st[2] = False
        elif c == 10:
            if st[2] or (st[0] and st[1] == 0x21):
                self.owed += 1
            st[0] = 0
            st[2] = False
        elif st[2]:
            pass
        elif st[0] >= link.MAX_REQ_LINE:
            st[2] = True
            st[0] = 0
        else:
            if st[0] == 0:
                st[1] = c
            st[0] += 1

    def write(self, data):
        self.out.extend(data)
        return len(data)


def _drain(w, stats, got):
    """Check and drop the complete reply lines in w.out: (replies so far, failure or None)."""
    out = w.out
    end = out.rfind(b"\n") if hasattr(out, "rfind") else bytes(out).rfind(b"\n")
    if end < 0:
        return got, None
    lines = bytes(out[:end]).split(b"\n")
    w.out = bytearray(out[end + 1:])
    for ln in lines:
        if not ln:
            continue
        try:
            typ = link.parse(ln)[0]
        except Exception as e:  # noqa: BLE001
            return got, "reply is not a frame (%r): %r" % (e, ln[:60])
        got += 1
        stats["replies"] += 1
        if typ == link.T_ERROR:
            stats["errors"] += 1
    return got, None


def _plans_ok(st):
    try:
        st.load_plans()
        return True
    except Exception:  # noqa: BLE001 - any failure to load is a bad plan on flash
        return False


def _cases(f):
    """Yield (mode, length) per case; the case's bytes are next in f."""
    while True:
        h = f.read(5)
        if len(h) < 5:
            return
        n, mode = struct.unpack("<IB", h)
        yield mode, n


def run(path, label="link"):
    """Feed every case; returns (cases, failures)."""
    r = app_rig.Rig(tables=[app_rig.table(LONG, "Fuzz")])
    a = r.app
    w = Wire()
    a.link = link.Link(a, w, w, ready=w.ready)
    r.run(300)
    gc.collect()
    base = gc.mem_alloc()
    stats = {"cases": 0, "bytes": 0, "replies": 0, "errors": 0, "fail": 0, "session": 0,
             "peak": 0}
    session_started = False
    worst = 0
    cues = 0
    f = open(path, "rb")
    for i, (mode, n) in enumerate(_cases(f)):
        stats["cases"] += 1
        stats["bytes"] += n
        if mode == 1 and not session_started:
            r.tap(r.hw.btn_a)  # a long session starts and runs under the rest of the fuzz
            session_started = True
            if a.mode != app.M_RUN:
                print("@@FAILCASE %d no session started (mode %d)" % (i, a.mode))
                stats["fail"] += 1
            gc.collect()
            base = gc.mem_alloc()  # the session's own arrays are not the link's
        if mode == 1:
            stats["session"] += 1
        w.out = bytearray()
        w.owed = 0
        w.feed(f, n)
        why = None
        got = 0
        try:
            passes = 0
            while w.ready() and passes < 1000:
                r.run(10)
                passes += 1
                got, why = _drain(w, stats, got)  # per pass: the harness holds little
                if why is not None:
                    break
            r.run(BUSY_RUN_MS if mode == 1 and stats["session"] % LONG_EVERY == 0 else 20)
        except Exception as e:  # noqa: BLE001 - the failure we look for
            why = "main loop raised %r" % e
            import sys

            sys.print_exception(e)
        if why is None:
            got, why = _drain(w, stats, got)
        if why is None and w.out:
            why = "a reply without its newline: %r" % bytes(w.out[:60])
        if why is None and got != w.owed:
            why = "%d replies for %d request lines" % (got, w.owed)
        if why is None and not _plans_ok(r.store):
            why = "the plan set on flash does not load"
        for pl, act in r.onsets:  # fold cue timing in as we go: the harness keeps no trace
            d = act - pl
            worst = d if d > worst else (-d if -d > worst else worst)
            cues += 1
        r.onsets = []
        r.pwm_events = []  # the rig's buzzer and I2C traces are the harness's, not the device's
        frames = getattr(r.hw.i2c, "frames", None)
        if frames:
            del frames[:]
        if why is None:
            gc.collect()
            used = gc.mem_alloc() - base
            if used > stats["peak"]:
                stats["peak"] = used
            if used > HEAP_SLACK:
                why = "heap grew by %d bytes" % used
        if why is not None:
            stats["fail"] += 1
            print("@@FAILCASE %d %s: %r" % (i, why, w.head))
            w.skip_rest()
            if stats["fail"] > 5:
                break
            # start clean after a failure: a fresh link, nothing half-read
            a.link = link.Link(a, w, w, ready=w.ready)
            w.carry = [0, 0, False]
    f.close()
    if session_started and (worst >= ONSET_BUDGET_US or cues < 10):
        stats["fail"] += 1
        print("@@FAILCASE -1 cue timing under fuzz: worst %d us over %d cues" % (worst, cues))
    print("@@REPORT fuzz %s: %d cases (%d during a session), %d bytes, %d replies (%d error "
          "frames), failures %d, heap peak +%d B, %d cues under fuzz worst onset error %d us"
          % (label, stats["cases"], stats["session"], stats["bytes"], stats["replies"],
             stats["errors"], stats["fail"], stats["peak"], cues, worst))
    assert a.mode in (app.M_MENU, app.M_RUN, app.M_RPE, app.M_SAVE, app.M_SUMMARY)
    return stats["cases"], stats["fail"]
