# MicroPython: heap taken by importing the deployed .mpy files (bytecode, qstrs, globals).
# argv: ROOT BUILD_DIR MODULE...
import gc
import sys

root, build = sys.argv[1], sys.argv[2]
sys.path[:0] = [root + "/host_tools/sim/fakes", build]
import machine  # noqa: E402,F401 - the fake hardware is not the app's: load it first
import vclock  # noqa: E402,F401

gc.collect()
base = gc.mem_alloc()
for name in sys.argv[3:]:
    __import__(name)
gc.collect()
print(gc.mem_alloc() - base)
