"""Hypothesis strategies for valid plans (within the device's limits)."""

from hypothesis import strategies as st

from host_tools import fw

table = fw.load("plan")

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-'éü", min_size=1,
                max_size=8)
labels = st.lists(_word, min_size=0, max_size=4).map(" ".join).filter(
    lambda s: len(s.encode()) <= table.MAX_TEXT)
titles = st.lists(_word, min_size=1, max_size=4).map(" ".join).filter(
    lambda s: len(s.encode()) <= table.MAX_TEXT)
durations = st.one_of(st.just(0), st.integers(1, 59), st.integers(1, 240).map(lambda m: m * 60),
                      st.integers(1, table.MAX_STEP_S))
opts = st.sampled_from([0, table.OPT_HALFWAY, table.OPT_NO_TICKS, 3])
steps = st.tuples(st.sampled_from(table.KIND_NAMES), durations, labels, opts)
# Inside a repeat a step may also be @between (left out of the repeat's last round).
repeat_steps = st.tuples(st.sampled_from(table.KIND_NAMES), durations, labels,
                         st.sampled_from([0, table.OPT_HALFWAY, table.OPT_NO_TICKS, 3,
                                          table.OPT_BETWEEN, table.OPT_BETWEEN | 1]))


def _between(node):
    return node[0] != "repeat" and node[3] & table.OPT_BETWEEN


def _blocks(depth, in_repeat=False):
    step = repeat_steps if in_repeat else steps
    if depth == 0:
        block = st.lists(step, min_size=1, max_size=4)
    else:
        inner = st.one_of(step, st.tuples(st.just("repeat"), st.integers(1, 4),
                                          _blocks(depth - 1, True)))
        block = st.lists(inner, min_size=1, max_size=4)
    if in_repeat:  # a repeat keeps a child that its last round plays
        block = block.filter(lambda nodes: not all(_between(n) for n in nodes))
    return block


def _expanded(nodes):
    return sum(n[1] * _expanded(n[2]) - sum(1 for c in n[2] if _between(c))
               if n[0] == "repeat" else 1 for n in nodes)


plans = st.builds(
    lambda title, flags, body: {"title": title, "flags": flags, "steps": body},
    titles, st.sampled_from([0, table.FLAG_HALFWAY]), _blocks(table.MAX_DEPTH - 1),
).filter(lambda p: _expanded(p["steps"]) <= table.MAX_STEPS)
