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


def _blocks(depth):
    leaf = st.lists(steps, min_size=1, max_size=4)
    if depth == 0:
        return leaf
    inner = st.one_of(steps, st.tuples(st.just("repeat"), st.integers(1, 4), _blocks(depth - 1)))
    return st.lists(inner, min_size=1, max_size=4)


def _expanded(nodes):
    return sum(n[1] * _expanded(n[2]) if n[0] == "repeat" else 1 for n in nodes)


plans = st.builds(
    lambda title, flags, body: {"title": title, "flags": flags, "steps": body},
    titles, st.sampled_from([0, table.FLAG_HALFWAY]), _blocks(table.MAX_DEPTH - 1),
).filter(lambda p: _expanded(p["steps"]) <= table.MAX_STEPS)
