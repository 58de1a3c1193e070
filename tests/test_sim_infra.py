"""The simulator's plumbing with a tiny main.py: pty, LittleFS image, deploy, mpremote, Ctrl-C."""

import os
import subprocess
import sys
import time

import pytest
import serial
from conftest import SIM_WAIT_S

from host_tools.device import deploy
from host_tools.sim.simulator import Simulator

MPREMOTE = os.path.join(os.path.dirname(sys.executable), "mpremote")

TINY_MAIN = """import board
hw = board.build()
print("tiny main up")
n = 0
while True:
    hw.service(None)
    hw.clock.sleep_ms(20)
    n += 1
"""


@pytest.fixture(scope="module")
def tiny_fw(tmp_path_factory):
    d = tmp_path_factory.mktemp("fw")
    (d / "main.py").write_text(TINY_MAIN)
    (d / "helper.py").write_text("X = 42\n")
    return str(d)


@pytest.fixture(scope="module")
def sim(tiny_fw):
    with Simulator(speed=20, firmware=tiny_fw) as s:
        s.wait_for(lambda: "tiny main up" in s.output(), SIM_WAIT_S, "main.py to start")
        yield s


def mpremote(port, *args, timeout=SIM_WAIT_S):
    return subprocess.run([MPREMOTE, "connect", port, *args], capture_output=True, text=True,
                          timeout=timeout)


def test_boots_on_a_pty(sim):
    assert sim.port.startswith("/dev/pts/")
    assert os.path.exists(sim.port)
    assert sim.alive()
    assert sim.count("boot") >= 2  # blank image, then the soft reboot after deploy


def test_mpremote_resume_fs_ls_shows_deployed_mpy(sim):
    p = mpremote(sim.port, "resume", "fs", "ls", ":")
    assert p.returncode == 0, p.stderr
    names = p.stdout.split()
    for want in ("main.py", "board.mpy", "helper.mpy", "adafruit_ssd1306.mpy"):
        assert want in names, p.stdout
    assert "helper.py" not in names


def test_image_holds_the_armv6m_build_bytes(sim, tiny_fw, tmp_path):
    built = dict(deploy.build("sim", tiny_fw))
    for dest in ("board.mpy", "helper.mpy", "adafruit_bus_device/i2c_device.mpy"):
        out = tmp_path / dest.replace("/", "_")
        p = mpremote(sim.port, "resume", "fs", "cp", ":" + dest, str(out))
        assert p.returncode == 0, p.stderr
        with open(built[dest], "rb") as f:
            want = f.read()
        assert out.read_bytes() == want
        assert want[:2] == b"M\x06"  # .mpy v6 header
    # the simulator runs those .mpy files: the fs is LittleFS v2 and helper imports from it
    p = mpremote(sim.port, "resume", "exec",
                 "import vfs, helper; print(helper.X, helper.__file__, vfs.VfsLfs2)")
    assert p.returncode == 0, p.stderr
    assert "42 helper.mpy" in p.stdout


def read_until(ser, marker, timeout=SIM_WAIT_S):
    out = b""
    end = time.monotonic() + timeout
    while marker not in out and time.monotonic() < end:
        out += ser.read(256)
    return out


def test_ctrl_c_reaches_the_repl(sim):
    with serial.Serial(sim.port, 115200, timeout=0.2) as ser:
        ser.write(b"\r\x03\x04")  # at the REPL (earlier mpremote resume), Ctrl-D: soft reboot
        out = read_until(ser, b"tiny main up")
        assert b"soft reboot" in out and b"tiny main up" in out, out
        time.sleep(0.3)
        ser.write(b"\x03")
        out = b""
        end = time.monotonic() + 15
        while b">>> " not in out and time.monotonic() < end:
            out += ser.read(256)
        assert b"KeyboardInterrupt" in out, out
        ser.write(b"print('n is', n > 0)\r")
        end = time.monotonic() + 10
        while b"n is True" not in out and time.monotonic() < end:
            out += ser.read(256)
        assert b"n is True" in out, out


