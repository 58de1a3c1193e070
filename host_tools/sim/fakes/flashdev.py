"""NOR flash block device for vfs.VfsLfs2 (RAM or file image), with power cuts; both runtimes."""
# Honest NOR: erased bytes are 0xFF and programming only clears bits (new = old & data).
# Extended block protocol: writeblocks(block, buf, offset) programs, ioctl(6, block) erases,
# writeblocks(block, buf) (offset None) erases the block(s) then programs them.

import gc


class PowerCut(Exception):
    """The supply died during a program/erase; the device stays off until power_on()."""


class FlashDevice:
    """Block device of `blocks` x `block_size` bytes; path= keeps the image in a file."""

    # Costs as CPU stalls on the clock (flash ops stop XIP and interrupts on the RP2040;
    # DESIGN: "a 4 KB sector erase is tens of ms"; W25Q16JV typical: 45 ms erase, 0.8 ms page).
    ERASE_US = 45000  # per 4 KB sector
    PROG_US = 800  # per 256-byte page (started)
    PAGE = 256
    # W25Q16JV datasheet maximums (../shared/rp2-timing.md): worst_case() switches to them.
    ERASE_MAX_US = 400000
    PROG_MAX_US = 3000

    def __init__(self, blocks, block_size=4096, path=None, clock=None):
        self.blocks = blocks
        self.block_size = block_size
        self.size = blocks * block_size
        self.path = path
        self.clock = clock
        self.programs = 0
        self.erases = 0
        self.reads = 0
        self.bytes_programmed = 0
        self.violations = 0  # programs that tried to set a 0 bit back to 1 (NOR can't)
        self.cuts = 0
        self._cut = -1  # ops left before the cut; -1 = none planned
        self._land = None  # bytes of the cut op that reach the array; None = half
        self.off = False
        self._ff = b"\xff" * block_size
        self._f = None
        self._ram = None  # RAM image: one bytearray per block (no big contiguous allocation)
        if path is None:
            self._ram = [bytearray(self._ff) for _ in range(blocks)]
        else:
            self._open_file(path)

    def _open_file(self, path):
        try:
            f = open(path, "r+b")
        except OSError:
            f = open(path, "w+b")
        f.seek(0, 2)
        have = f.tell()
        while have < self.size:
            n = self.block_size - have % self.block_size
            f.write(self._ff[:n])
            have += n
        f.flush()
        self._f = f

    # --- raw access ----------------------------------------------------------------------
    def _spans(self, addr, n):
        """The range addr..addr+n block by block: (pos in range, block, offset, length)."""
        pos = 0
        while pos < n:
            b, off = divmod(addr + pos, self.block_size)
            k = min(n - pos, self.block_size - off)
            yield pos, b, off, k
            pos += k

    def _read(self, addr, buf):
        if self._ram is None:
            self._f.seek(addr)
            self._f.readinto(buf)
            return
        mv = memoryview(buf)
        for pos, b, off, k in self._spans(addr, len(mv)):
            mv[pos:pos + k] = memoryview(self._ram[b])[off:off + k]

    def _write(self, addr, data):
        if self._ram is None:
            self._f.seek(addr)
            self._f.write(data)
            return
        mv = memoryview(data)
        for pos, b, off, k in self._spans(addr, len(mv)):
            self._ram[b][off:off + k] = mv[pos:pos + k]

    def _gate(self):
        """Count down to a planned power cut; True if this op is the one that gets cut."""
        if self.off:
            raise PowerCut("flash is unpowered (call power_on())")
        if self._cut == 0:
            self._cut = -1
            self.off = True
            self.cuts += 1
            return True
        if self._cut > 0:
            self._cut -= 1
        return False

    def _landed(self, n):
        """How many of an n-byte op's bytes reach the array when it is cut."""
        k = n // 2 if self._land is None else self._land
        return 0 if k < 0 else (n if k > n else k)

    def _stall(self, us):
        if self.clock is not None:
            self.clock.stall_us(us)

    def erase(self, block):
        """Erase one block to 0xFF (a partial erase on a power cut)."""
        if not 0 <= block < self.blocks:
            raise OSError(22)
        cut = self._gate()
        addr = block * self.block_size
        self.erases += 1
        if cut:
            self._write(addr, self._ff[:self._landed(self.block_size)])
            raise PowerCut("power cut during erase of block %d" % block)
        self._write(addr, self._ff)
        self._stall(self.ERASE_US * self.block_size // 4096)

    def program(self, addr, data):
        """NOR program: stored = stored & data (first half only on a power cut)."""
        n = len(data)
        if addr < 0 or addr + n > self.size:
            raise OSError(22)
        cut = self._gate()
        land = self._landed(n) if cut else n  # bytes that reach the array
        mv = memoryview(data)
        bad = False
        pos = 0
        while pos < n:  # one block at a time: no image-sized temporaries
            a = addr + pos
            k = min(n - pos, self.block_size - a % self.block_size)
            old = bytearray(k)
            self._read(a, old)
            o = int.from_bytes(old, "big")
            d = int.from_bytes(bytes(mv[pos:pos + k]), "big")
            if (o & d) != d:
                bad = True
            if pos < land:
                self._write(a, (o & d).to_bytes(k, "big")[:land - pos])
            pos += k
        if bad:
            self.violations += 1
        self.programs += 1
        if cut:
            raise PowerCut("power cut during program at 0x%x" % addr)
        self.bytes_programmed += n
        self._stall(self.PROG_US * ((n + self.PAGE - 1) // self.PAGE))

    # --- block device protocol -----------------------------------------------------------
    def readblocks(self, block, buf, offset=0):
        """Read len(buf) bytes from block*block_size + offset."""
        addr = block * self.block_size + offset
        if addr < 0 or addr + len(buf) > self.size:
            raise OSError(22)
        self.reads += 1
        self._read(addr, buf)

    def writeblocks(self, block, buf, offset=None):
        """offset None: erase the covered blocks, then program; else program only."""
        if offset is None:
            nb = (len(buf) + self.block_size - 1) // self.block_size
            for b in range(block, block + nb):
                self.erase(b)
            offset = 0
        self.program(block * self.block_size + offset, buf)

    def ioctl(self, op, arg):
        """1 init, 2 deinit, 3 sync, 4 block count, 5 block size, 6 erase block `arg`."""
        if op == 4:
            return self.blocks
        if op == 5:
            return self.block_size
        if op == 6:
            self.erase(arg)
            return 0
        if op == 3 and self._f is not None:
            self._f.flush()
        return 0

    # --- test hooks ----------------------------------------------------------------------
    @property
    def ops(self):
        """Program and erase operations so far (what cut_power_after counts)."""
        return self.programs + self.erases

    def worst_case(self, on=True):
        """Charge the datasheet maximums (400 ms erase, 3 ms page) instead of typical times."""
        self.ERASE_US = self.ERASE_MAX_US if on else FlashDevice.ERASE_US
        self.PROG_US = self.PROG_MAX_US if on else FlashDevice.PROG_US

    def cut_power_after(self, n, land=None):
        """After n more program/erase ops complete, the next is torn and raises PowerCut.

        land: how many of the torn op's first bytes reach the array (0 = none, None = half;
        clamped to the op's size). An erase sets that many leading bytes to 0xFF.
        """
        self._cut = n
        self._land = land

    def power_on(self):
        """Restore power (cancels a planned cut); the image keeps whatever landed.

        It first runs gc.collect() while still off: on MicroPython the finaliser of a file left
        open by the cut would otherwise write through the stale mount after power returns.
        """
        if self.off:
            gc.collect()
        self.off = False
        self._cut = -1

    def snapshot(self, sparse=False):
        """The whole image as a list of bytes, one per block (for restore()); sparse=True puts
        None for an erased block (a mostly empty image costs little RAM)."""
        gc.collect()  # a block-sized hole per entry, not one image-sized one
        out = []
        buf = bytearray(self.block_size)
        for b in range(self.blocks):
            if self._ram is not None:
                buf = self._ram[b]
            else:
                self._read(b * self.block_size, buf)
            out.append(None if sparse and buf == self._ff else bytes(buf))
        return out

    def restore(self, image):
        """Overwrite the whole image (no counting, no cost) from snapshot()'s list of blocks
        (None = erased), or from one bytes-like of the whole image."""
        if isinstance(image, (list, tuple)):
            if len(image) != self.blocks:
                raise ValueError("image has %d blocks, device %d" % (len(image), self.blocks))
            for b in range(self.blocks):
                blk = self._ff if image[b] is None else image[b]
                if len(blk) != self.block_size:
                    raise ValueError("image block %d is not %d bytes" % (b, self.block_size))
                self._write(b * self.block_size, blk)
        else:
            if len(image) != self.size:
                raise ValueError("image is %d bytes, device %d" % (len(image), self.size))
            self._write(0, image)

    def close(self):
        """Flush and close a file-backed image."""
        if self._f is not None:
            self._f.flush()
            self._f.close()
            self._f = None
