"""Simulator side channels, run under MicroPython: buttons in, screen frames and events out."""
# Loaded by sim_boot.py before "/" becomes the LittleFS image, so its files stay open (host fs).
# Host -> device: SIMDIR/buttons, lines "<A|B|C> <hold_ms>" appended by the host; how far the
# device has read is kept in SIMDIR/buttons.pos, so a soft reboot does not replay old presses.
# Device -> host: SIMDIR/screen (seq u32, 1024 panel bytes, seq u32, rewritten in place) and
# SIMDIR/events, appended lines: "boot MODE", "tone T_US FREQ DUTY", "alarm T_US", "heap N".
import gc
import struct

FLASH_BLOCKS = 352  # ~1.4 MB of 4096-byte blocks, like the LittleFS of a 2 MB Pico
FRAME = 1024
BASE_HEAP = 0  # live heap after boot, before main.py (set by sim_boot)
HW_HEAP = 0  # bytes the fake hardware itself holds (PWM event rings, panel): not the app's
GAP_US = 150000  # released this long before the next queued press
MAX_HOLD_MS = 600000  # a hold longer than 10 minutes is a typo
HEAP_EVERY_US = 250000  # sample the live heap this often (virtual time)

FLASH = None  # the image's block device (sim_boot sets it)
FLASH_PATH = None  # the image file (sim_boot sets it)
_simdir = None
_speed = 1.0
_btn = None
_events = None
_screen = None
_pos = None


def setup(simdir, speed):
    """Open the side-channel files (call while the host filesystem is mounted)."""
    global _simdir, _speed, _btn, _events, _screen
    _simdir = simdir
    _speed = speed
    _btn = open(simdir + "/buttons", "rb")
    pos = _read_pos()
    _btn.seek(pos)
    global _pos
    _pos = open(simdir + "/buttons.pos", "wb")  # opened now: "/" becomes the flash image
    _write_pos(pos)
    _events = open(simdir + "/events", "ab")
    _screen = open(simdir + "/screen", "r+b")
    _screen.write(bytes(FRAME + 8))  # no frame yet from this boot
    _screen.flush()


