"""Raspberry Pi Pico (RP2040) wiring: build() returns the hw object the app runs on.

Wiring (GPn = GPIO n, physical pin in brackets):
    piezo buzzer +   GP15 [20]  PWM slice 7 B; piezo - to GND [18]
    OLED SDA         GP4  [6]   I2C0, 400 kHz, SSD1306 128x64 at 0x3C
    OLED SCL         GP5  [7]
    OLED VCC / GND   3V3(OUT) [36] / GND [38]
    button A         GP10 [14]  select / start / pause-resume; other leg to GND [13]
    button B         GP11 [15]  next / lap-rep tap
    button C         GP12 [16]  back / skip interval (short) / finish early (hold)
Buttons use the internal pull-ups (active low). Most OLED breakouts carry their own I2C
pull-ups; add 4.7 kOhm to 3V3 on SDA/SCL if yours does not.
"""

import sys
import time

import machine
from machine import I2C, PWM, RTC, WDT, Pin, Timer, unique_id

NAME = "pico"
BUZZER_PIN = 15
SDA_PIN = 4
SCL_PIN = 5
I2C_ID = 0
I2C_HZ = 400_000  # SSD1306 fast mode: a full frame is ~25 ms
OLED_ADDR = 0x3C
BTN_PINS = (10, 11, 12)  # A, B, C
WDT_MS = 5000  # the loop feeds it every ~10 ms; a 25 ms show or a log write is far below this
# RP2040 datasheet: WATCHDOG_BASE 0x40058000, CTRL at offset 0, CTRL.ENABLE is bit 30. A soft
# reset leaves it running; boot.py reads it to hand the watchdog to the keeper.
WATCHDOG_CTRL = 0x40058000
WATCHDOG_ENABLE = 1 << 30
# Cue compensation (firmware/cuetimer.py): the alarm is armed this long before a tone edge, the
# time from the ticks_us() read in CueTimer._arm to the edge's PWM write on an RP2040 at
# 125 MHz. From ../shared/rp2-timing.md (rp2 MicroPython 1.28, rp2040js): the old ISR read
# ticks_us() 28-30 us after its deadline with 64 us compensated, so read -> alarm -> that read
# took 93 us, of which 20 us (20 / 26 / 27) was alarm -> the ISR's first call; the new ISR's
# first call is the PWM write itself, so 93 - 20 + 20 = 93 us. The emulator has no flash wait
# states: calibrate on silicon (`make bench` shows how the error moves if a board is 30 %
# slower or 25 % faster).
CUE_LEAD_US = 93


class HW:
    """The hardware objects (see docs/CONTRACT.md "hw")."""

    name = NAME
    flash_root = "/"
    oled_addr = OLED_ADDR
    cue_lead_us = CUE_LEAD_US
    service = None


def build():
    """Construct the Pico's hardware; the watchdog starts last."""
    hw = HW()
    hw.clock = time
    hw.buzzer_pwm = PWM(Pin(BUZZER_PIN), freq=2000, duty_u16=0)
    hw.timer = Timer(-1)  # keep this reference: its finaliser would cancel the alarm
    hw.i2c = I2C(I2C_ID, scl=Pin(SCL_PIN), sda=Pin(SDA_PIN), freq=I2C_HZ)
    hw.btn_a = Pin(BTN_PINS[0], Pin.IN, Pin.PULL_UP)
    hw.btn_b = Pin(BTN_PINS[1], Pin.IN, Pin.PULL_UP)
    hw.btn_c = Pin(BTN_PINS[2], Pin.IN, Pin.PULL_UP)
    hw.rtc = RTC()  # restarts at 2021-01-01 each power-up: the host sets it at each sync
    hw.uid = unique_id()  # the flash chip's id: the device id the host keys logs by
    hw.link_io = (sys.stdin.buffer, sys.stdout.buffer)  # USB CDC: the link to the host
    hw.wdt = WDT(timeout=WDT_MS)
    return hw


def running_watchdog(ctrl=WATCHDOG_CTRL):
    """(WDT, Timer) to keep the watchdog fed if it still runs (after a soft reset), else None."""
    if not machine.mem32[ctrl] & WATCHDOG_ENABLE:
        return None
    return WDT(timeout=WDT_MS), Timer(-1)
