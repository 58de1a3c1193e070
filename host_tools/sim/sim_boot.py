# Simulator boot ROM: runs first under the MicroPython unix port (`micropython -i sim_boot.py`).
# Usage: sim_boot.py ROOT SIMDIR FLASH SPEED MODE   (MODE: run = boot main.py; repl = stop)
# Loads the fakes (the twin's "silicon") while the host filesystem is still mounted, opens the
# side-channel files, mounts the LittleFS image at "/" and then behaves like a Pico booting.
import sys

import vfs

_root, _simdir, _flash, _speed, _mode = sys.argv[1:6]
sys.path[:0] = [_root + "/host_tools/sim/fakes", _root + "/host_tools/sim"]
import machine  # noqa: E402,F401 - the fake; firmware's `import machine` finds it in sys.modules
import sim_io  # noqa: E402
import ssd1306_panel  # noqa: E402,F401 - preloaded for boards/sim.py
import vclock  # noqa: E402,F401
from flashdev import FlashDevice  # noqa: E402

sim_io.setup(_simdir, float(_speed))
_dev = FlashDevice(sim_io.FLASH_BLOCKS, 4096, path=_flash)
sim_io.FLASH = _dev
sim_io.FLASH_PATH = _flash
try:
    _fs = vfs.VfsLfs2(_dev)
except OSError:
    vfs.VfsLfs2.mkfs(_dev)
    _fs = vfs.VfsLfs2(_dev)
vfs.umount("/")
vfs.mount(_fs, "/")
import os  # noqa: E402

os.chdir("/")
sys.path[:] = ["", ".frozen", "/lib"]
sys.argv[:] = [""]
sim_io.event("boot " + _mode)
import gc  # noqa: E402

try:  # like rp2: /boot.py runs on every (soft) reset, before main.py and before the raw REPL
    _src = open("boot.py").read()
except OSError:
    _src = None
if _src is not None:
    exec(compile(_src, "boot.py", "exec"), globals())
gc.collect()
sim_io.BASE_HEAP = gc.mem_alloc()
if _mode == "run":
    try:
        _src = open("main.py").read()
    except OSError:
        _src = None
    if _src is not None:
        _code = compile(_src, "main.py", "exec")
        del _src
        del _root, _simdir, _flash, _speed, _mode, _dev, _fs
        exec(_code, globals())  # like a Pico: the REPL shares main.py's globals
