"""The OLED driver files that go onto the device, taken from the installed wheels."""

import importlib.util
import os
import shutil

# (module as the device imports it, path inside site-packages)
DRIVER_FILES = (
    "adafruit_ssd1306.py",
    "adafruit_bus_device/__init__.py",
    "adafruit_bus_device/i2c_device.py",
    "adafruit_bus_device/spi_device.py",  # adafruit_ssd1306 imports it even for I2C
)


def site_dir():
    """The site-packages directory holding adafruit_ssd1306 (found without importing it)."""
    spec = importlib.util.find_spec("adafruit_ssd1306")
    if spec is None or spec.origin is None:
        raise RuntimeError("adafruit-circuitpython-ssd1306 is not installed (run `make venv`)")
    return os.path.dirname(spec.origin)


def driver_sources():
    """List (device-relative path, source path) for every driver file."""
    base = site_dir()
    return [(rel, os.path.join(base, rel)) for rel in DRIVER_FILES]


def stage(dest):
    """Copy the driver sources into `dest` (for MicroPython's sys.path); returns dest."""
    for rel, src in driver_sources():
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
            shutil.copyfile(src, out)
    return dest
