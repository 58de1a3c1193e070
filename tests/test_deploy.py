"""deploy: what gets compiled for which board, the build cache, port selection."""

import pytest

from host_tools.device import deploy


def test_layout_main_stays_source_and_board_becomes_board_mpy():
    files = dict(deploy.build("pico"))
    assert files["main.py"].endswith("firmware/main.py")
    assert files["boot.py"].endswith("firmware/boot.py")  # re-arms the watchdog keeper
    assert "main.mpy" not in files and "boot.mpy" not in files
    assert "keeper.mpy" in files
    assert files["board.mpy"].endswith("board-pico/board.mpy")
    for dest in ("app.mpy", "plan.mpy", "adafruit_ssd1306.mpy",
                 "adafruit_bus_device/__init__.mpy", "adafruit_bus_device/i2c_device.mpy"):
        assert dest in files
    assert all(d in ("main.py", "boot.py") or d.endswith(".mpy") for d in files)
    with open(files["app.mpy"], "rb") as f:
        assert f.read(2) == b"M\x06"


def test_cache_and_arch(monkeypatch):
    deploy.build("pico2")
    calls = []
    monkeypatch.setattr(deploy, "_compile", lambda src, out, rel, arch: calls.append(arch))
    deploy.build("pico2")
    assert calls == []  # nothing changed: nothing recompiled
    monkeypatch.setattr(deploy, "_digest", lambda data: "changed")
    deploy.build("pico2")
    assert calls and set(calls) == {"armv7emsp"}
    calls.clear()
    deploy.build("sim")
    assert set(calls) == {"armv6m"}


def test_unknown_board():
    with pytest.raises(deploy.DeployError):
        deploy.build("esp32")


def test_port_selection(monkeypatch):
    monkeypatch.setenv("BEEPER_PORT", "/dev/ttyACM7")
    assert deploy.find_port("/dev/ttyACM1") == "/dev/ttyACM1"
    assert deploy.find_port(None) == "/dev/ttyACM7"
    monkeypatch.delenv("BEEPER_PORT")
    import serial.tools.list_ports

    class P:
        vid = 0x2E8A
        device = "/dev/ttyACM3"

        def __lt__(self, other):
            return False

    monkeypatch.setattr(serial.tools.list_ports, "comports", lambda: [P()])
    assert deploy.find_port(None) == "/dev/ttyACM3"
    monkeypatch.setattr(serial.tools.list_ports, "comports", lambda: [])
    with pytest.raises(deploy.DeployError):
        deploy.find_port(None)


RP2040 = {"version": (1, 28, 0), "platform": "rp2",
          "machine": "Raspberry Pi Pico with RP2040"}
RP2350 = {"version": (1, 28, 0), "platform": "rp2",
          "machine": "Raspberry Pi Pico2 with RP2350"}
SIM = {"version": (1, 29, 0), "platform": "linux", "machine": "linux [GCC 14.2.1] version"}


def test_firmware_older_than_1_26_is_refused():
    old = dict(RP2040, version=(1, 25, 0))
    with pytest.raises(deploy.DeployError, match=r"MicroPython 1\.25\.0; .*1\.26 or later"):
        deploy.pick_board(old, None, "/dev/ttyACM0")
    assert deploy.pick_board(dict(RP2040, version=(1, 26, 0))) == "pico"


def test_board_follows_the_device():
    assert deploy.pick_board(RP2040) == "pico"
    assert deploy.pick_board(RP2350) == "pico2"
    assert deploy.pick_board(SIM) == "sim"
    with pytest.raises(deploy.DeployError, match="is the simulator"):
        deploy.pick_board(SIM, "pico")
    with pytest.raises(deploy.DeployError, match="--board pico2"):
        deploy.pick_board(RP2350, "pico")
    with pytest.raises(deploy.DeployError, match="--board pico,"):
        deploy.pick_board(RP2040, "sim")


def test_probe_reads_sys_implementation():
    class T:
        def exec(self, code):
            assert "sys.implementation" in code
            return b"((1, 24, 1), 'rp2', 'Raspberry Pi Pico with RP2040')\r\n"

    info = deploy.probe(T())
    assert info == {"version": (1, 24, 1), "platform": "rp2",
                    "machine": "Raspberry Pi Pico with RP2040"}
    with pytest.raises(deploy.DeployError, match="1.26 or later"):
        deploy.pick_board(info)


def test_silent_port_times_out_with_a_message():
    import os
    import pty

    master, slave = pty.openpty()  # a port that opens but never answers
    try:
        with pytest.raises(deploy.DeployError, match="did not answer within 0.3 s"):
            deploy.deploy(os.ttyname(slave), None, timeout=0.3)
    finally:
        os.close(master)
        os.close(slave)
