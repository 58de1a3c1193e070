"""The simulator launcher: a Pico twin (MicroPython unix port on a pty, LittleFS image)."""

import os
import shutil
import struct
import sys
import tempfile
import time

from host_tools import fw
from host_tools.device import deploy
from host_tools.sim import simpty

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIM_BOOT = os.path.join(ROOT, "host_tools", "sim", "sim_boot.py")
FRAME = 1024
SHORT_MS = 120
LONG_MS = 1500
CUE_NAMES = fw.load("cues").NAMES


class SimError(Exception):
    """The simulator failed to start or answer."""


def micropython_path():
    """The venv's MicroPython unix port (next to this interpreter)."""
    path = os.path.join(os.path.dirname(sys.executable), "micropython")
    if not os.path.exists(path):
        raise SimError("MicroPython unix port missing: %s (run `make venv`)" % path)
    return path


def frame_text(buf, on="#", off="."):
    """128x64 panel bytes (SSD1306 page layout) as 64 text rows."""
    rows = []
    for y in range(64):
        page, bit = divmod(y, 8)
        base = page * 128
        rows.append("".join(on if buf[base + x] >> bit & 1 else off for x in range(128)))
    return "\n".join(rows)


def _px(buf, x, y):
    """Pixel (x, y) of 128x64 panel bytes in the SSD1306 page layout."""
    return buf[(y >> 3) * 128 + x] >> (y & 7) & 1


# Block characters indexed by lit sub-pixels: bit 0 top-left, 1 top-right, 2 bottom-left,
# 3 bottom-right.
_QUADS = (" \u2598\u259d\u2580\u2596\u258c\u259e\u259b"
          "\u2597\u259a\u2590\u259c\u2584\u2599\u259f\u2588")


def frame_blocks(buf, cell_w):
    """Panel bytes as block characters, each 1 (128x32) or 2 (64x16) pixels wide, 2 tall."""
    rows = []
    for y in range(0, 64, 2):
        row = []
        for x in range(0, 128, cell_w):
            bits = 0
            for dx in range(cell_w):
                bits |= _px(buf, x + dx, y) << dx | _px(buf, x + dx, y + 1) << (2 + dx)
            if cell_w == 1:  # a half block is both quadrants of its half
                bits = (3 if bits & 1 else 0) | (12 if bits & 4 else 0)
            row.append(_QUADS[bits])
        rows.append("".join(row).rstrip())
    return "\n".join(rows)


def frame_half_blocks(buf):
    """128x64 panel bytes as 32 rows of 128 half-block characters."""
    return frame_blocks(buf, 1)


def frame_quadrants(buf):
    """128x64 panel bytes as 32 rows of 64 quadrant characters (fits 80 columns)."""
    return frame_blocks(buf, 2)