def uid():
    """8-byte device id from the flash image's path (FNV-1a): stable per image, like a chip."""
    h = 0xCBF29CE484222325
    for c in (FLASH_PATH or "sim").encode():
        h = ((h ^ c) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return bytes((h >> (8 * i)) & 0xFF for i in range(8))


def _read_pos():
    """Bytes of SIMDIR/buttons already consumed by an earlier boot (0 on the first)."""
    try:
        with open(_simdir + "/buttons.pos") as f:
            return int(f.read() or 0)
    except (OSError, ValueError):
        return 0


def _write_pos(n):
    _pos.seek(0)
    _pos.write(("%012d" % n).encode())  # fixed width: rewritten in place
    _pos.flush()


def parse_press(line, pins):
    """(button, hold ms) of a buttons-file line, or None (with a warning event) if malformed."""
    try:
        parts = line.decode().split()
        if len(parts) == 2 and parts[0] in pins:
            hold = int(parts[1])
            if 0 < hold <= MAX_HOLD_MS:
                return parts[0], hold
    except (UnicodeError, ValueError):
        pass
    if line.strip():
        warn = "sim: skipped buttons line %r (want: A|B|C HOLD_MS, 1..%d)" % (line, MAX_HOLD_MS)
        print(warn)
        event("warn " + warn)
    return None


def speed():
    """Pacing factor given on the command line."""
    return _speed


def event(line):
    """Append one event line for the host."""
    if _events is not None:
        _events.write(line.encode() + b"\n")
        _events.flush()


def _panel_bytes(panel):
    """The panel's 1024-byte GDDRAM image (page-major, like the SSD1306's own RAM)."""
    if panel is None:
        return None
    for name in ("ram", "gddram", "buf", "buffer", "fb"):
        b = getattr(panel, name, None)
        if b is not None and len(b) == FRAME:
            return b
    return None


def heap_now():
    """Live heap bytes after a collection."""
    gc.collect()
    return gc.mem_alloc()


def hw_built(before):
    """Record the heap the fake hardware took (build() calls this with heap_now() at its start)."""
    global HW_HEAP
    HW_HEAP = heap_now() - before


class Link:
    """Per-board servicing: press buttons, export frames, cues, tones and heap samples."""

    PRESS_PACE = 8  # while a button is held, run at most this fast so the loop sees it held

    def __init__(self, hw, panel):
        self.hw = hw
        self.clock = hw.clock
        self.pins = {"A": hw.btn_a, "B": hw.btn_b, "C": hw.btn_c}
        self.panel_buf = _panel_bytes(panel)
        self.queue = []  # (button, hold ms) not pressed yet
        self.held = None  # (release at us, pin)
        self.free_at = 0
        self.partial = b""
        self.seq = 0
        self.last_frame = bytearray(FRAME)
        self.seen = 0
        self.onsets = 0
        self.next_heap = 0
        self.peak = 0

    def _abs(self, t):
        """Unwrapped virtual us of a recent ticks_us value."""
        now = self.clock.now_us
        return now - self.clock.ticks_diff(now & vclock_mask, t)

    def buttons(self):
        """Queue host lines; press one button at a time for its hold (virtual), then a gap."""
        now = self.clock.now_us
        held = self.held
        if held is not None and now >= held[0]:
            held[1].release()
            self.held = None
            self.free_at = now + GAP_US
            self.clock.set_pace(_speed)
        data = _btn.read(256)
        if data:
            lines = (self.partial + data).split(b"\n")
            self.partial = lines.pop()
            for line in lines:
                press = parse_press(line, self.pins)
                if press is not None:
                    self.queue.append(press)
            _write_pos(_btn.tell() - len(self.partial))  # complete lines: never replayed
        if self.held is None and self.queue and now >= self.free_at:
            name, hold = self.queue.pop(0)
            if _speed > self.PRESS_PACE:
                self.clock.set_pace(self.PRESS_PACE)
            pin = self.pins[name]
            pin.press()
            self.held = (now + hold * 1000, pin)
            event("press %s %d %d" % (name, now, hold))

    def frame(self):
        """Rewrite the screen file when the panel changed."""
        buf = self.panel_buf
        if buf is None or buf == self.last_frame:
            return
        self.last_frame[:] = buf
        self.seq += 1
        head = struct.pack("<I", self.seq)
        _screen.seek(0)
        _screen.write(head)
        _screen.write(buf)
        _screen.write(head)
        _screen.flush()

    def cues(self, edge):
        """Export the cue onsets the app's CueTimer logged: code, planned and actual virtual us."""
        n = edge.n_onsets
        k = self.onsets
        if n - k > edge.log_n:
            k = n - edge.log_n
        while k < n:
            j = k % edge.log_n
            event("cue %d %d %d" % (edge.cue[j], self._abs(edge.planned[j]),
                                    self._abs(edge.actual[j])))
            k += 1
        self.onsets = n

    def tones(self):
        """Export new PWM changes of the buzzer: time, frequency, duty."""
        pwm = self.hw.buzzer_pwm
        n = pwm.changes
        if n == self.seen:
            return
        first = self.seen
        if n - first > pwm.EVENTS:
            first = n - pwm.EVENTS
        for i in range(first, n):
            j = i % pwm.EVENTS
            event("tone %d %d %d" % (pwm._et[j], pwm._ef[j], pwm._ed[j]))
        self.seen = n

    def heap(self):
        """Every HEAP_EVERY_US, collect and record the live heap above the boot baseline."""
        now = self.clock.now_us
        if now < self.next_heap:
            return
        # each collection costs real time, which pacing turns into speed x virtual time
        self.next_heap = now + HEAP_EVERY_US * (_speed // 10 + 1)
        gc.collect()
        live = gc.mem_alloc() - BASE_HEAP - HW_HEAP
        if not self.peak:
            event("heap0 %d" % live)  # first pass: modules loaded, app built
        if live > self.peak:
            self.peak = live
            event("heap %d" % live)

    def service(self, app):
        """Called by the app once per main-loop pass (with itself; None from a bare script)."""
        self.buttons()
        if app is not None:
            self.cues(app.edge)
        self.tones()
        self.frame()
        self.heap()


vclock_mask = (1 << 30) - 1
