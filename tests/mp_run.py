# Runs one dual-interpreter test module under real MicroPython and reports each test function.
# Usage: micropython mp_run.py ROOT MODULE TMPDIR   (ROOT is the repository root)
import gc
import sys

root = sys.argv[1]
sys.path[:0] = [root + "/host_tools/sim/fakes", root + "/firmware", root + "/boards",
                root + "/tests/mp", root + "/build/mplib", root + "/build/gen"]
import interp  # noqa: E402

interp.TMP_ROOT = sys.argv[3]
mod = __import__(sys.argv[2])
names = [n for n in dir(mod) if n.startswith("test_")]
names.sort()
for name in names:
    gc.collect()  # one test's garbage must not fragment the next one's heap
    print("@@MPTEST", name)
    try:
        getattr(mod, name)()
        print("@@PASS")
    except Exception as e:  # noqa: BLE001 - a skip is reported as one, any other as a failure
        if type(e).__name__ == "Skipped":
            print(e)
            print("@@SKIP")
            continue
        sys.print_exception(e, sys.stdout)
        print("@@FAIL")
print("@@DONE")
