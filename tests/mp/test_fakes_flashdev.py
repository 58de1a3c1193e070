"""FlashDevice: NOR semantics, power cuts, real LittleFS on it (LittleFS parts: MicroPython)."""

import gc
import os

import interp
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


def test_program_spanning_blocks_ands_and_cuts_by_bytes():
    """A range across block boundaries is split per block: AND semantics, one violation count,
    and a cut lands the first half of the bytes wherever the boundary falls."""
    d = FlashDevice(4, 64)
    d.writeblocks(0, b"\x0f" * 100, 40)  # blocks 0 (24 bytes), 1 (64), 2 (12)
    d.writeblocks(0, b"\x3c" * 100, 40)
    buf = bytearray(120)
    d.readblocks(0, buf, 30)
    assert buf == b"\xff" * 10 + b"\x0c" * 100 + b"\xff" * 10
    assert d.violations == 1 and d.programs == 2 and d.bytes_programmed == 200
    d.writeblocks(1, b"\x00" * 64)  # erase + program block 1 only
    d.readblocks(0, buf, 30)
    assert buf == b"\xff" * 10 + b"\x0c" * 24 + b"\x00" * 64 + b"\x0c" * 12 + b"\xff" * 10
    d.ioctl(6, 0)
    d.ioctl(6, 1)
    d.cut_power_after(0)
    try:
        d.writeblocks(0, b"\x00" * 90, 20)  # 90 bytes from 20: 45 land, up to 65 (block 1)
        raise AssertionError("no cut")
    except PowerCut:
        pass
    whole = bytearray(128)
    d.readblocks(0, whole)
    assert whole == b"\xff" * 20 + b"\x00" * 45 + b"\xff" * 63
    assert d.programs == 4 and d.bytes_programmed == 264 and d.cuts == 1
    try:
        d.readblocks(3, bytearray(2), 63)
        raise AssertionError("read past the end")
    except OSError:
        pass


def test_snapshot_is_one_bytes_per_block_and_restores():
    """snapshot(): list of per-block bytes; restore() takes it (or one whole-image bytes)."""
    for path in (None, interp.tmpfile("snap.img")):
        if path is not None:
            try:
                os.remove(path)
            except OSError:
                pass
        d = FlashDevice(3, 128, path=path)
        d.writeblocks(0, b"\x12" * 200, 20)
        snap = d.snapshot()
        assert isinstance(snap, list) and len(snap) == 3
        assert all(isinstance(b, bytes) and len(b) == 128 for b in snap)
        assert snap[0] == b"\xff" * 20 + b"\x12" * 108 and snap[2] == b"\xff" * 128
        ops = (d.programs, d.erases)
        d.ioctl(6, 0)
        d.ioctl(6, 1)
        d.writeblocks(2, b"\x00" * 5, 0)
        d.restore(snap)
        assert d.snapshot() == snap
        assert (d.programs, d.erases) == (ops[0] + 1, ops[1] + 2)  # restore isn't counted
        d.restore(b"\xa5" * 384)  # a whole image as one bytes object
        buf = bytearray(384)
        d.readblocks(0, buf)
        assert buf == b"\xa5" * 384
        for bad in (snap[:2], [b"x"] * 3, b"\x00" * 100):
            try:
                d.restore(bad)
                raise AssertionError("bad image accepted")
            except ValueError:
                pass
        d.close()
        if path is not None:
            os.remove(path)


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
    path = interp.tmpfile("test.img")
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
        interp.micropython_only("vfs.VfsLfs2 (real LittleFS)")
    gc.collect()
    path = interp.tmpfile("lfs.img")
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
        interp.micropython_only("vfs.VfsLfs2 (real LittleFS)")
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
