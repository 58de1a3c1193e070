"""Flash storage: the plan set file and atomic file replacement (LittleFS or any os fs)."""

import os
import struct

from crc import crc32

PLANS = "plans.bin"
PLANS_TMP = "plans.tmp"
BOOTS = "boot.bin"  # u16 boot count + CRC32
BOOTS_TMP = "boot.tmp"
MAGIC = b"PSET"
MAX_TABLES = 255  # count is a u8
MAX_TABLE_BYTES = 0xFFFF  # length is a u16
# A whole set is read into RAM at boot: keep it well inside a Pico's ~240 KB heap.
MAX_SET_BYTES = 32768
ENOSPC = 28  # errno when LittleFS (or POSIX) has no free block left


class StoreError(Exception):
    """A storage problem the app can show (corrupt file, flash full)."""


class CorruptError(StoreError):
    """A stored file failed its checks (magic, lengths, CRC32 or table validation)."""


class FlashFull(StoreError):
    """Not enough free flash for a write; nothing was changed."""


def _plan_table(buf):
    """Default table factory: plan.Table (imported late so the store loads without it)."""
    import plan

    return plan.Table(buf)


def _remove(path):
    """Delete path if it exists."""
    try:
        os.remove(path)
    except OSError:
        pass


class Store:
    """Files under one root ("/" on a Pico): plan set, atomic writes, free space."""

    def __init__(self, root, table=None):
        self.root = root.rstrip("/")
        self._table = table or _plan_table
        # A temp left by a cut during save_plans is garbage: plans.bin is still the old set.
        _remove(self.path(PLANS_TMP))
        self.boot_count = 0  # set by count_boot()

    def count_boot(self):
        """Add this boot to the stored boot counter (atomic replace); returns the new count.

        Call once per boot. A missing or damaged counter restarts at 1; a failed write keeps
        the count in RAM so the app still runs.
        """
        b = self.read_file(BOOTS)
        n = 0
        if b is not None and len(b) == 6 and crc32(b[:2]) == struct.unpack_from("<I", b, 2)[0]:
            n = b[0] | b[1] << 8
        n = (n + 1) & 0xFFFF or 1  # u16; 0 means "never counted"
        h = struct.pack("<H", n)
        try:
            self.write_atomic(BOOTS, (h, struct.pack("<I", crc32(h))), BOOTS_TMP)
        except (OSError, StoreError):
            pass  # flash full or failing: the count still serves this boot
        self.boot_count = n
        return n

    def path(self, name):
        """Absolute path of a file under the root."""
        return self.root + "/" + name

    def free_bytes(self):
        """Free bytes on the filesystem holding the root."""
        st = os.statvfs(self.root or "/")
        return st[1] * st[4]  # f_frsize * f_bavail

    def block_size(self):
        """Filesystem block size (4096 on a Pico's LittleFS)."""
        return os.statvfs(self.root or "/")[1]

    def write_atomic(self, name, chunks, tmp):
        """Replace file `name` by the concatenated chunks: write tmp, flush, close, rename."""
        tpath = self.path(tmp)
        try:
            f = open(tpath, "wb")
            try:
                for c in chunks:
                    f.write(c)
                f.flush()
                fsync = getattr(os, "fsync", None)  # CPython only; LittleFS syncs on close
                if fsync:
                    fsync(f.fileno())
            finally:
                f.close()
            os.rename(tpath, self.path(name))
        except OSError as e:
            _remove(tpath)
            if e.args and e.args[0] == ENOSPC:
                raise FlashFull("flash full: cannot write %s" % name)
            raise

    def read_file(self, name):
        """Whole content of file `name`, or None if it does not exist."""
        try:
            f = open(self.path(name), "rb")
        except OSError:
            return None
        try:
            return f.read()
        finally:
            f.close()

    def save_plans(self, tables):
        """Validate the tables (bytes each) and atomically replace the plan set with them."""
        if len(tables) > MAX_TABLES:
            raise StoreError("too many plans: %d > %d" % (len(tables), MAX_TABLES))
        total = 9  # magic 4 + count 1 + CRC 4
        for i, t in enumerate(tables):
            if not 0 < len(t) <= MAX_TABLE_BYTES:
                raise StoreError("plan %d: bad table length %d" % (i, len(t)))
            self._table(t)  # raises (plan.PlanError) before flash is touched
            total += 2 + len(t)
        if total > MAX_SET_BYTES:
            raise StoreError("plan set too big: %d > %d bytes" % (total, MAX_SET_BYTES))
        chunks = [MAGIC + bytes((len(tables),))]
        for t in tables:
            chunks.append(struct.pack("<H", len(t)))
            chunks.append(t)
        c = 0
        for ch in chunks:
            c = crc32(ch, c)
        chunks.append(struct.pack("<I", c))
        self.write_atomic(PLANS, chunks, PLANS_TMP)

    def load_plan_bytes(self):
        """The stored tables as a list of bytes ([] if no set); CorruptError if damaged."""
        buf = self.read_file(PLANS)
        if buf is None:
            return []
        n = len(buf)
        if n > MAX_SET_BYTES:
            raise CorruptError("plans.bin: %d bytes, over the %d limit" % (n, MAX_SET_BYTES))
        if n < 9 or buf[:4] != MAGIC:
            raise CorruptError("plans.bin: not a plan set (bad magic or too short)")
        if crc32(memoryview(buf)[: n - 4]) != struct.unpack_from("<I", buf, n - 4)[0]:
            raise CorruptError("plans.bin: CRC32 mismatch (file damaged)")
        count = buf[4]
        out = []
        pos = 5
        for i in range(count):
            if pos + 2 > n - 4:
                raise CorruptError("plans.bin: table %d header past end" % i)
            ln = buf[pos] | buf[pos + 1] << 8
            pos += 2
            if pos + ln > n - 4:
                raise CorruptError("plans.bin: table %d runs past end" % i)
            out.append(buf[pos : pos + ln])
            pos += ln
        if pos != n - 4:
            raise CorruptError("plans.bin: %d stray bytes after the tables" % (n - 4 - pos))
        return out

    def load_plans(self):
        """The stored plan set as a list of validated tables (plan.Table by default)."""
        out = []
        for i, b in enumerate(self.load_plan_bytes()):
            try:
                out.append(self._table(b))
            except ValueError as e:  # plan.PlanError is a ValueError
                raise CorruptError("plans.bin: table %d invalid: %s" % (i, e))
        return out
