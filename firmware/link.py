"""USB link: printable CRC-checked frames, and the device side that answers the host.

A frame is one line of printable ASCII (so Ctrl-C always reaches MicroPython and mpremote gets
in): "!" TYPE VER SEQ PAYLOAD CRC "\n" where TYPE is one letter (requests upper case, replies
lower case, "e" = error), VER one hex digit (PROTOCOL), SEQ two hex digits, PAYLOAD the binary
payload in base 85 (RFC 1924 alphabet, as Python's base64.b85encode without padding) and CRC
eight hex digits of the CRC32 of everything between "!" and CRC. Payload layouts are the
struct formats below. The host imports this module (host_tools/fw.py) for the codec.
"""

import struct

from crc import crc32

PROTOCOL = 1
FW_VERSION = "0.3"
MARK = 0x21  # "!"
HEAD = 5  # "!", type, version, seq (2)
TAIL = 9  # CRC (8), newline
# A request must fit the Pico's 512-byte USB receive ring with room to spare: the host sends
# one frame and waits for the reply before the next.
MAX_REQ_LINE = 500
MAX_REQ_PAYLOAD = (MAX_REQ_LINE - HEAD - TAIL) // 5 * 4  # 388
CHUNK = 384  # bytes of plan data per PUT frame (a multiple of 4: no partial b85 group)
MUTE_MS = 500  # the link stops reading this long after a "\r" or control byte
MAX_LOG_PAYLOAD = 2048  # raw record bytes per GET_LOGS reply (heap bounded on the device)
MAX_REPLY = MAX_LOG_PAYLOAD + 16  # the preallocated reply buffer: a GET_LOGS batch + head

# requests
T_INFO = "I"
T_LIST = "L"
T_BEGIN = "B"
T_PUT = "P"
T_COMMIT = "C"
T_LOGS = "G"
T_ACK = "A"
T_TIME = "T"
T_SCREEN = "S"
T_ERROR = "e"
# error codes
E_FRAME = 1  # damaged frame (CRC, length, characters)
E_VERSION = 2  # another protocol version
E_BUSY = 3  # a session is running
E_BAD = 4  # bad request (unknown type, bad payload)
E_STORE = 5  # the store refused (plan set invalid, flash full)
E_TOO_LONG = 6
ERR_NAMES = {E_FRAME: "damaged frame", E_VERSION: "protocol version", E_BUSY: "busy",
             E_BAD: "bad request", E_STORE: "store", E_TOO_LONG: "frame too long"}

INFO_FMT = "<BBHIIHIIIHB"  # proto, running, boot, time s, ticks ms, plans, free, last, acked,
# unsynced, flags; then strings: firmware version, board, device id (u8 length each)
INFO_RTC = 1
INFO_FULL = 2
INFO_DAMAGED = 4
INFO_RPE = 8  # the session ended: the RPE screen waits
INFO_MENU = 16  # the plan menu is shown
BEGIN_FMT = "<IIH"  # total bytes, CRC32 of the blob, table count
LIST_ITEM = "<IHI"  # plan hash, steps, total s; then the title (u8 length + UTF-8)
LOGS_REQ = "<IH"  # from seq, max payload bytes
LOGS_HEAD = "<IIB"  # next seq to ask for, last seq on the device, record count; then records
TIME_FMT = "<IHI"  # reply: device time s, boot count, ticks ms

_ALPHA = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_HEX = b"0123456789abcdef"


def _rev():
    t = bytearray(b"\xff" * 128)
    for i in range(85):
        t[_ALPHA[i]] = i
    return t


_REV = _rev()


# A payload struct cannot unpack: ValueError on MicroPython, struct.error on CPython.
_BAD_PAYLOAD = (ValueError, getattr(struct, "error", ValueError))


class FrameError(ValueError):
    """A line that is not a good frame; .code is an E_* code."""

    def __init__(self, msg, code=E_FRAME):
        super().__init__(msg)
        self.code = code


