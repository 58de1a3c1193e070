"""`beeper sim --keys` as a person uses it: keys on a terminal press buttons, q quits."""

import os
import pty
import select
import subprocess
import sys
import time

from conftest import SIM_WAIT_S

BEEPER = os.path.join(os.path.dirname(sys.executable), "beeper")


def read_until(fd, needle, timeout):
    """Terminal output until `needle` shows up (or the timeout); returns what was read."""
    out = b""
    end = time.monotonic() + timeout
    while needle not in out and time.monotonic() < end:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


def test_keys_start_a_session_and_q_quits():
    master, slave = pty.openpty()
    proc = subprocess.Popen([BEEPER, "sim", "--keys", "--speed", "20"], stdin=slave,
                            stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    try:
        assert b"q quit" in read_until(master, b"q quit", SIM_WAIT_S)
        os.write(master, b"a")  # A: start the highlighted plan
        assert b"count planned" in read_until(master, b"count planned", SIM_WAIT_S)
        os.write(master, b"q")
        assert proc.wait(timeout=SIM_WAIT_S) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


def test_keys_refused_without_a_terminal():
    proc = subprocess.run([BEEPER, "sim", "--keys"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=SIM_WAIT_S)
    assert proc.returncode == 1 and "--keys needs a terminal" in proc.stderr
