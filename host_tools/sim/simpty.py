"""The simulator's USB cable: MicroPython on one pty, a relay, and the port the host opens."""
# The child (micropython -i sim_boot.py) owns pty A as its controlling terminal (setsid +
# TIOCSCTTY, raw with ISIG), so 0x03 from the host raises KeyboardInterrupt as on a Pico.
# A relay thread copies bytes between pty A and pty B; pty B's path is the "USB port".
# Soft reset: the unix port exits on Ctrl-D (friendly REPL, or raw REPL with an empty line).
# The relay then prints "MPY: soft reboot" and starts a new child on the same image: after a
# raw-REPL reset (plain `mpremote exec`) it boots without main.py and re-enters the raw REPL,
# as a Pico does; otherwise (Ctrl-D at >>>, `beeper deploy`) main.py runs again.

import collections
import fcntl
import os
import pty
import select
import subprocess
import termios
import threading
import time
import tty

RAW_MARK = b"raw REPL; CTRL-B to exit\r\n"
FRIENDLY_MARK = b'Type "help()" for more information.'
REBOOT = b"MPY: soft reboot\r\n"
WRITE_STALL_S = 0.5  # a Pico's USB write blocks this long when the host does not read


def _raw_keep_isig(fd):
    """Raw mode, but 0x03 still raises SIGINT (like the Pico's USB driver)."""
    tty.setraw(fd)
    attrs = termios.tcgetattr(fd)
    attrs[3] |= termios.ISIG
    termios.tcsetattr(fd, termios.TCSANOW, attrs)



def _read(fd):
    """Up to 4 KB from a pty master; b"" when it has nothing more (EOF or EIO after close)."""
    try:
        return os.read(fd, 4096)
    except OSError:
        return b""

class Relay:
    """Runs the child interpreter on pty A and relays it to pty B, whose path is `port`."""

    def __init__(self, argv_for_mode, env=None, log=None):
        self.argv_for_mode = argv_for_mode  # mode ("run"/"repl") -> argv
        self.env = env
        self.log = log  # optional callable(str) for launcher messages
        self.mb, self.sb = pty.openpty()
        tty.setraw(self.sb)
        self.port = os.ttyname(self.sb)
        fl = fcntl.fcntl(self.mb, fcntl.F_GETFL)
        fcntl.fcntl(self.mb, fcntl.F_SETFL, fl | os.O_NONBLOCK)
        self.proc = None
        self.ma = None
        self.raw = False
        self.suppress = False
        self.want_raw = False
        self.tail = b""
        self.transcript = collections.deque(maxlen=400)
        self.output = bytearray()  # everything the child printed (bounded)
        self.boots = 0
        self.restarts = []
        self._stop = False
        self._lock = threading.Lock()
        self.thread = None

    def start(self, mode="run"):
        """Start the child and the relay thread."""
        self._spawn(mode)
        self.thread = threading.Thread(target=self._loop, name="sim-relay", daemon=True)
        self.thread.start()

    def _spawn(self, mode):
        ma, sa = pty.openpty()
        _raw_keep_isig(sa)

        def pre():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(self.argv_for_mode(mode), stdin=sa, stdout=sa, stderr=sa,
                                     preexec_fn=pre, close_fds=True, env=self.env)
        os.close(sa)
        self.ma = ma
        self.boots += 1
        self.started_at = time.monotonic()

    def _to_host(self, data):
        """Write to the port; block up to WRITE_STALL_S if the host is not reading, then drop."""
        end = time.monotonic() + WRITE_STALL_S
        while data and not self._stop:
            try:
                n = os.write(self.mb, data)
                data = data[n:]
            except BlockingIOError:
                if time.monotonic() > end:
                    return
                select.select([], [self.mb], [], 0.05)
            except OSError:
                return

    def _from_child(self, data):
        with self._lock:
            self.output += data
            if len(self.output) > 1 << 20:
                del self.output[: len(self.output) - (1 << 19)]
        scan = self.tail + data
        old = len(self.tail)
        self.tail = scan[-64:]
        # the last mark that ends in the new data says which REPL the child is in
        ri = scan.rfind(RAW_MARK)
        fi = scan.rfind(FRIENDLY_MARK)
        ri = ri if ri + len(RAW_MARK) > old else -1
        fi = fi if fi + len(FRIENDLY_MARK) > old else -1
        if ri > fi:
            self.raw = True
        elif fi > ri:
            self.raw = False
        if self.suppress:
            if self.want_raw and scan.rstrip().endswith(b">>>"):
                self.want_raw = False
                os.write(self.ma, b"\r\x01")
            i = scan.find(RAW_MARK)
            if i < 0:
                return
            self.suppress = False
            data = scan[i:]
            self.tail = b""
        self._to_host(data)

    def _from_host(self, data):
        if b"\x02" in data:
            self.raw = False
        try:
            os.write(self.ma, data)
        except OSError:
            pass

    def _child_exited(self):
        """Soft reboot: a raw-REPL reset returns to the raw REPL, else main.py runs again."""
        try:
            os.close(self.ma)
        except OSError:
            pass
        self.proc.wait()
        if self._stop:
            return False
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 5] + [now]
        if len(self.restarts) > 5:
            if self.log:
                self.log("simulator: child keeps exiting; giving up")
            return False
        was_raw = self.raw
        self._to_host(REBOOT)
        self.tail = b""
        if was_raw:
            self.suppress = True
            self.want_raw = True
            self._spawn("repl")
        else:
            self.raw = False
            self._spawn("run")
        return True

    def _loop(self):
        while not self._stop:
            try:
                r, _, _ = select.select([self.ma, self.mb], [], [], 0.1)
            except (OSError, ValueError):
                if self._stop:
                    return
                r = []
            if self.ma in r:
                data = _read(self.ma)
                if data:
                    self._from_child(data)
                elif not self._child_exited():
                    return
                continue
            if self.mb in r:
                data = _read(self.mb)
                if data:
                    self._from_host(data)
            if self.proc.poll() is not None and not self._drain():
                if not self._child_exited():
                    return

    def _drain(self):
        """After the child exits, forward whatever it still had queued; False when empty."""
        try:
            r, _, _ = select.select([self.ma], [], [], 0)
        except OSError:
            return False
        data = _read(self.ma) if r else b""
        if data:
            self._from_child(data)
        return bool(data)

    def output_since(self, mark=0):
        """Child output from byte offset `mark` (see `mark()`)."""
        with self._lock:
            return bytes(self.output[mark:])

    def mark(self):
        """Current length of the recorded output."""
        with self._lock:
            return len(self.output)

    def stop(self):
        """Kill the child and stop relaying."""
        self._stop = True
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.thread:
            self.thread.join(2)
        for fd in (self.ma, self.mb, self.sb):
            try:
                os.close(fd)
            except (OSError, TypeError):
                pass
