"""Which interpreter runs a dual test module, and a visible skip for one-interpreter tests."""
import sys

MICROPYTHON = sys.implementation.name == "micropython"


class Skipped(Exception):
    """Raised under MicroPython; tests/mp_run.py reports it as a skip, never a pass."""


def skip(why):
    """Skip this test here (pytest.skip on CPython; a reported skip on MicroPython)."""
    if MICROPYTHON:
        raise Skipped(why)
    import pytest

    pytest.skip(why)


def micropython_only(why):
    """Skip unless running on MicroPython (heap_lock, vfs.VfsLfs2, real mem_info)."""
    if not MICROPYTHON:
        skip("MicroPython only: " + why)


TMP_ROOT = None  # this test run's temp dir: tests/conftest.py (CPython) or mp_run.py argv[3]
_n = [0]


def tmpdir(prefix):
    """A new empty directory inside the run's temp dir (pytest removes it, not the test)."""
    import os

    _n[0] += 1
    path = "%s/%s%d" % (TMP_ROOT, prefix, _n[0])
    os.mkdir(path)
    return path


def tmpfile(name):
    """A path inside the run's temp dir (no file made)."""
    _n[0] += 1
    return "%s/%d_%s" % (TMP_ROOT, _n[0], name)
