# MicroPython side of the cross-interpreter check: one hex table per stdin line in,
# one JSON list of expanded steps per line out.
import json
import sys

sys.path.insert(0, sys.argv[1] + "/firmware")
import plan  # noqa: E402

for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    t = plan.Table(bytes.fromhex(line))
    c = plan.Cursor(t)
    out = [t.title(), t.step_count(), t.total_s()]
    while c.next():
        out.append([c.index, c.kind, c.dur_s, t.label(c.label), c.opts, c.rep, c.reps])
    print(json.dumps(out))
