"""Test filesystems for store/logbook: real LittleFS on MicroPython, a temp dir on CPython."""

import os
import sys

MP = sys.implementation.name == "micropython"


class PowerCut(Exception):
    """The simulated supply dropped during a flash program or erase."""


class RamDev:
    """RAM block device (readblocks/writeblocks/ioctl) that can lose power mid-operation."""

    def __init__(self, blocks, block_size=512):
        self.bs = block_size
        self.n = blocks
        self.data = bytearray(blocks * block_size)
        self.cut_at = 0  # 0 = never; else the op number that is torn
        self.ops = 0  # programs + erases so far
        self.reads = 0

    def cut_power_after(self, n):
        """The n-th later program/erase lands only half, then raises PowerCut."""
        self.cut_at = self.ops + n if n else 0

    def _op(self):
        self.ops += 1
        return self.cut_at and self.ops == self.cut_at

    def readblocks(self, block, buf, offset=0):
        self.reads += 1
        a = block * self.bs + offset
        buf[:] = self.data[a : a + len(buf)]

    def writeblocks(self, block, buf, offset=None):
        a = block * self.bs + (offset or 0)
        if self._op():
            half = len(buf) // 2
            self.data[a : a + half] = buf[:half]
            raise PowerCut("program")
        self.data[a : a + len(buf)] = buf

    def ioctl(self, op, arg):
        if op == 4:
            return self.n
        if op == 5:
            return self.bs
        if op == 6:
            a = arg * self.bs
            if self._op():
                self.data[a : a + self.bs // 2] = b"\xff" * (self.bs // 2)
                raise PowerCut("erase")
            self.data[a : a + self.bs] = b"\xff" * self.bs
            return 0
        return 0


_count = [0]


def fresh(blocks=32, block_size=512):
    """A new empty filesystem: (root path, block device or None on CPython)."""
    _count[0] += 1
    if not MP:
        import tempfile

        return tempfile.mkdtemp(prefix="beeper_store_"), None
    import vfs

    dev = RamDev(blocks, block_size)
    vfs.VfsLfs2.mkfs(dev)
    root = "/fs%d" % _count[0]
    vfs.mount(vfs.VfsLfs2(dev), root)
    return root, dev


def remount(root, dev):
    """Reboot: drop the mounted filesystem state and mount the device again, power back on."""
    if dev is None:
        return
    import vfs

    dev.cut_at = 0
    vfs.umount(root)
    vfs.mount(vfs.VfsLfs2(dev), root)


def release(root, dev):
    """Unmount (MicroPython) or delete (CPython) a test filesystem."""
    if dev is not None:
        import vfs

        vfs.umount(root)
        return
    _rmtree(root)


def _rmtree(path):
    for name in os.listdir(path):
        p = path + "/" + name
        if os.stat(p)[0] & 0x4000:  # S_IFDIR
            _rmtree(p)
        else:
            os.remove(p)
    os.rmdir(path)


def write_bytes(path, data):
    """Overwrite a file (test damage injection)."""
    f = open(path, "wb")
    f.write(data)
    f.close()


def read_bytes(path):
    """Whole file."""
    f = open(path, "rb")
    try:
        return f.read()
    finally:
        f.close()
