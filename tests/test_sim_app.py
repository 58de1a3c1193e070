"""The real firmware in the simulator: buttons drive the screen, a whole session, heap."""

import pytest
from conftest import SIM_WAIT_S

from host_tools.bench import heap as bench_heap
from host_tools.sim.simulator import Simulator


@pytest.fixture(scope="module")
def advanced():
    return bench_heap.run_session(timeout=SIM_WAIT_S)


def test_button_presses_change_the_screen():
    with Simulator(speed=20) as sim:  # fresh image: the built-in plans (more than one)
        sim.wait_for(lambda: "#" in sim.screen(), SIM_WAIT_S, "the menu")
        menu = sim.screen()
        sim.press("B")  # next plan
        sim.wait_for(lambda: sim.screen() != menu, SIM_WAIT_S, "the next plan on screen")
        other = sim.screen()
        sim.press("C")  # back
        sim.wait_for(lambda: sim.screen() == menu, SIM_WAIT_S, "the first plan again")
        sim.press("A")  # start: the 3-2-1 countdown screen and cue
        sim.wait_for(lambda: any(c["name"] == "count" for c in sim.cues()), SIM_WAIT_S,
                     "a count cue")
        sim.wait_for(lambda: sim.screen() not in (menu, other), SIM_WAIT_S,
                     "the countdown screen")
        assert sim.count("press") == 3


def test_advanced_session_runs_on_a_pico_sized_heap(advanced):
    r = advanced
    assert not r["memory_error"], r["output"][-2000:]
    assert r["alive"]
    names = [c["name"] for c in r["cues"]]
    assert names.count("work") == 10 and names.count("done") == 1
    assert names[:3] == ["count"] * 3
    assert r["records"] >= 1  # the log was written to the LittleFS image
    assert 0 < r["heap_first"] <= r["heap_peak"] < 245888 * 135 // 100  # a Pico's heap x 1.35

