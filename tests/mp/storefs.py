"""Test filesystems for store/logbook: real LittleFS on MicroPython, a temp dir on CPython."""

import os
import sys

import interp
from flashdev import FlashDevice, PowerCut  # noqa: F401 - PowerCut is what the tests catch

MP = sys.implementation.name == "micropython"


class Port:
    """One boot's view of a device: after a reboot, stale file objects cannot reach it.

    A file left open by a cut is closed later by the GC finaliser (heap locked): a stale port
    then does nothing and allocates nothing, like flash whose power has gone.
    """

    def __init__(self, dev):
        self.dev = dev
        self.alive = True
        dev.port = self

    def readblocks(self, block, buf, offset=0):
        if self.alive:
            self.dev.readblocks(block, buf, offset)

    def writeblocks(self, block, buf, offset=None):
        if self.alive:
            self.dev.writeblocks(block, buf, offset)

    def ioctl(self, op, arg):
        if self.alive or op in (4, 5):
            return self.dev.ioctl(op, arg)
        return 0


_count = [0]


def need_lfs(why="power cuts and full flash are simulated under LittleFS: MicroPython only"):
    """Skip visibly on CPython (pytest.skip); a no-op under MicroPython."""
    if not MP:
        import pytest

        pytest.skip(why)


def fresh(blocks=32, block_size=512):
    """A new empty filesystem: (root path, flashdev.FlashDevice or None on CPython)."""
    _count[0] += 1
    if not MP:
        return interp.tmpdir("store"), None
    import gc

    import vfs

    gc.collect()  # earlier tests' images and caches (the image is one bytearray a block)
    dev = FlashDevice(blocks, block_size)
    vfs.VfsLfs2.mkfs(dev)
    root = "/fs%d" % _count[0]
    vfs.mount(vfs.VfsLfs2(Port(dev)), root)
    return root, dev


def remount(root, dev):
    """Reboot: drop the mounted filesystem state and mount the device again, power back on."""
    if dev is None:
        return
    import vfs

    dev.port.alive = False  # first: power_on()'s gc.collect() runs stale files' finalisers
    dev.power_on()  # cancels a planned cut that never came
    vfs.umount(root)
    vfs.mount(vfs.VfsLfs2(Port(dev)), root)


def restore(root, dev, snap):
    """Put the device back to a saved image (dev.snapshot()) and mount it."""
    dev.restore(snap)
    remount(root, dev)


def release(root, dev):
    """Unmount (MicroPython) or delete (CPython) a test filesystem."""
    if dev is not None:
        import vfs

        dev.port.alive = False
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


class LoggedSession:
    """The attributes of session.Session that the logbook and checkpoints read (no table)."""

    def __init__(self, n, k=0, end_reason=0):
        self.n_done = n
        self.planned_ms = [20000 + 1000 * i for i in range(n)]
        self.actual_ms = [20000 + 1000 * i + k for i in range(n)]
        self.flags = bytearray([(i + k) & 15 for i in range(n)])
        self.laps = [(i * 7 + k) % 300 for i in range(n)]
        self.paused_ms = 1234 + k
        self.end_reason = end_reason