def test_soft_reset_from_raw_repl_reboots(sim):
    before = sim.count("boot")
    p = mpremote(sim.port, "exec", "print('after reset')")  # no resume: mpremote soft-resets
    assert p.returncode == 0, p.stderr
    assert "after reset" in p.stdout
    sim.wait_event("boot", before + 1, timeout=SIM_WAIT_S)


def _presses(sim):
    return [e[1] for e in sim.events() if e and e[0] == "press"]


def _main_running(sim):
    """Soft-reset so the tiny main.py runs again if an earlier test left the sim at the REPL
    (the relay gives up after 5 restarts in 5 s, so no needless resets)."""
    if sim.output().rstrip().endswith("tiny main up"):
        return
    up = sim.output().count("tiny main up")
    sim.exec("pass", reset=True)
    sim.wait_for(lambda: sim.output().count("tiny main up") > up, 30, "main.py to restart")


def test_soft_reboot_does_not_replay_the_buttons_file(sim):
    _main_running(sim)
    n = len(_presses(sim))
    sim.press("B")
    sim.wait_for(lambda: len(_presses(sim)) == n + 1, 20, "the B press")
    sim.exec("print(1)", reset=True)  # soft reboot: sim_io starts again
    sim.press("C")
    sim.wait_for(lambda: len(_presses(sim)) >= n + 2, 20, "the C press")
    time.sleep(0.5)
    assert _presses(sim)[n:] == ["B", "C"]  # no phantom B from the old lines


def test_malformed_buttons_lines_are_skipped_with_a_warning(sim):
    _main_running(sim)
    n = len(_presses(sim))
    out0 = len(sim.output())
    with open(os.path.join(sim.dir, "buttons"), "ab") as f:
        f.write(b"B soon\nZ 100\n\xff\xfe 3\nA -5\nA 120\n")
    sim.wait_for(lambda: len(_presses(sim)) == n + 1, 20, "the good A press")
    warns = [e for e in sim.events() if e and e[0] == "warn"]
    assert len(warns) == 4, warns
    sim.press("B")  # the app still runs: the next good line is pressed too
    sim.wait_for(lambda: len(_presses(sim)) == n + 2, 20, "the B press after them")
    assert "Traceback" not in sim.output()[out0:]


def test_deploy_detects_the_simulator(sim, tiny_fw):
    with pytest.raises(deploy.DeployError, match="is the simulator.*--board sim"):
        deploy.deploy(sim.port, "pico", firmware=tiny_fw)  # never the Pico board onto the sim
    before = sim.count("boot")
    # the relay treats more than 5 restarts in 5 s as a crash loop: let earlier resets age
    sim.wait_for(lambda: sum(time.monotonic() - t < 5 for t in sim.relay.restarts) < 4, 10,
                 "earlier restarts to age")
    info = deploy.deploy(sim.port, None, firmware=tiny_fw)  # no --board: the device's own
    assert info["board"] == "sim" and info["micropython"].startswith("1.")
    sim.wait_event("boot", before + 1, timeout=20)


def test_flash_image_persists(tiny_fw, tmp_path):
    img = str(tmp_path / "flash.img")
    with Simulator(speed=20, flash=img, firmware=tiny_fw) as s:
        p = mpremote(s.port, "resume", "exec",
                     "f = open('keep.txt', 'w'); f.write('kept'); f.close()",
                     timeout=SIM_WAIT_S)
        assert p.returncode == 0, p.stderr
    assert os.path.getsize(img) == 352 * 4096
    with Simulator(speed=20, flash=img, firmware=tiny_fw) as s:
        assert s.deploy_info["written"] == []  # every hash matched: nothing copied again
        p = mpremote(s.port, "resume", "exec", "print(open('keep.txt').read())")
        assert "kept" in p.stdout
