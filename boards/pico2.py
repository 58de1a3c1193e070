"""Raspberry Pi Pico 2 (RP2350): the Pico's wiring (boards/pico.py), built by its build().

`deploy --board pico2` installs this file as board.mpy and boards/pico.py beside it as pico.mpy.
"""

import pico

NAME = "pico2"
# RP2350 datasheet: WATCHDOG_BASE 0x400d8000 (CTRL at offset 0, ENABLE bit 30 as on the RP2040).
WATCHDOG_CTRL = 0x400D8000


def build():
    """Construct the Pico 2's hardware: the same pins and parts as the Pico."""
    hw = pico.build()
    hw.name = NAME
    # The RP2350 (150 MHz, Cortex-M33) runs the ISR path faster than the RP2040's 93 us; not
    # measured yet, so the Pico's lead stands: cues land a little early, never late.
    hw.cue_lead_us = pico.CUE_LEAD_US
    return hw


def running_watchdog():
    """(WDT, Timer) if the RP2350's watchdog still runs (see boards/pico.py), else None."""
    return pico.running_watchdog(WATCHDOG_CTRL)
