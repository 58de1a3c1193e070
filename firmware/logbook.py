"""Session logbook: append-only CRC-checked records in small segment files under log/."""

import os
import struct

from crc import crc32
from session import END_DONE, END_EARLY, F_EXTENDED, F_LAP, F_PAUSED, F_SKIPPED  # noqa: F401
from store import ENOSPC, FlashFull, StoreError

LOG_DIR = "log"
ACK = "ack.bin"
ACK_TMP = "ack.tmp"
CUT_TMP = "cut.tmp"
REC_MAGIC = 0xA8  # first byte of a v2 record (written)
REC_MAGIC_V1 = 0xA7  # first byte of a v1 record (still read)
HDR = 3  # magic u8 + payload length u16
# v2 fixed part: seq, plan hash, start s (u32), boot count (u16), start ticks ms (u32),
# flags (u8: RF_RTC_SET), end reason, rpe (u8), worst onset us (u16), paused ms (u32),
# n intervals (u16), string count (u8); then the strings (u8 length + UTF-8 each; string 0 is
# the plan title, the others its labels), then n intervals.
FIXED = 30
FMT = "<IIIHIBBBHIHB"
END_AT = 19  # offset of the end reason in a v2 payload (checkpoint.py rewrites it)
PER = 13  # per interval: planned ms, actual ms (u32), flags (u8), lap taps (u16), kind, label
PER_FMT = "<IIBHBB"
FIXED_V1 = 20  # v1: seq, plan hash, start s (u32), end reason, rpe (u8), n (u16), paused ms
PER_V1 = 11  # v1 interval: planned ms, actual ms, flags, lap taps
TRAILER = 4  # CRC32 of header + payload
TORN = 1
DAMAGED = 2
# Bounded record: 30 + 1024 + 1024 * 13 bytes fits the u16 length and a Pico's heap with room.
MAX_INTERVALS = 1024
MAX_STRINGS = 64  # a plan table is at most 1 KB, so its strings are too
MAX_TEXT = 40  # bytes of one string (plan.MAX_TEXT)
MAX_STR_BYTES = 1024
NO_LABEL = 0xFF
NO_KIND = 0xFF  # v1 records carry no kind
ONSET_UNKNOWN = 0xFFFF
RF_RTC_SET = 1  # the host had set the RTC this boot before the session started
# Segments stay about one 4 KB flash block: cutting a torn tail rewrites one small file and
# compaction deletes whole files (no copying of unsynced records, ever).
SEG_BYTES = 4000
# Free blocks kept back for LittleFS's copy-on-write metadata, the ack cursor and plan set.
RESERVE_BLOCKS = 3
# End reasons: the session's own two, then those set by recovery code.
END_FINISHED = END_DONE
END_ABANDONED = 2
END_POWER_LOSS = 3
END_WATCHDOG = 4
END_CHECKPOINT = 5
END_OPEN = 6
END_REASONS = {END_FINISHED: "finished", END_EARLY: "finished early",
               END_ABANDONED: "abandoned", END_POWER_LOSS: "power loss",
               END_WATCHDOG: "watchdog", END_CHECKPOINT: "checkpoint", END_OPEN: "open"}


def _text(s):
    """UTF-8 bytes of s, cut to MAX_TEXT bytes at a character boundary."""
    b = s.encode() if isinstance(s, str) else bytes(s)
    if len(b) <= MAX_TEXT:
        return b
    n = MAX_TEXT
    while n and b[n] & 0xC0 == 0x80:
        n -= 1  # do not split a multi-byte character
    return b[:n]


def _strings(strings):
    """The strings as a list of bytes, bounded in count and total size."""
    out = []
    total = 0
    for s in strings[:MAX_STRINGS]:
        b = _text(s)
        if total + 1 + len(b) > MAX_STR_BYTES:
            break
        total += 1 + len(b)
        out.append(b)
    return out


def record_size(n, sbytes=0):
    """Bytes on flash for a v2 record of n intervals and sbytes of strings (1 + len each)."""
    return HDR + FIXED + sbytes + PER * n + TRAILER


