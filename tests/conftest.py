"""Pytest wiring: paths for the firmware and fakes, and the real-MicroPython test items."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MP_DIR = os.path.join(ROOT, "tests", "mp")
MICROPYTHON = os.path.join(os.path.dirname(sys.executable), "micropython")
SLOW = bool(os.environ.get("BEEPER_SLOW"))  # `make test-slow`: every cut point, big fuzz
MP_TIMEOUT_S = 1800 if SLOW else 120
# Upper bound on waiting for the simulator (a hang guard, not a timing claim): generous so a
# loaded 2-core machine passes; a healthy run waits a second or two.
SIM_WAIT_S = 120

if ROOT not in sys.path:
    sys.path.append(ROOT)
from host_tools.device import builtin_plans  # noqa: E402
from host_tools.fw import PICO_HEAP as MP_HEAP  # noqa: E402

builtin_plans.stage()  # build/gen/defaults.py (the firmware's built-in plans) before any import
# The fakes come first so `machine` and `micropython` resolve to them (not Blinka's shim).
for _p in ("build/gen", "tests/mp", "boards", "firmware", "host_tools/sim/fakes"):
    _full = os.path.join(ROOT, _p)
    if _full not in sys.path:
        sys.path.insert(0, _full)


def run_micropython(args, timeout=MP_TIMEOUT_S, heap=MP_HEAP, cwd=None, input=None):
    """Run the venv's MicroPython unix port; returns the CompletedProcess."""
    if not os.path.exists(MICROPYTHON):
        raise RuntimeError("MicroPython interpreter missing: %s (run `make venv`)" % MICROPYTHON)
    cmd = [MICROPYTHON, "-X", "heapsize=" + heap] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          input=input)


def pytest_configure(config):
    """Stage the OLED driver files where MicroPython tests find them (build/mplib)."""
    from host_tools.device import drivers

    drivers.stage(os.path.join(ROOT, "build", "mplib"))


class MpFailure(Exception):
    """A test function failed under MicroPython."""


_results = {}
_reports = []  # "@@REPORT ..." lines the MicroPython tests printed (power-cut walks, fuzz)


@pytest.fixture(autouse=True)
def _mp_tmp_root(tmp_path):
    """tests/mp helpers (interp.tmpdir) make their files in this test's tmp_path on CPython."""
    import interp

    interp.TMP_ROOT = str(tmp_path)
    yield


def _module_results(path, tmp_factory):
    """Run a whole tests/mp module once under MicroPython; map test name -> (status, output)."""
    if path in _results:
        return _results[path]
    mod = os.path.splitext(os.path.basename(path))[0]
    tmp = str(tmp_factory.mktemp("mp_" + mod))
    try:
        proc = run_micropython([os.path.join(ROOT, "tests", "mp_run.py"), ROOT, mod, tmp])
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        out = "TIMEOUT after %ss\n%s" % (MP_TIMEOUT_S, e.stdout or "")
    res = {}
    for m in re.finditer(r"@@MPTEST (\w+)\n(.*?)@@(PASS|FAIL|SKIP)\n", out, re.S):
        res[m.group(1)] = (m.group(3), m.group(2))
    res["__output__"] = ("FAIL", out)
    _reports.extend(re.findall(r"^@@REPORT (.*)$", out, re.M))
    _results[path] = res
    return res


class MpItem(pytest.Item):
    """One test function of a tests/mp module, run under real MicroPython."""

    def runtest(self):
        res = _module_results(str(self.path), self.config._tmp_path_factory)
        if self.name.split("[")[0] not in res:
            raise MpFailure("did not run under MicroPython:\n" + res["__output__"][1])
        status, text = res[self.name.split("[")[0]]
        if status == "SKIP":
            pytest.skip(text.strip())
        if status != "PASS":
            raise MpFailure(text)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, MpFailure):
            return "MicroPython traceback:\n" + str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, "micropython: " + self.name


class MpModule(pytest.File):
    """Collects each `def test_*` of a dual-interpreter module as a MicroPython item."""

    def collect(self):
        with open(self.path) as f:
            names = re.findall(r"^def (test_\w+)\(", f.read(), re.M)
        for name in names:
            yield MpItem.from_parent(self, name=name + "[micropython]")


def pytest_terminal_summary(terminalreporter):
    """One line per fault scenario: cut points walked, records lost, plan sets mixed, fuzz."""
    if _reports:
        terminalreporter.section("fault scenarios (real MicroPython)")
        for line in _reports:
            terminalreporter.line(line)


def pytest_collect_file(parent, file_path):
    if (file_path.suffix == ".py" and file_path.name.startswith("test_")
            and str(file_path.parent) == MP_DIR):
        return MpModule.from_parent(parent, path=file_path)
    return None
