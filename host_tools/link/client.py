"""Protocol client: one request, one reply frame; every reply is checked before it is used."""

import struct
import time
import zlib

from host_tools import fw
from host_tools.link.transport import Disconnected, LinkError, Silent, Transport

link = fw.load("link")
logbook = fw.load("logbook")

REPL_SIGNS = (b">>>", b"Traceback", b"SyntaxError", b"raw REPL", b"MicroPython v")


class NotFirmware(LinkError):
    """The port answers like a plain MicroPython REPL, not the beeper firmware."""


class DeviceError(LinkError):
    """The device answered with an error frame."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class BadReply(LinkError):
    """A reply that does not make sense (sizes, counts): not trusted."""


def _str(p, pos, what):
    if pos >= len(p) or pos + 1 + p[pos] > len(p):
        raise BadReply("reply: %s runs past the end" % what)
    return p[pos + 1: pos + 1 + p[pos]].decode("utf-8", "replace"), pos + 1 + p[pos]


class Client:
    """A beeper on a serial port: `with Client(port) as c: c.info()`."""

    def __init__(self, port, timeout=3.0, transport=None):
        self.t = transport or Transport(port)
        self.port = port
        self.timeout = timeout
        self.seq = 0
        self.payload_out = 0
        self.payload_in = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.t.close()

    def request(self, typ, payload=b"", timeout=None):
        """Send one request; the matching reply payload (DeviceError on an error frame)."""
        self.seq = (self.seq + 1) & 0xFF
        seq = self.seq
        self.t.discard()
        self.t.write(link.frame(typ, seq, payload))
        self.payload_out += len(payload)
        deadline = time.monotonic() + (timeout or self.timeout)
        noise = bytearray()
        while True:
            line = self.t.readline(deadline)
            if line is None:
                if any(s in noise for s in REPL_SIGNS):
                    raise NotFirmware("%s answers like a plain MicroPython REPL, not the beeper "
                                      "firmware: run `beeper deploy`" % self.port)
                raise Silent("%s: no answer in %.1f s (is the beeper firmware running? a "
                             "session screen answers only `beeper info`)"
                             % (self.port, timeout or self.timeout))
            if not line.startswith(b"!"):
                noise += line[-200:] + b"\n"
                del noise[:-2000]
                if any(s in noise for s in (b"Traceback", b"SyntaxError")):
                    raise NotFirmware("%s answers like a plain MicroPython REPL, not the "
                                      "beeper firmware: run `beeper deploy`" % self.port)
                continue
            try:
                rtyp, ver, rseq, rp = link.parse(line)
            except link.FrameError:
                continue  # a damaged line: the request times out or is retried
            if rtyp.isupper():
                noise += b">>> echo\n"  # our own request echoed: a REPL, not the app
                continue
            if rseq != seq:
                continue  # a late reply to an earlier request
            self.payload_in += len(rp)
            if rtyp == link.T_ERROR:
                code = rp[0] if rp else 0
                msg = rp[1:].decode("utf-8", "replace")
                if code == link.E_VERSION:
                    raise DeviceError(code, "the beeper speaks another link protocol (%s; this "
                                      "host speaks %d): update the firmware with `beeper "
                                      "deploy` or this tool" % (msg, link.PROTOCOL))
                if code == link.E_BUSY:
                    raise DeviceError(code, "the beeper is running a session: finish it, "
                                      "then sync")
                raise DeviceError(code, "device refused: %s" % msg)
            if rtyp != typ.lower():
                raise BadReply("reply type %r to request %r" % (rtyp, typ))
            return rp

    # ----- requests -----

    def info(self):
        p = self.request(link.T_INFO)
        n = struct.calcsize(link.INFO_FMT)
        if len(p) < n:
            raise BadReply("INFO reply too short")
        f = struct.unpack_from(link.INFO_FMT, p, 0)
        fwv, pos = _str(p, n, "firmware version")
        board, pos = _str(p, pos, "board")
        dev, pos = _str(p, pos, "device id")
        if not dev or not all(c in "0123456789abcdef" for c in dev) or len(dev) > 32:
            raise BadReply("device id %r is not hex" % dev)
        return {"protocol": f[0], "running": bool(f[1]), "boot_count": f[2], "time_s": f[3],
                "ticks_ms": f[4], "plans": f[5], "free_bytes": f[6], "last_seq": f[7],
                "acked": f[8], "unsynced": f[9], "rtc_set": bool(f[10] & link.INFO_RTC),
                "full": bool(f[10] & link.INFO_FULL),
                "damaged": bool(f[10] & link.INFO_DAMAGED),
                "rpe_pending": bool(f[10] & link.INFO_RPE),
                "menu": bool(f[10] & link.INFO_MENU), "firmware": fwv, "board": board,
                "device_id": dev}

    def list(self):
        p = self.request(link.T_LIST)
        if not p:
            raise BadReply("LIST reply empty")
        out = []
        pos = 1
        n = struct.calcsize(link.LIST_ITEM)
        for _ in range(p[0]):
            if pos + n > len(p):
                raise BadReply("LIST reply shorter than its count")
            h, steps, total = struct.unpack_from(link.LIST_ITEM, p, pos)
            title, pos = _str(p, pos + n, "title")
            out.append({"hash": h, "steps": steps, "total_s": total, "title": title})
        return out

    def push(self, tables, progress=None):
        """Upload a plan set (list of table bytes) and commit it; returns the plan count."""
        blob = b"".join(struct.pack("<H", len(t)) + t for t in tables)
        self.request(link.T_BEGIN, struct.pack(link.BEGIN_FMT, len(blob), zlib.crc32(blob),
                                               len(tables)))
        off = 0
        while off < len(blob):
            chunk = blob[off: off + link.CHUNK]
            p = self.request(link.T_PUT, struct.pack("<I", off) + chunk)
            if len(p) != 4:
                raise BadReply("PUT reply size %d" % len(p))
            new = struct.unpack("<I", p)[0]
            if not off < new <= len(blob):
                raise BadReply("device reports %d of %d bytes" % (new, len(blob)))
            off = new
            if progress:
                progress(off, len(blob))
        p = self.request(link.T_COMMIT, timeout=max(self.timeout, 10))
        if len(p) != 1:
            raise BadReply("COMMIT reply size %d" % len(p))
        return p[0]

    def logs(self, start, max_bytes=link.MAX_LOG_PAYLOAD):
        """Yield decoded records (dicts) with seq >= start, batch by batch."""
        while True:
            p = self.request(link.T_LOGS, struct.pack(link.LOGS_REQ, start, max_bytes))
            hn = struct.calcsize(link.LOGS_HEAD)
            if len(p) < hn:
                raise BadReply("GET_LOGS reply too short")
            nxt, last, count = struct.unpack_from(link.LOGS_HEAD, p, 0)
            pos = hn
            recs = []
            for _ in range(count):
                if pos + logbook.HDR > len(p):
                    raise BadReply("GET_LOGS: fewer records than announced")
                size = logbook.HDR + (p[pos + 1] | p[pos + 2] << 8) + logbook.TRAILER
                try:
                    d = logbook.decode(bytes(p[pos: pos + size]))
                except ValueError as e:
                    raise BadReply("GET_LOGS: damaged record: %s" % e) from None
                if d["seq"] < start or (recs and d["seq"] <= recs[-1]["seq"]):
                    raise BadReply("GET_LOGS: records out of order")
                recs.append(d)
                pos += size
            if pos != len(p):
                raise BadReply("GET_LOGS: %d stray bytes" % (len(p) - pos))
            yield recs, last
            if not recs or nxt <= start:
                return
            start = nxt

    def ack(self, upto):
        p = self.request(link.T_ACK, struct.pack("<I", upto))
        if len(p) != 4:
            raise BadReply("ACK reply size %d" % len(p))
        return struct.unpack("<I", p)[0]

    def set_time(self, secs=None):
        """Set the device clock to secs (now, UTC); (secs sent, device time, boot, ticks_ms)."""
        if secs is None:
            secs = int(time.time())
        p = self.request(link.T_TIME, struct.pack("<I", secs))
        if len(p) != struct.calcsize(link.TIME_FMT):
            raise BadReply("SET_TIME reply size %d" % len(p))
        t, boot, ticks = struct.unpack(link.TIME_FMT, p)
        return secs, t, boot, ticks

    def screen(self):
        p = self.request(link.T_SCREEN)
        if len(p) != 1024:
            raise BadReply("SCREEN reply of %d bytes, not 1024" % len(p))
        return p


__all__ = ["Client", "LinkError", "Disconnected", "Silent", "NotFirmware", "DeviceError",
           "BadReply"]
