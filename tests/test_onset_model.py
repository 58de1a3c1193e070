"""Cue onsets at the PWM write in the rp2 cost model: measured costs + the bytecode meter.

CPython only: the meter needs sys.settrace, which MicroPython's unix port lacks.
"""

import pytest

from host_tools.bench import onset

# The promise is 10 ms; the firmware aims at the pin to a few us. On the measured model the
# budget is the Timer.init() spread (49 -> 70 us at p99) plus IRQ entry jitter; off-nominal
# boards (30 % slower, 25 % faster) shift by about that share of the 93 us lead.
MEASURED = (-10, 30)
OFF_NOMINAL = (-70, 70)


def _within(errs, budget):
    lo, hi = budget
    return len(errs) >= 6 and lo <= min(errs) and max(errs) <= hi


@pytest.mark.parametrize("seed", [1, 2])
def test_onsets_within_budget_on_the_measured_model(seed):
    b = onset.rp2model.Board(seed=seed)
    r = onset.run(b)
    for kind in ("first", "later", "off"):
        assert _within(r[kind], MEASURED), (kind, onset.spread(r[kind]))
    assert -3 <= sorted(r["first"])[len(r["first"]) // 2] <= 10  # the median: a few us


def test_onsets_within_budget_on_slower_and_faster_boards():
    _measured, slow, fast = onset.rp2model.boards(seed=3)
    rs = onset.run(slow)["first"]
    rf = onset.run(fast)["first"]
    assert _within(rs, OFF_NOMINAL) and _within(rf, OFF_NOMINAL)
    assert min(rs) > 0 and max(rf) < 0  # late on a slow board, early on a fast one: not tuned


def test_the_budget_fails_without_compensation():
    r = onset.run(onset.rp2model.Board(seed=1), lead_us=0)
    assert not _within(r["first"], MEASURED)
    assert min(r["first"]) > MEASURED[1]  # every cue ~100 us late, as rp2 measured before


def test_first_countdown_cue_is_armed_on_the_timer():
    # Played from start() by the main loop it was late by start()'s own work (1.3 ms in the
    # model, 2.0-3.4 ms measured on rp2); armed on the timer it is on time like the rest.
    b = onset.rp2model.Board(seed=1)
    new = onset.run(b)["count"][0]
    assert MEASURED[0] <= new <= MEASURED[1]
    b.seed(1)
    old = onset.run(b, start_lead_ms=0)["count"][0]
    assert old > 500


def test_the_model_predicts_the_old_firmware_as_rp2_measured_it():
    # Calibrated on one row (old onset p50, 92 us); the others are predictions: tone-off edges
    # 87-91 us and later tones 100-105 us measured on rp2.
    r = onset.run(onset.rp2model.Board(), v1=True, start_lead_ms=0)
    assert 85 <= sorted(r["first"][1:])[len(r["first"]) // 2] <= 100
    assert 80 <= sorted(r["off"])[len(r["off"]) // 2] <= 100
    assert 95 <= sorted(r["later"])[len(r["later"]) // 2] <= 110
