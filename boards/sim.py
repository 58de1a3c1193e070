"""Simulator board: fake machine objects on a paced virtual clock; side channels via sim_io."""
# Runs from the simulator's LittleFS image as /board.mpy. `machine`, `vclock`, `ssd1306_panel`
# and `sim_io` are the twin's "silicon": sim_boot.py loaded them from the host before boot.
import sys

import machine
import pico  # the Pico's wiring and cue compensation: the twin is that board
import sim_io
import vclock

OLED_ADDR = pico.OLED_ADDR
PIN_BUZZER = pico.BUZZER_PIN
PIN_SDA = pico.SDA_PIN
PIN_SCL = pico.SCL_PIN
PIN_A, PIN_B, PIN_C = pico.BTN_PINS


class HW:
    """What build() returns (see docs/CONTRACT.md "hw")."""

    name = "sim"
    flash_root = "/"
    oled_addr = OLED_ADDR
    cue_lead_us = pico.CUE_LEAD_US
    wdt = None  # host hiccups times --speed would look like hangs: no watchdog in the sim


def _panel():
    """The SSD1306 decoder on the fake I2C bus, or None if the fakes have none."""
    try:
        import ssd1306_panel
    except ImportError:
        return None
    return ssd1306_panel.Panel()


def build():
    """Wire the fakes: clock paced at the launcher's --speed, PWM, Timer, I2C+panel, buttons."""
    before = sim_io.heap_now()
    clock = vclock.VirtualClock()
    machine.set_clock(clock)
    hw = HW()
    hw.clock = clock
    if sim_io.FLASH is not None and hasattr(sim_io.FLASH, "clock"):
        sim_io.FLASH.clock = clock  # program/erase stall the CPU, as on an RP2040
    hw.buzzer_pwm = machine.PWM(machine.Pin(PIN_BUZZER, machine.Pin.OUT), freq=2000, duty_u16=0)
    hw.timer = machine.Timer(-1)
    hw.i2c = machine.I2C(0, scl=machine.Pin(PIN_SCL), sda=machine.Pin(PIN_SDA), freq=400000)
    panel = _panel()
    if panel is not None:
        hw.i2c.attach(OLED_ADDR, panel)
    pull = machine.Pin.PULL_UP
    hw.btn_a = machine.Pin(PIN_A, machine.Pin.IN, pull)
    hw.btn_b = machine.Pin(PIN_B, machine.Pin.IN, pull)
    hw.btn_c = machine.Pin(PIN_C, machine.Pin.IN, pull)
    hw.panel = panel
    hw.rtc = machine.RTC()
    hw.uid = sim_io.uid()  # per flash image, as a Pico's id comes from its flash chip
    hw.link_io = (sys.stdin.buffer, sys.stdout.buffer)  # the pty: the simulated USB link
    link = sim_io.Link(hw, panel)
    hw.service = link.service
    sim_io.hw_built(before)
    clock.set_pace(sim_io.speed())
    return hw


def running_watchdog():
    """The simulator starts no watchdog, so boot.py has none to keep fed."""
    return None
