"""Board files: Pico and Pico 2 build the contract's hw from `machine` (the fakes here)."""

import importlib
import time

import machine
import pytest
import vclock


@pytest.mark.parametrize("name", ["pico", "pico2"])
def test_board_builds_contract_hw(name):
    machine.set_clock(vclock.VirtualClock())
    board = importlib.import_module(name)
    hw = board.build()
    assert hw.name == name
    assert hw.clock is time  # on the device: the time module's ticks_* API
    assert hw.flash_root == "/" and hw.oled_addr == 0x3C and hw.service is None
    assert isinstance(hw.buzzer_pwm, machine.PWM) and hw.buzzer_pwm.pin.id == 15
    assert hw.buzzer_pwm.duty_u16() == 0  # silent until a cue
    assert isinstance(hw.timer, machine.Timer)
    assert isinstance(hw.i2c, machine.I2C) and hw.i2c.id == 0 and hw.i2c.freq == 400_000
    for pin, gp in ((hw.btn_a, 10), (hw.btn_b, 11), (hw.btn_c, 12)):
        assert pin.id == gp and pin.mode == machine.Pin.IN and pin.pull == machine.Pin.PULL_UP
        assert pin.value() == 1  # idle high: active low
    assert isinstance(hw.wdt, machine.WDT) and hw.wdt.timeout_ms == 5000
    machine.set_clock(vclock.VirtualClock())  # drop the started watchdog with its clock


def test_pico2_deploys_with_the_pico_wiring_it_imports():
    from host_tools.device import deploy

    names = [dest for dest, _src in deploy.sources("pico2")]
    assert "board.py" in names and "pico.py" in names
    assert "pico.py" not in [dest for dest, _src in deploy.sources("pico")]


def test_boards_document_the_wiring():
    import pico

    doc = pico.__doc__
    for text in ("GP15", "GP4", "GP5", "GP10", "GP11", "GP12", "0x3C", "400 kHz"):
        assert text in doc


def test_main_py_is_a_few_lines():
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "firmware", "main.py")) as f:
        code = [ln for ln in f.read().splitlines() if ln and not ln.startswith(('"""', "#"))]
    assert [ln.split("  #")[0] for ln in code] == [
        "import app", "import board", "import keeper", "hw = board.build()", "keeper.release()",
        "try:", "    app.run(hw)", "finally:", "    keeper.keep(hw.wdt, hw.timer)", "    del hw"]
