"""Import firmware modules (flat, as on the device) from host code."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRMWARE = os.path.join(ROOT, "firmware")
BOARDS = os.path.join(ROOT, "boards")
FAKES = os.path.join(ROOT, "host_tools", "sim", "fakes")
# The heap MicroPython runs the firmware's tests, benches and the simulator at: a fresh RP2040's
# GC heap (245,888 B, ../shared/rp2-timing.md) x 1.35, the factor by which the 64-bit unix port
# needs more for the same objects and bytecode (this firmware's code: 71.3 vs 52.7 KB).
PICO_HEAP = "324K"

if FIRMWARE not in sys.path:
    sys.path.insert(0, FIRMWARE)
if FAKES not in sys.path:
    sys.path.insert(0, FAKES)  # before Blinka's `micropython` shim


def load(name):
    """The firmware module `name`, imported flat as on the device."""
    import importlib

    return importlib.import_module(name)


def load_board(name):
    """A board module (boards/NAME.py), imported flat as on the device."""
    if BOARDS not in sys.path:
        sys.path.append(BOARDS)
    return load(name)


def load_file(name, path):
    """A module from an explicit file path (e.g. a frozen copy kept for the bench)."""
    import importlib.util

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod
