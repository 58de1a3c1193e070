"""Session logbook: append-only CRC-checked records in small segment files under log/."""

import os
import struct

from crc import crc32
from store import ENOSPC, FlashFull, StoreError

LOG_DIR = "log"
ACK = "ack.bin"
ACK_TMP = "ack.tmp"
CUT_TMP = "cut.tmp"
REC_MAGIC = 0xA7  # first byte of a v1 record
HDR = 3  # magic u8 + payload length u16
FIXED = 20  # seq, plan hash, start s (u32 each), end reason, rpe (u8), n (u16), paused ms (u32)
PER = 11  # per interval: planned ms, actual ms (u32), flags (u8), lap taps (u16)
TRAILER = 4  # CRC32 of header + payload
TORN = 1
DAMAGED = 2
# Bounded record: 20 + 1024 * 11 bytes fits the u16 length and a Pico's heap with room.
MAX_INTERVALS = 1024
# Segments stay about one 4 KB flash block: cutting a torn tail rewrites one small file and
# compaction deletes whole files (no copying of unsynced records, ever).
SEG_BYTES = 4000
# Free blocks kept back for LittleFS's copy-on-write metadata, the ack cursor and plan set.
RESERVE_BLOCKS = 3
# Session flags, as in session.py.
F_SKIPPED = 1
F_PAUSED = 2
F_EXTENDED = 4
F_LAP = 8


def record_size(n):
    """Bytes on flash for a record of n intervals."""
    return HDR + FIXED + PER * n + TRAILER


def encode(seq, plan_hash, start_s, end_reason, rpe, paused_ms, intervals):
    """One record as bytes; intervals is a list of (planned_ms, actual_ms, flags, laps)."""
    n = len(intervals)
    buf = bytearray(record_size(n))
    struct.pack_into("<BHIIIBBHI", buf, 0, REC_MAGIC, FIXED + PER * n, seq, plan_hash,
                     start_s, end_reason, rpe, n, paused_ms)
    pos = HDR + FIXED
    for iv in intervals:
        struct.pack_into("<IIBH", buf, pos, iv[0], iv[1], iv[2], iv[3])
        pos += PER
    struct.pack_into("<I", buf, pos, crc32(memoryview(buf)[:pos]))
    return buf


def decode(rec):
    """A whole record (header, payload, CRC) -> dict; ValueError if it is damaged."""
    n = len(rec)
    if n < HDR + FIXED + TRAILER or rec[0] != REC_MAGIC:
        raise ValueError("not a log record")
    plen = rec[1] | rec[2] << 8
    if n != HDR + plen + TRAILER:
        raise ValueError("record length mismatch")
    if crc32(memoryview(rec)[: n - 4]) != struct.unpack_from("<I", rec, n - 4)[0]:
        raise ValueError("record CRC32 mismatch")
    seq, ph, st, er, rpe, cnt, pms = struct.unpack_from("<IIIBBHI", rec, HDR)
    if plen != FIXED + PER * cnt:
        raise ValueError("record interval count mismatch")
    ivs = []
    pos = HDR + FIXED
    for _ in range(cnt):
        ivs.append(struct.unpack_from("<IIBH", rec, pos))
        pos += PER
    return {"seq": seq, "plan_hash": ph, "start_s": st, "end_reason": er, "rpe": rpe,
            "paused_ms": pms, "intervals": ivs}


def _u32(v):
    """Clamp to 0..2**32-1."""
    return 0 if v < 0 else (v if v < 0xFFFFFFFF else 0xFFFFFFFF)


def _read_record(f):
    """Next raw record from an open segment: bytes, None at a clean end, False if torn."""
    hdr = f.read(HDR)
    if not hdr:
        return None
    if len(hdr) < HDR or hdr[0] != REC_MAGIC:
        return False
    plen = hdr[1] | hdr[2] << 8
    if plen < FIXED or (plen - FIXED) % PER:
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
        if hdr[0] == REC_MAGIC and HDR + plen + TRAILER >= rest:
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
                last = self._segs[-1] + os.stat(path)[6] // record_size(0)
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

    def room_for(self, n):
        """Would a record of n intervals be taken now? As append decides: the reserve kept,
        acked segments compacted first when short. Sets `full` when it would not."""
        need = record_size(n if n < MAX_INTERVALS else MAX_INTERVALS)
        if not self._room(need):
            self.compact()
            if not self._room(need):
                self.full = True
                return False
        return True

    def append(self, session, plan_hash, start_s, rpe):
        """Write one session record (one open/write/close); returns its seq; FlashFull."""
        if not 0 <= rpe <= 10:
            raise ValueError("rpe must be 0 (not given) or 1..10")
        n = session.n_done
        if n > MAX_INTERVALS:
            n = MAX_INTERVALS  # keep the record bounded; longer sessions keep their start
        ivs = []
        for i in range(n):
            laps = session.laps[i]
            ivs.append((_u32(session.planned_ms[i]), _u32(session.actual_ms[i]),
                        session.flags[i] & 0xFF, laps if laps < 0xFFFF else 0xFFFF))
        seq = self.last_seq + 1
        rec = encode(seq, plan_hash & 0xFFFFFFFF, _u32(start_s), session.end_reason & 0xFF,
                     rpe, _u32(session.paused_ms), ivs)
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
