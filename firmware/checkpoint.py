"""Checkpoints of the running session, so a dead battery or a watchdog reset loses little."""

import os
import struct

import logbook as lg
from crc import crc32

# One record (end reason END_OPEN), two slot files rewritten in turn: a cut tears at most the
# one being written and the other keeps the previous checkpoint. Cheaper than temp + rename
# (no file creation): on LittleFS one data block erase + its pages, and now and then a
# metadata compaction (one more erase).
SLOTS = ("open0.bin", "open1.bin")


class Checkpoints:
    """The running session's checkpoint slots beside a logbook."""

    def __init__(self, logbook):
        self.lb = logbook
        self.n = 0  # checkpoints of the running session so far

    def _name(self, k):
        return lg.LOG_DIR + "/" + SLOTS[k]

    def _newest(self):
        """The newest good checkpoint (bytes) and its seq, or (None, 0)."""
        best = None
        key = None
        for k in (0, 1):
            b = self.lb.store.read_file(self._name(k))
            if b is None:
                continue
            try:
                d = lg.decode(b)
            except ValueError:
                continue  # torn by a cut: the other slot has the previous checkpoint
            kk = (d["seq"], len(d["intervals"]))
            if key is None or kk > key:
                best, key = b, kk
        return best, (key[0] if key else 0)

    def new_session(self):
        """A session starts: its first save() looks for a checkpoint an earlier one left."""
        self.n = 0

    def save(self, session, plan_hash, start_s, boot_count=0, start_ticks_ms=0,
             rtc_set=False, worst_onset_us=lg.ONSET_UNKNOWN):
        """Save the session's intervals so far; True if written.

        The record has the seq its final append will take and end reason END_OPEN. False
        (nothing written) when the log has no room, or when a checkpoint of an earlier session
        is still there (its final save failed): that one is logged now instead.
        """
        lb = self.lb
        if self.n == 0:
            old, _ = self._newest()
            if old is not None:
                self.recover(lg.END_ABANDONED)
                return False
        rec = lb.build(session, plan_hash, start_s, 0, boot_count, start_ticks_ms, rtc_set,
                       worst_onset_us, lg.END_OPEN)
        if lb.full or not lb._room(len(rec)):
            return False
        f = open(lb.store.path(self._name(self.n & 1)), "wb")
        try:
            f.write(rec)
        finally:
            f.close()
        self.n += 1
        return True

    def clear(self):
        """The session's final record is written: drop the slots."""
        self.n = 0
        for k in (0, 1):
            try:
                os.remove(self.lb.store.path(self._name(k)))
            except OSError:
                pass

    def recover(self, reason=lg.END_POWER_LOSS):
        """At boot: a checkpoint left by a session that never ended becomes its record, with
        end reason `reason` (power loss or watchdog); returns its seq, or 0 if there was none.

        Idempotent across power cuts: the record is appended first (skipped if its seq is
        already in the log), the slots removed after. FlashFull leaves them for a later boot.
        """
        lb = self.lb
        b, seq = self._newest()
        if b is not None and seq > lb.last_seq:
            rec = bytearray(b)
            rec[lg.HDR + lg.END_AT] = reason
            n = len(rec) - lg.TRAILER
            struct.pack_into("<I", rec, n, crc32(memoryview(rec)[:n]))
            lb.put(rec, seq)
        else:
            seq = 0  # none, or the final record had landed before the cut
        self.clear()
        return seq