def strings_size(strings):
    """Bytes the strings take in a record."""
    n = 0
    for b in _strings(strings):
        n += 1 + len(b)
    return n


def encode(seq, plan_hash, start_s, end_reason, rpe, paused_ms, intervals, boot_count=0,
           start_ticks_ms=0, rtc_set=False, worst_onset_us=ONSET_UNKNOWN, strings=()):
    """One v2 record as bytes.

    intervals: (planned_ms, actual_ms, flags, laps[, kind, label]) each; strings: the plan's
    title then its labels (an interval's label indexes them; NO_LABEL = none).
    """
    n = len(intervals)
    strs = _strings(strings)
    sb = 0
    for b in strs:
        sb += 1 + len(b)
    buf = bytearray(record_size(n, sb))
    struct.pack_into("<BH" + FMT[1:], buf, 0, REC_MAGIC, FIXED + sb + PER * n, seq, plan_hash,
                     start_s, boot_count & 0xFFFF, start_ticks_ms & 0xFFFFFFFF,
                     RF_RTC_SET if rtc_set else 0, end_reason, rpe,
                     worst_onset_us if 0 <= worst_onset_us < ONSET_UNKNOWN else ONSET_UNKNOWN,
                     paused_ms, n, len(strs))
    pos = HDR + FIXED
    for b in strs:
        buf[pos] = len(b)
        buf[pos + 1 : pos + 1 + len(b)] = b
        pos += 1 + len(b)
    for iv in intervals:
        kind = iv[4] if len(iv) > 4 else NO_KIND
        label = iv[5] if len(iv) > 5 else NO_LABEL
        struct.pack_into(PER_FMT, buf, pos, iv[0], iv[1], iv[2], iv[3], kind, label)
        pos += PER
    struct.pack_into("<I", buf, pos, crc32(memoryview(buf)[:pos]))
    return buf


def _decode_v1(rec, plen):
    """Payload of a v1 record -> the v2 dict shape (unknown fields at their defaults)."""
    seq, ph, st, er, rpe, cnt, pms = struct.unpack_from("<IIIBBHI", rec, HDR)
    if plen != FIXED_V1 + PER_V1 * cnt:
        raise ValueError("record interval count mismatch")
    ivs = []
    pos = HDR + FIXED_V1
    for _ in range(cnt):
        p, a, f, lp = struct.unpack_from("<IIBH", rec, pos)
        ivs.append((p, a, f, lp, NO_KIND, NO_LABEL))
        pos += PER_V1
    return {"version": 1, "seq": seq, "plan_hash": ph, "start_s": st, "boot_count": 0,
            "start_ticks_ms": 0, "rtc_set": False, "end_reason": er, "rpe": rpe,
            "paused_ms": pms, "worst_onset_us": ONSET_UNKNOWN, "title": "", "strings": [],
            "intervals": ivs}


def decode(rec):
    """A whole record (header, payload, CRC) -> dict; ValueError if it is damaged.

    Keys: version, seq, plan_hash, start_s, boot_count, start_ticks_ms, rtc_set, end_reason,
    rpe, paused_ms, worst_onset_us, title, strings (title first, then labels) and intervals,
    a list of (planned_ms, actual_ms, flags, laps, kind, label) tuples.
    """
    n = len(rec)
    if n < HDR + FIXED_V1 + TRAILER or rec[0] not in (REC_MAGIC, REC_MAGIC_V1):
        raise ValueError("not a log record")
    plen = rec[1] | rec[2] << 8
    if n != HDR + plen + TRAILER:
        raise ValueError("record length mismatch")
    if crc32(memoryview(rec)[: n - 4]) != struct.unpack_from("<I", rec, n - 4)[0]:
        raise ValueError("record CRC32 mismatch")
    if rec[0] == REC_MAGIC_V1:
        return _decode_v1(rec, plen)
    if plen < FIXED:
        raise ValueError("record too short")
    (seq, ph, st, boots, ticks, rf, er, rpe, worst, pms, cnt,
     nstr) = struct.unpack_from(FMT, rec, HDR)
    pos = HDR + FIXED
    end = HDR + plen
    strs = []
    for _ in range(nstr):
        if pos >= end or pos + 1 + rec[pos] > end:
            raise ValueError("record strings run past the end")
        strs.append(str(bytes(rec[pos + 1 : pos + 1 + rec[pos]]), "utf-8"))
        pos += 1 + rec[pos]
    if end - pos != PER * cnt:
        raise ValueError("record interval count mismatch")
    ivs = []
    for _ in range(cnt):
        ivs.append(struct.unpack_from(PER_FMT, rec, pos))
        pos += PER
    return {"version": 2, "seq": seq, "plan_hash": ph, "start_s": st, "boot_count": boots,
            "start_ticks_ms": ticks, "rtc_set": bool(rf & RF_RTC_SET), "end_reason": er,
            "rpe": rpe, "paused_ms": pms, "worst_onset_us": worst,
            "title": strs[0] if strs else "", "strings": strs, "intervals": ivs}