class Simulator:
    """A running simulator: `with Simulator(speed=60) as sim: sim.press("A")`."""

    def __init__(self, speed=60, flash=None, board="sim", heap=fw.PICO_HEAP, deploy_fw=True,
                 extra_files=(), firmware=None, log=None):
        self.speed = speed
        self.flash = flash
        self.board = board
        self.heap = heap
        self.deploy_fw = deploy_fw
        self.extra_files = list(extra_files)
        self.firmware = firmware
        self.log = log
        self.dir = None
        self.relay = None
        self.port = None
        self.deploy_info = None
        self.boot_s = None
        self._ev_off = 0
        self._events = []
        self._cue_i = 0

    # --- lifecycle ----------------------------------------------------------------------------
    def _argv(self, mode):
        return [micropython_path(), "-X", "heapsize=" + self.heap, "-i", SIM_BOOT, ROOT,
                self.dir, self.flash, str(self.speed), mode]

    def start(self):
        """Create the sim dir, boot the child, deploy the firmware into the image, boot it."""
        t0 = time.monotonic()
        self.dir = tempfile.mkdtemp(prefix="beeper-sim-")
        if self.flash is None:
            self.flash = os.path.join(self.dir, "flash.img")
        self.flash = os.path.abspath(self.flash)
        for name, data in (("buttons", b""), ("events", b""), ("screen", bytes(FRAME + 8))):
            with open(os.path.join(self.dir, name), "wb") as f:
                f.write(data)
        self.relay = simpty.Relay(self._argv, log=self.log)
        self.port = self.relay.port
        self.relay.start("run")
        self.wait_event("boot", 1, timeout=30)
        if self.deploy_fw:
            self.deploy_info = deploy.deploy(self.port, self.board, extra=self.extra_files,
                                             firmware=self.firmware)
            self.wait_event("boot", 2, timeout=30)
        self.boot_s = time.monotonic() - t0
        return self

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Stop the child; remove the sim dir (an explicit --flash image is kept)."""
        if self.relay:
            self.relay.stop()
            self.relay = None
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def alive(self):
        """True while the child interpreter runs."""
        return bool(self.relay and self.relay.proc and self.relay.proc.poll() is None)

    def exec(self, code, reset=False, timeout=30):
        """Run code on the device through the raw REPL (resume: interrupts the app)."""
        n = self.count("boot")
        t = deploy.connect(self.port)
        try:
            out = t.exec(code)
        finally:
            if reset:
                deploy.soft_reset(t)
            else:
                t.exit_raw_repl()
            t.close()
        if reset:
            self.wait_event("boot", n + 1, timeout)
        return out.decode(errors="replace")

    # --- side channels ------------------------------------------------------------------------
    def press(self, button, long=False, hold_ms=None):
        """Press button A, B or C (short, or long) for a virtual hold time."""
        if button not in ("A", "B", "C"):
            raise ValueError("button must be A, B or C")
        ms = hold_ms if hold_ms is not None else (LONG_MS if long else SHORT_MS)
        with open(os.path.join(self.dir, "buttons"), "ab") as f:
            f.write(("%s %d\n" % (button, ms)).encode())

    def events(self):
        """All event lines so far, split into fields (see host_tools/sim/sim_io.py)."""
        with open(os.path.join(self.dir, "events"), "rb") as f:
            f.seek(self._ev_off)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self._ev_off += end
        for line in data[:end].decode(errors="replace").splitlines():
            self._events.append(line.split())
        return self._events

    def count(self, kind):
        """How many events of a kind have arrived."""
        return sum(1 for e in self.events() if e and e[0] == kind)

    def wait_event(self, kind, n=1, timeout=30):
        """Wait until at least n events of `kind` arrived."""
        return self.wait_for(lambda: self.count(kind) >= n, timeout,
                             "%d %r event(s)" % (n, kind))

    def cues(self):
        """New cue onsets since the last call: dicts name, planned_ms, actual_ms, late_us."""
        out = []
        evs = [e for e in self.events() if e and e[0] == "cue"]
        for e in evs[self._cue_i:]:
            code, planned, actual = int(e[1]), int(e[2]), int(e[3])
            out.append({"name": CUE_NAMES[code] if 0 <= code < len(CUE_NAMES) else "?",
                        "planned_us": planned, "actual_us": actual,
                        "late_us": actual - planned})
        self._cue_i = len(evs)
        return out

    def heap_peak(self):
        """Largest live app heap (bytes above the boot baseline) sampled so far."""
        vals = [int(e[1]) for e in self.events() if e and e[0] == "heap"]
        return max(vals) if vals else 0

    def heap_first(self):
        """Live app heap at the first service() pass (code loaded, app built), or 0."""
        vals = [int(e[1]) for e in self.events() if e and e[0] == "heap0"]
        return vals[-1] if vals else 0

    def frame(self):
        """(seq, 1024 panel bytes) of the last complete frame, or (0, None)."""
        path = os.path.join(self.dir, "screen")
        for _ in range(50):
            with open(path, "rb") as f:
                data = f.read(FRAME + 8)
            if len(data) == FRAME + 8:
                a, b = struct.unpack_from("<I", data, 0)[0], struct.unpack_from("<I", data,
                                                                                  FRAME + 4)[0]
                if a == b:
                    return a, data[4:4 + FRAME] if a else None
            time.sleep(0.002)
        return 0, None

    def screen(self, compact=False):
        """The OLED as text ('#' lit, '.' dark; compact: block characters), '' before a frame.

        compact=True draws 128 columns, or 64 when the terminal is narrower than 132.
        """
        _seq, buf = self.frame()
        if buf is None:
            return ""
        if not compact:
            return frame_text(buf)
        wide = shutil.get_terminal_size((132, 40)).columns >= 132
        return frame_half_blocks(buf) if wide else frame_quadrants(buf)

    def output(self):
        """Everything the device printed on its serial port (decoded)."""
        return self.relay.output_since(0).decode(errors="replace")

    def wait_for(self, predicate, timeout=30, what="condition"):
        """Poll predicate() until true; SimError with the device output on timeout."""
        end = time.monotonic() + timeout
        while True:
            v = predicate()
            if v:
                return v
            if time.monotonic() > end:
                raise SimError("timed out waiting for %s; device output:\n%s"
                               % (what, self.output()[-3000:]))
            if self.relay and self.relay.proc.poll() is not None and self.relay.boots > 8:
                raise SimError("simulator exited; output:\n" + self.output()[-3000:])
            time.sleep(0.02)
