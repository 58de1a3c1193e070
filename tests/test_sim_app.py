"""The real firmware in the simulator: buttons drive the screen, a whole session, heap."""

import pytest

from host_tools import bench_heap
from host_tools.sim import Simulator


@pytest.fixture(scope="module")
def advanced():
    return bench_heap.run_session(timeout=90)


def test_button_presses_change_the_screen():
    with Simulator(speed=20) as sim:  # fresh image: the built-in plans (more than one)
        sim.wait_for(lambda: sim.frame()[0] > 0, 30, "the first frame")
        sim.wait_for(lambda: sim.frame()[0] == sim.frame()[0], 5)
        menu = sim.screen()
        assert "#" in menu
        sim.press("B")  # next plan
        sim.wait_for(lambda: sim.screen() != menu, 30, "the next plan on screen")
        other = sim.screen()
        sim.press("C")  # back
        sim.wait_for(lambda: sim.screen() == menu, 30, "the first plan again")
        sim.press("A")  # start: the 3-2-1 countdown screen and cue
        sim.wait_for(lambda: any(c["name"] == "count" for c in sim.cues()), 30, "a count cue")
        sim.wait_for(lambda: sim.screen() not in (menu, other), 30, "the countdown screen")
        assert sim.count("press") == 3


def test_advanced_session_runs_under_192k(advanced):
    r = advanced
    assert not r["memory_error"], r["output"][-2000:]
    assert r["alive"]
    names = [c["name"] for c in r["cues"]]
    assert names.count("work") == 10 and names.count("done") == 1
    assert names[:3] == ["count"] * 3
    assert r["records"] >= 1  # the log was written to the LittleFS image
    assert 0 < r["heap_first"] <= r["heap_peak"] < 192 * 1024


def test_cues_keep_time_in_virtual_time(advanced):
    # Planned deadlines are the engine's. At 120x a host hiccup of 1 ms real is 120 ms virtual
    # for the main loop, so a cue loaded late can slip; most must be on time to the IRQ latency.
    lates = [c["late_us"] for c in advanced["cues"]]
    assert min(lates) >= 0
    assert sum(1 for x in lates if x < 1000) >= 0.9 * len(lates), lates