def b85_len(n):
    """Characters that encode n bytes."""
    return n // 4 * 5 + (n % 4 + 1 if n % 4 else 0)


def b85_into(data, out, pos):
    """Append base 85 of data into bytearray out at pos (small-int maths); returns the end."""
    n = len(data)
    i = 0
    while i < n:
        k = n - i if n - i < 4 else 4
        hi = data[i] << 8 | (data[i + 1] if k > 1 else 0)
        lo = (data[i + 2] if k > 2 else 0) << 8 | (data[i + 3] if k > 3 else 0)
        # five digits, most significant first: divide (hi, lo) by 85 in 16-bit limbs
        for j in range(4, -1, -1):
            r = hi % 85
            hi //= 85
            t = r << 16 | lo
            lo = t // 85
            if j <= k:
                out[pos + j] = _ALPHA[t % 85]
        pos += k + 1
        i += 4
    return pos


def b85encode(data):
    """Bytes of data in base 85 (same as base64.b85encode(data) without padding)."""
    out = bytearray(b85_len(len(data)))
    b85_into(data, out, 0)
    return bytes(out)


def b85decode(s, start=0, end=None):
    """Bytes from base 85 text s[start:end]; FrameError on a bad character or length."""
    if end is None:
        end = len(s)
    m = end - start
    if m % 5 == 1:
        raise FrameError("bad base85 length")
    out = bytearray(m // 5 * 4 + (m % 5 - 1 if m % 5 else 0))
    o = 0
    i = start
    while i < end:
        k = end - i if end - i < 5 else 5
        hi = 0
        lo = 0
        for j in range(5):
            c = s[i + j] if j < k else 0x7E  # pad with the highest digit
            v = _REV[c] if c < 128 else 255
            if v == 255:
                raise FrameError("bad base85 character")
            lo = lo * 85 + v
            hi = hi * 85 + (lo >> 16)
            lo &= 0xFFFF
        if hi > 0xFFFF:
            raise FrameError("base85 group overflow")
        grp = (hi >> 8, hi & 0xFF, lo >> 8, lo & 0xFF)
        for j in range(k - 1):
            out[o + j] = grp[j]
        o += k - 1
        i += 5
    return bytes(out)


def frame(typ, seq, payload=b""):
    """One frame line (bytes, with its newline)."""
    out = bytearray(HEAD + b85_len(len(payload)) + TAIL)
    frame_into(out, typ, seq, payload)
    return bytes(out)


def frame_into(out, typ, seq, payload):
    """Write one frame line into bytearray out (big enough); returns its length."""
    n = HEAD + b85_len(len(payload)) + TAIL
    out[0] = MARK
    out[1] = ord(typ)
    out[2] = _HEX[PROTOCOL & 15]
    out[3] = _HEX[seq >> 4 & 15]
    out[4] = _HEX[seq & 15]
    end = b85_into(payload, out, HEAD)
    c = crc32(memoryview(out)[1:end])
    for j in range(8):
        out[end + j] = _HEX[c >> (28 - 4 * j) & 15]
    out[n - 1] = 10
    return n


def _hexval(c):
    if 48 <= c <= 57:
        return c - 48
    if 97 <= c <= 102:
        return c - 87
    raise FrameError("bad hex digit")


def parse(line, n=None):
    """(type, version, seq, payload) of a frame line (bytes without newline); FrameError."""
    if n is None:
        n = len(line)
    while n and line[n - 1] in (10, 13):
        n -= 1
    if n < HEAD + 8 or line[0] != MARK:
        raise FrameError("not a frame")
    c = 0
    for j in range(8):
        c = c << 4 | _hexval(line[n - 8 + j])
    if crc32(memoryview(line)[1 : n - 8]) != c:
        raise FrameError("frame CRC32 mismatch")
    ver = _hexval(line[2])
    seq = _hexval(line[3]) << 4 | _hexval(line[4])
    return chr(line[1]), ver, seq, b85decode(line, HEAD, n - 8)


def pack_str(s):
    """u8 length + UTF-8 bytes (cut to 255)."""
    b = s.encode() if isinstance(s, str) else bytes(s)
    return bytes((len(b[:255]),)) + b[:255]


def error_payload(code, msg):
    """Payload of an error frame."""
    return bytes((code,)) + msg.encode()[:200]


class Link:
    """Device side: reads request lines without blocking, answers each with one frame.

    inp: a stream with readinto (sys.stdin.buffer); out: a stream with write (sys.stdout
    buffer); ready(): True when inp has a byte (default: select.poll on inp). Call service()
    from the main loop only (never from a timer callback): handlers may touch flash.
    """

    READ_MAX = 600  # bytes taken per pass: one request frame at most

    def __init__(self, app, inp, out, ready=None):
        self.app = app
        self.inp = inp
        self.out = out
        if ready is None:
            import select
            import sys

            # poll the text stream when given its buffer: that is what rp2 documents
            src = sys.stdin if inp is getattr(sys.stdin, "buffer", None) else inp
            p = select.poll()
            p.register(src, select.POLLIN)
            self._poll = p
            ready = self._ready
        self.ready = ready
        self.line = bytearray(MAX_REQ_LINE)
        self.n = 0
        self.skip = False  # inside an overlong line: drop until its newline
        self.one = bytearray(1)
        # replies are built in these two buffers, made once: no large allocation per frame
        # (a fragmented heap could not find one mid-pull)
        self.pay = bytearray(MAX_REPLY)
        self.tx = bytearray(HEAD + b85_len(MAX_REPLY) + TAIL)
        self.up = None  # plan-set upload in progress: bytearray of the announced size
        self.up_n = 0  # bytes of it received
        self.up_total = 0
        self.up_crc = 0
        self.up_count = 0
        self.frames = 0  # good requests answered (tests, bench)
        self.last_ms = 0  # ticks_ms of the last answer
        self.muted = False  # not reading stdin until mute_until (a REPL user is typing)
        self.mute_until = 0
        self.errors = 0

    def _ready(self):
        return bool(self._poll.poll(0))

    def service(self):
        """Take the bytes waiting on the input (bounded) and answer complete requests."""
        got = 0
        if self.muted:
            ck = self.app.clock
            if ck.ticks_diff(self.mute_until, ck.ticks_ms()) > 0:
                return 0
            self.muted = False
        one = self.one
        while got < self.READ_MAX and self.ready():
            if not self.inp.readinto(one):
                break
            got += 1
            c = one[0]
            if c == 13 or (c < 32 and c != 10):
                # Frames end in "\n" only. "\r" or a control byte is a terminal or mpremote
                # ("\r\x03" then "\r\x01"): stop reading for a while so the pending Ctrl-C
                # lands and the REPL, not the link, gets the bytes that follow.
                self.n = 0
                self.skip = False
                self.mute_until = self.app.clock.ticks_add(self.app.clock.ticks_ms(), MUTE_MS)
                self.muted = True
                break
            if c == 10:
                if self.skip:
                    self.skip = False
                    self._error(0, E_TOO_LONG, "frame longer than %d bytes" % MAX_REQ_LINE)
                elif self.n:
                    self._line()
                self.n = 0
            elif self.skip:
                pass
            elif self.n >= MAX_REQ_LINE:
                self.skip = True
                self.n = 0
            else:
                self.line[self.n] = c
                self.n += 1
        return got

    def _send(self, typ, seq, payload=b""):
        if HEAD + b85_len(len(payload)) + TAIL > len(self.tx):
            self.out.write(frame(typ, seq, payload))  # a rare big reply (a long LIST)
            return
        n = frame_into(self.tx, typ, seq, payload)
        self.out.write(memoryview(self.tx)[:n])

    def _error(self, seq, code, msg):
        self.errors += 1
        self._send(T_ERROR, seq, error_payload(code, msg))

    def _line(self):
        if self.line[0] != MARK:
            return  # not for us (a stray newline, terminal noise)
        try:
            typ, ver, seq, payload = parse(self.line, self.n)
        except FrameError as e:
            self._error(0, e.code, str(e))
            return
        if ver != PROTOCOL:
            self._error(seq, E_VERSION, "device speaks link protocol %d" % PROTOCOL)
            return
        app = self.app
        if typ != T_INFO and app.running():
            self._error(seq, E_BUSY, "a session is running: finish it, then sync")
            return
        h = _HANDLERS.get(typ)
        if h is None:
            self._error(seq, E_BAD, "unknown request %r" % typ)
            return
        if typ in _BIG:
            app.collect()  # a whole free heap for the reply (never during a session)
        try:
            reply = h(self, payload)
        except FrameError as e:
            self._error(seq, e.code, str(e))
            return
        except _BAD_PAYLOAD as e:  # struct errors, plan.PlanError
            self._error(seq, E_BAD, str(e))
            return
        except Exception as e:  # noqa: BLE001 - store errors, flash full: the link stays up
            self._error(seq, E_STORE, "%s: %s" % (type(e).__name__, e))
            return
        self.frames += 1
        self._send(typ.lower(), seq, reply)
        self.last_ms = app.clock.ticks_ms()

    HOT_MS = 250  # a transfer is under way while requests came this recently

    def hot(self):
        """True during a transfer (not in a session): the loop may poll faster."""
        app = self.app
        return (self.frames > 0 and not app.running()
                and app.clock.ticks_diff(app.clock.ticks_ms(), self.last_ms) < self.HOT_MS)

    # ----- handlers (payload -> reply payload) -----

    def info(self, _p):
        app = self.app
        lb = app.logbook
        st = app.store
        clock = app.clock
        t = getattr(clock, "time", None)
        flags = (INFO_RTC if app.rtc_set else 0) | (INFO_FULL if app.full else 0)
        flags |= INFO_DAMAGED if app.damaged else 0
        rp = getattr(app, "rpe_pending", None)
        flags |= INFO_RPE if rp is not None and rp() else 0
        mn = getattr(app, "in_menu", None)
        flags |= INFO_MENU if mn is not None and mn() else 0
        unsynced = lb.unsynced_count() if lb is not None and not app.running() else 0
        free = 0
        if st is not None:
            try:
                free = min(st.free_bytes(), 0xFFFFFFFF)
            except OSError:
                pass
        hw = app.hw
        uid = getattr(hw, "uid", b"") or b""
        hexid = "".join("%02x" % b for b in uid)
        return (struct.pack(INFO_FMT, PROTOCOL, 1 if app.running() else 0, app.boot_count(),
                            int(t()) & 0xFFFFFFFF if t else 0, clock.ticks_ms(),
                            len(app.tables), free, lb.last_seq if lb else 0,
                            lb.acked if lb else 0, unsynced if unsynced < 0xFFFF else 0xFFFF,
                            flags)
                + pack_str(FW_VERSION) + pack_str(hw.name) + pack_str(hexid))

    def list(self, _p):
        out = [bytes((len(self.app.tables),))]
        for t in self.app.tables:
            out.append(struct.pack(LIST_ITEM, t.crc, t.step_count(), t.total_s()))
            out.append(pack_str(t.title()))
        return b"".join(out)

    def begin(self, p):
        total, c, count = struct.unpack(BEGIN_FMT, p)
        import store

        if total > store.MAX_SET_BYTES or count > store.MAX_TABLES:
            raise FrameError("plan set too big: %d bytes, %d plans" % (total, count), E_STORE)
        self.up = None
        self.app.collect()
        self.up = bytearray(total)  # one allocation: growing it chunk by chunk fragments
        self.up_n = 0
        self.up_total = total
        self.up_crc = c
        self.up_count = count
        return struct.pack("<I", 0)

    def put(self, p):
        if self.up is None:
            raise FrameError("no upload in progress (BEGIN first)", E_BAD)
        off = struct.unpack_from("<I", p, 0)[0]
        if off != self.up_n:
            # a repeated or lost chunk: say where we are, the host resends from there
            return struct.pack("<I", self.up_n)
        end = off + len(p) - 4
        if end > self.up_total:
            raise FrameError("upload longer than announced", E_BAD)
        self.up[off:end] = memoryview(p)[4:]
        self.up_n = end
        return struct.pack("<I", end)

    def commit(self, _p):
        up = self.up
        if up is None or self.up_n != self.up_total:
            raise FrameError("upload incomplete: %d of %d bytes"
                             % (0 if up is None else self.up_n, self.up_total), E_BAD)
        self.up = None
        if crc32(up) != self.up_crc:
            raise FrameError("upload CRC32 mismatch", E_BAD)
        tables = []
        pos = 0
        n = len(up)
        while pos < n:
            if pos + 2 > n:
                raise FrameError("upload: torn table header", E_BAD)
            ln = up[pos] | up[pos + 1] << 8
            if pos + 2 + ln > n:
                raise FrameError("upload: table runs past the end", E_BAD)
            tables.append(bytes(up[pos + 2 : pos + 2 + ln]))
            pos += 2 + ln
        if len(tables) != self.up_count:
            raise FrameError("upload: %d tables, %d announced" % (len(tables), self.up_count),
                             E_BAD)
        del up
        self.app.store.save_plans(tables)  # atomic: the old set stays unless this completes
        del tables
        self.app.plans_changed()
        return struct.pack("<B", len(self.app.tables))

    def logs(self, p):
        start, maxb = struct.unpack(LOGS_REQ, p)
        lb = self.app.logbook
        if lb is None:
            return struct.pack(LOGS_HEAD, start, 0, 0)
        if maxb > MAX_LOG_PAYLOAD:
            maxb = MAX_LOG_PAYLOAD
        pay = self.pay
        hn = struct.calcsize(LOGS_HEAD)
        size = hn
        count = 0
        nxt = start
        for seq, rec in lb.raw_records(start):
            n = len(rec)
            if count and size + n > hn + maxb:
                break
            if size + n > len(pay):
                if count:
                    break
                pay = bytearray(size + n)  # one record bigger than a batch: it goes alone
            pay[size : size + n] = rec
            size += n
            count += 1
            nxt = seq + 1
            if count == 255 or size >= hn + maxb:
                break
        if not count and lb.last_seq >= start:
            nxt = lb.last_seq + 1  # nothing readable left from start (compacted or damaged)
        struct.pack_into(LOGS_HEAD, pay, 0, nxt, lb.last_seq, count)
        return memoryview(pay)[:size]

    def ack(self, p):
        upto = struct.unpack("<I", p)[0]
        lb = self.app.logbook
        if lb is None:
            return struct.pack("<I", 0)
        acked = lb.ack(upto)
        lb.compact()
        return struct.pack("<I", acked)

    def set_time(self, p):
        secs = struct.unpack("<I", p)[0]
        app = self.app
        rtc = getattr(app.hw, "rtc", None)
        tm = app.clock.gmtime(secs)
        if rtc is not None:
            rtc.datetime((tm[0], tm[1], tm[2], tm[6], tm[3], tm[4], tm[5], 0))
        elif hasattr(app.clock, "set_epoch"):
            app.clock.set_epoch(secs)
        else:
            raise FrameError("this board has no settable clock", E_BAD)
        app.rtc_set = True
        return struct.pack(TIME_FMT, int(app.clock.time()) & 0xFFFFFFFF, app.boot_count(),
                           app.clock.ticks_ms())

    def screen(self, _p):
        return self.app.screen_bytes()  # a view of the frame buffer: no copy


_BIG = (T_LIST, T_COMMIT, T_LOGS, T_SCREEN)
_HANDLERS = {T_INFO: Link.info, T_LIST: Link.list, T_BEGIN: Link.begin, T_PUT: Link.put,
             T_COMMIT: Link.commit, T_LOGS: Link.logs, T_ACK: Link.ack, T_TIME: Link.set_time,
             T_SCREEN: Link.screen}
