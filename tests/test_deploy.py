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
