"""The device's built-in plans: the firmware's `defaults` module, generated from examples/."""

import os

from host_tools import fw
from host_tools.plans import lang

# DESIGN.md's example sessions, in menu order: a device with no plan set yet offers these.
EXAMPLES = ("beginner", "intermediate", "advanced")
GEN = os.path.join(fw.ROOT, "build", "gen")


def source():
    """Python source of defaults.py: each example's session table as bytes, and PLANS."""
    plan = fw.load("plan")
    out = ['"""Built-in session tables, generated from examples/ by host_tools/device/'
           'builtin_plans.py."""', ""]
    for name in EXAMPLES:
        table = plan.encode(lang.load(os.path.join(fw.ROOT, "examples", name + ".plan")))
        out.append("%s = %r" % (name.upper(), table))
    out += ["", "PLANS = (%s)" % ", ".join(n.upper() for n in EXAMPLES), ""]
    return "\n".join(out)


def stage(dirpath=GEN):
    """Write defaults.py into dirpath when its content changed; returns the file's path."""
    os.makedirs(dirpath, exist_ok=True)
    path = os.path.join(dirpath, "defaults.py")
    text = source()
    try:
        with open(path) as f:
            if f.read() == text:
                return path
    except OSError:
        pass
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)  # parallel test workers never see half a file
    return path
