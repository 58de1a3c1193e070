"""Host-encoded tables decode to the same steps on real MicroPython as on CPython."""

import json

from conftest import ROOT, run_micropython
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_strategies import plans

from host_tools import fw

table = fw.load("plan")


def cpython_steps(data):
    t = table.Table(data)
    c = table.Cursor(t)
    out = [t.title(), t.step_count(), t.total_s()]
    while c.next():
        out.append([c.index, c.kind, c.dur_s, t.label(c.label), c.opts, c.rep, c.reps])
    return out


@settings(max_examples=15, deadline=None)
@given(st.lists(plans, min_size=1, max_size=25))
def test_micropython_decodes_like_cpython(batch):
    tables = [table.encode(p) for p in batch]
    proc = run_micropython([ROOT + "/tests/mp_decode.py", ROOT],
                           input="\n".join(t.hex() for t in tables) + "\n")
    assert proc.returncode == 0, proc.stderr + proc.stdout
    got = [json.loads(line) for line in proc.stdout.splitlines()]
    assert got == [cpython_steps(t) for t in tables]