def _u32(v):
    """Clamp to 0..2**32-1."""
    return 0 if v < 0 else (v if v < 0xFFFFFFFF else 0xFFFFFFFF)


def _read_record(f):
    """Next raw record from an open segment: bytes, None at a clean end, False if torn."""
    hdr = f.read(HDR)
    if not hdr:
        return None
    if len(hdr) < HDR or hdr[0] not in (REC_MAGIC, REC_MAGIC_V1):
        return False
    plen = hdr[1] | hdr[2] << 8
    if hdr[0] == REC_MAGIC_V1 and (plen < FIXED_V1 or (plen - FIXED_V1) % PER_V1):
        return False
    if hdr[0] == REC_MAGIC and plen < FIXED:  # the rest is checked by decode (strings vary)
        return False
    body = f.read(plen + TRAILER)
    if len(body) < plen + TRAILER:
        return False
    rec = hdr + body
    if crc32(memoryview(rec)[: HDR + plen]) != struct.unpack_from("<I", rec, HDR + plen)[0]:
        return False
    return rec


def _rec_seq(rec):
    """Sequence number of a raw record."""
    return struct.unpack_from("<I", rec, HDR)[0]


class Logbook:
    """Append-only session log; scans and cuts a torn tail when opened."""

    def __init__(self, store):
        self.store = store
        self.dir = store.path(LOG_DIR)
        try:
            os.mkdir(self.dir)
        except OSError:
            pass  # exists
        for name in (ACK_TMP, LOG_DIR + "/" + CUT_TMP):
            try:
                os.remove(store.path(name))
            except OSError:
                pass
        self.repaired = 0  # torn records cut when opened
        self.damaged = 0  # segments with bad bytes before their end (kept, not cut)
        self.full = False  # set when an append found no room; the app shows it
        self._sealed = False  # last segment may end torn: start a new one
        self.acked = self._load_ack()
        self._segs = self._list_segments()
        self.last_seq = 0
        self._cur_size = 0
        self._scan_tail()
        if self.acked > self.last_seq:
            self.last_seq = self.acked

    def _seg_path(self, first):
        """Path of the segment whose first record has sequence number `first`."""
        return "%s/%010d.log" % (self.dir, first)

    def _list_segments(self):
        """Sorted first-seq numbers of the segment files."""
        out = []
        for name in os.listdir(self.dir):
            if len(name) == 14 and name.endswith(".log"):
                try:
                    out.append(int(name[:10]))
                except ValueError:
                    pass
        out.sort()
        return out

    def _load_ack(self):
        """Acked sequence number from the cursor file (0 if missing or damaged)."""
        b = self.store.read_file(ACK)
        if b is None or len(b) != 8 or crc32(b[:4]) != struct.unpack_from("<I", b, 4)[0]:
            return 0  # conservative: nothing is acked, so nothing may be dropped
        return struct.unpack_from("<I", b, 0)[0]

    def _scan_segment(self, path):
        """Walk one segment: (good byte length, last good seq or 0, damage kind).

        Damage is 0 (none), TORN (the last record is short or fails its CRC: cut it) or
        DAMAGED (bad bytes with more data after them: kept, never cut, readers stop there).
        """
        size = os.stat(path)[6]
        good = 0
        last = 0
        with open(path, "rb") as f:
            while True:
                rec = _read_record(f)
                if rec is None:
                    return good, last, 0
                if rec is False:
                    break
                good += len(rec)
                last = _rec_seq(rec)
            f.seek(good)
            hdr = f.read(HDR)
        rest = size - good
        if rest < HDR:
            return good, last, TORN
        plen = hdr[1] | hdr[2] << 8
        if hdr[0] in (REC_MAGIC, REC_MAGIC_V1) and HDR + plen + TRAILER >= rest:
            return good, last, TORN  # runs past the end, or the CRC of the last record fails
        return good, last, DAMAGED

    def _scan_tail(self):
        """Find the last good record; cut a torn tail and drop empty tail segments."""
        while self._segs:
            path = self._seg_path(self._segs[-1])
            good, last, damage = self._scan_segment(path)
            if damage == TORN:
                self.repaired += 1
                self._cut(path, good)
            elif damage == DAMAGED:
                self.damaged += 1
                self._sealed = True
                # Seqs run +1 a record from the name within a segment: skip past any record
                # that may hide behind the damage, so no seq is ever given out twice.
                last = self._segs[-1] + os.stat(path)[6] // (HDR + FIXED_V1 + TRAILER)
            if good or damage == DAMAGED:
                self._cur_size = good
                self.last_seq = last
                return
            os.remove(path)
            self._segs.pop()
        # No segment left: seq stays monotonic via the ack cursor.

    def _cut(self, path, good):
        """Keep only the first `good` bytes of a segment (MicroPython files cannot truncate)."""
        if not good:
            return  # the caller removes the empty segment
        with open(path, "rb") as f:
            data = f.read(good)
        try:
            self.store.write_atomic(path[len(self.store.root) + 1 :], (data,),
                                    LOG_DIR + "/" + CUT_TMP)
        except (OSError, StoreError):
            self._sealed = True  # could not rewrite (flash full): readers stop at the tear

    def _room(self, need):
        """True if `need` more bytes fit while keeping the reserve free."""
        bs = self.store.block_size()
        return self.store.free_bytes() >= need + RESERVE_BLOCKS * bs

    def room_for(self, n, sbytes=0):
        """Would a record of n intervals (and sbytes of strings) be taken now? As append
        decides: the reserve kept, acked segments compacted first. Sets `full` when not."""
        need = record_size(n if n < MAX_INTERVALS else MAX_INTERVALS, sbytes)
        if not self._room(need):
            self.compact()
            if not self._room(need):
                self.full = True
                return False
        return True

    def append(self, session, plan_hash, start_s, rpe, boot_count=0, start_ticks_ms=0,
               rtc_set=False, worst_onset_us=ONSET_UNKNOWN):
        """Write one session record (one open/write/close); returns its seq; FlashFull.

        Kinds, labels and the title come from session.table when it has one.
        """
        rec = self.build(session, plan_hash, start_s, rpe, boot_count, start_ticks_ms, rtc_set,
                         worst_onset_us)
        return self.put(rec, self.last_seq + 1)

    def build(self, session, plan_hash, start_s, rpe, boot_count=0, start_ticks_ms=0,
              rtc_set=False, worst_onset_us=ONSET_UNKNOWN, end_reason=None):
        """The record append() would write next (seq last_seq + 1), as bytes; end_reason
        None = the session's own."""
        if not 0 <= rpe <= 10:
            raise ValueError("rpe must be 0 (not given) or 1..10")
        n = session.n_done
        if n > MAX_INTERVALS:
            n = MAX_INTERVALS  # keep the record bounded; longer sessions keep their start
        table = getattr(session, "table", None)
        cur = None
        strings = ()
        if table is not None:
            import plan

            cur = plan.Cursor(table)
            strings = [table.label(i) for i in range(table.nstr)]
        ivs = []
        for i in range(n):
            laps = session.laps[i]
            kind = NO_KIND
            label = NO_LABEL
            if cur is not None and cur.next():
                kind = cur.kind
                label = cur.label if 0 <= cur.label < MAX_STRINGS else NO_LABEL
            ivs.append((_u32(session.planned_ms[i]), _u32(session.actual_ms[i]),
                        session.flags[i] & 0xFF, laps if laps < 0xFFFF else 0xFFFF, kind,
                        label))
        seq = self.last_seq + 1
        if end_reason is None:
            end_reason = session.end_reason & 0xFF
        return encode(seq, plan_hash & 0xFFFFFFFF, _u32(start_s), end_reason, rpe,
                      _u32(session.paused_ms), ivs, boot_count, _u32(start_ticks_ms), rtc_set,
                      worst_onset_us, strings)

    def put(self, rec, seq):
        """Append one encoded record with sequence number seq; returns seq; FlashFull."""
        need = len(rec)
        if not self._room(need):
            self.compact()
            if not self._room(need):
                self.full = True
                raise FlashFull("flash full: log record of %d bytes does not fit" % need)
        new = self._sealed or not self._segs or self._cur_size + need > SEG_BYTES
        first = seq if new else self._segs[-1]
        try:
            f = open(self._seg_path(first), "ab")
            try:
                f.write(rec)
            finally:
                f.close()
        except OSError as e:
            # The segment may now end in a torn record: never append after it, and burn the
            # seq in case the record did land.
            self._sealed = True
            self.last_seq = seq
            if new and first not in self._segs:
                self._segs.append(first)
            if e.args and e.args[0] == ENOSPC:
                self.full = True
                raise FlashFull("flash full: log write failed")
            raise
        if new:
            self._segs.append(first)
            self._cur_size = 0
            self._sealed = False
        self._cur_size += need
        self.last_seq = seq
        self.full = False
        return seq

    def raw_records(self, from_seq=0):
        """Yield (seq, raw record bytes) for good records with seq >= from_seq, in order."""
        segs = self._segs[:]
        for k in range(len(segs)):
            if k + 1 < len(segs) and segs[k + 1] <= from_seq:
                continue  # every record in segment k is older than from_seq
            try:
                f = open(self._seg_path(segs[k]), "rb")
            except OSError:
                continue  # compacted meanwhile
            try:
                while True:
                    rec = _read_record(f)
                    if not rec:
                        break  # end, or a tear left by a failed write: next segment
                    s = _rec_seq(rec)
                    if s >= from_seq:
                        yield s, rec
            finally:
                f.close()

    def records(self, from_seq=0):
        """Yield decoded records (dicts, see decode) with seq >= from_seq, one at a time."""
        for _, rec in self.raw_records(from_seq):
            yield decode(rec)

    def unsynced(self):
        """Yield decoded records the host has not acked yet."""
        return self.records(self.acked + 1)

    def unsynced_count(self):
        """How many records the host has not acked yet."""
        n = 0
        for _ in self.raw_records(self.acked + 1):
            n += 1
        return n

    def ack(self, upto_seq):
        """Host has durably stored every record up to upto_seq: persist it; returns acked."""
        if upto_seq > self.last_seq:
            upto_seq = self.last_seq  # cannot ack what was never written
        if upto_seq <= self.acked:
            return self.acked
        b = struct.pack("<I", upto_seq)
        self.store.write_atomic(ACK, (b, struct.pack("<I", crc32(b))), ACK_TMP)
        self.acked = upto_seq
        return upto_seq

    def compact(self):
        """Delete segments whose records are all acked (never the newest); returns count."""
        gone = 0
        while len(self._segs) > 1 and self._segs[1] - 1 <= self.acked:
            os.remove(self._seg_path(self._segs[0]))
            self._segs.pop(0)
            gone += 1
        if gone:
            self.full = False
        return gone
