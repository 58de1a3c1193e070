"""FlashDevice: NOR semantics, power cuts, real LittleFS on it (LittleFS parts: MicroPython)."""

import gc
import os

from flashdev import FlashDevice, PowerCut
from vclock import VirtualClock

try:
    import vfs
except ImportError:
    vfs = None

OLD = b"old plan set " * 20
NEW = b"NEW PLANS v2 " * 23


def test_erased_is_ff_and_program_only_clears_bits():
    """Fresh blocks read 0xFF; programming ANDs; only an erase sets bits back."""
    d = FlashDevice(4, 512)
    buf = bytearray(8)
    d.readblocks(1, buf, 16)
    assert buf == b"\xff" * 8
    d.writeblocks(1, b"\xf0\x0f\xaa", 16)
    d.writeblocks(1, b"\x3c\xff\xff", 16)
    d.readblocks(1, buf, 16)
    assert buf[:4] == b"\x30\x0f\xaa\xff"
    assert d.violations == 1  # 0x0f & 0xff != 0xff
    d.ioctl(6, 1)
    d.readblocks(1, buf, 16)
    assert buf == b"\xff" * 8
    assert (d.programs, d.erases) == (2, 1)
    assert d.ioctl(4, 0) == 4 and d.ioctl(5, 0) == 512 and d.ioctl(3, 0) == 0


def test_writeblocks_without_offset_erases_first():
    """offset=None is erase + program of whole blocks."""
    d = FlashDevice(4, 256)
    d.writeblocks(2, b"\x00" * 256, 0)
    d.writeblocks(2, b"\x5a" * 256)
    buf = bytearray(256)
    d.readblocks(2, buf)
    assert buf == b"\x5a" * 256 and d.erases == 1 and d.violations == 0


def test_power_cut_lands_half_and_stays_off():
    """cut_power_after(n): n ops succeed, the next lands half-way and raises; then it is off."""
    d = FlashDevice(4, 256)
    d.cut_power_after(1)
    d.writeblocks(0, b"\x00" * 8, 0)
    try:
        d.writeblocks(0, b"\x00" * 8, 8)
        raise AssertionError("no cut")
    except PowerCut:
        pass
    buf = bytearray(16)
    d.readblocks(0, buf)
    assert buf == b"\x00" * 12 + b"\xff" * 4
    try:
        d.ioctl(6, 0)
        raise AssertionError("wrote while off")
    except PowerCut:
        pass
    d.power_on()
    d.ioctl(6, 0)
    d.readblocks(0, buf)
    assert buf == b"\xff" * 16 and d.cuts == 1


def test_costs_stall_the_clock():
    """Erase and program cost virtual time as interrupt-off stalls."""
    c = VirtualClock()
    d = FlashDevice(4, 4096, clock=c)
    d.ioctl(6, 0)
    assert c.now_us == FlashDevice.ERASE_US
    d.writeblocks(0, bytearray(512), 0)
    assert c.now_us == FlashDevice.ERASE_US + 2 * FlashDevice.PROG_US


def test_file_backed_persists():
    """path= keeps the image in a file that a second device reopens."""
    path = "/tmp/beeper_flashdev_test.img"
    try:
        os.remove(path)
    except OSError:
        pass
    d = FlashDevice(3, 512, path=path)
    d.writeblocks(1, b"hello", 100)
    d.close()
    d2 = FlashDevice(3, 512, path=path)
    buf = bytearray(6)
    d2.readblocks(1, buf, 100)
    assert buf == b"hello\xff"
    assert os.stat(path)[6] == 3 * 512
    d2.close()
    os.remove(path)


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def test_littlefs_on_device():
    """MicroPython: mkfs, mount, write, rename, read back; remount keeps it (4 KB blocks)."""
    if vfs is None:
        return
    gc.collect()
    path = "/tmp/beeper_flashdev_lfs.img"
    try:
        os.remove(path)
    except OSError:
        pass
    dev = FlashDevice(16, 4096, path=path)
    vfs.VfsLfs2.mkfs(dev)
    vfs.mount(vfs.VfsLfs2(dev), "/flash")
    try:
        _write("/flash/a.tmp", OLD)
        os.rename("/flash/a.tmp", "/flash/plans.bin")
        assert os.listdir("/flash") == ["plans.bin"]
        assert _read("/flash/plans.bin") == OLD
    finally:
        vfs.umount("/flash")
    assert dev.violations == 0 and dev.programs > 0 and dev.erases > 0
    vfs.mount(vfs.VfsLfs2(dev), "/flash")
    try:
        assert _read("/flash/plans.bin") == OLD
    finally:
        vfs.umount("/flash")
    dev.close()
    os.remove(path)


def _replace(dev):
    """Mount, replace plans.bin atomically (temp + rename), unmount; True if it completed."""
    vfs.mount(vfs.VfsLfs2(dev), "/pc")
    try:
        _write("/pc/plans.tmp", NEW)
        os.rename("/pc/plans.tmp", "/pc/plans.bin")
        return True
    except PowerCut:
        return False
    finally:
        vfs.umount("/pc")


def test_power_cut_at_every_op_leaves_old_or_new():
    """MicroPython: a cut at any program/erase of a temp+rename replace leaves old or new."""
    if vfs is None:
        return
    gc.collect()
    dev = FlashDevice(24, 512)
    vfs.VfsLfs2.mkfs(dev)
    vfs.mount(vfs.VfsLfs2(dev), "/pc")
    _write("/pc/plans.bin", OLD)
    vfs.umount("/pc")
    image = dev.snapshot()
    p0 = dev.programs + dev.erases
    assert _replace(dev)
    ops = dev.programs + dev.erases - p0
    assert ops > 3
    seen = {}
    for k in range(ops + 1):
        dev.restore(image)
        dev.power_on()
        dev.cut_power_after(k)
        done = _replace(dev)
        assert done == (k >= ops), (k, ops)
        dev.power_on()
        vfs.mount(vfs.VfsLfs2(dev), "/pc")
        try:
            got = _read("/pc/plans.bin")
        finally:
            vfs.umount("/pc")
        assert got in (OLD, NEW), (k, len(got))
        seen[got == NEW] = k
    assert True in seen and False in seen  # both outcomes happen across the cut points
    assert dev.violations == 0
