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
        # One bytearray a block: no big contiguous allocation in a 192 KB heap.
        self.ff = b"\xff" * block_size
        self.blocks = [bytearray(self.ff) for _ in range(blocks)]
        self.cut_at = 0  # 0 = never; else the op number that is torn
        self.dead = False  # power is off: no later program/erase lands
        self.ops = 0  # programs + erases so far
        self.reads = 0

    def snapshot(self):
        """The whole image, for restore()."""
        import gc

        gc.collect()
        return [bytes(b) for b in self.blocks]

    def cut_power_after(self, n):
        """The n-th later program/erase lands only half and raises PowerCut; later ones fail."""
        self.cut_at = self.ops + n if n else 0

    def _op(self):
        """Count one program/erase; True if it is the torn one. Raises once power is off."""
        if self.dead:
            raise PowerCut("power is off")
        self.ops += 1
        if self.cut_at and self.ops == self.cut_at:
            self.dead = True
            return True
        return False

    def readblocks(self, block, buf, offset=0):
        self.reads += 1
        buf[:] = self.blocks[block][offset : offset + len(buf)]

    def writeblocks(self, block, buf, offset=None):
        a = offset or 0
        blk = self.blocks[block]
        if self._op():
            half = len(buf) // 2
            blk[a : a + half] = buf[:half]
            raise PowerCut("program")
        blk[a : a + len(buf)] = buf

    def ioctl(self, op, arg):
        if op == 4:
            return self.n
        if op == 5:
            return self.bs
        if op == 6:
            blk = self.blocks[arg]
            if self._op():
                blk[: self.bs // 2] = memoryview(self.ff)[: self.bs // 2]
                raise PowerCut("erase")
            blk[:] = self.ff
            return 0
        return 0


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


def fresh(blocks=32, block_size=512):
    """A new empty filesystem: (root path, block device or None on CPython)."""
    _count[0] += 1
    if not MP:
        import tempfile

        return tempfile.mkdtemp(prefix="beeper_store_"), None
    import gc

    import vfs

    gc.collect()  # earlier tests' images and caches: a 4 KB-block image needs a big hole
    dev = RamDev(blocks, block_size)
    vfs.VfsLfs2.mkfs(dev)
    root = "/fs%d" % _count[0]
    vfs.mount(vfs.VfsLfs2(Port(dev)), root)
    return root, dev


def remount(root, dev):
    """Reboot: drop the mounted filesystem state and mount the device again, power back on."""
    if dev is None:
        return
    import vfs

    dev.cut_at = 0
    dev.dead = False
    dev.port.alive = False
    vfs.umount(root)
    vfs.mount(vfs.VfsLfs2(Port(dev)), root)


def restore(root, dev, snap):
    """Put the device back to a saved image (dev.snapshot()) and mount it."""
    for i in range(dev.n):
        dev.blocks[i][:] = snap[i]
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
