"""Helpers for the end-to-end sync tests: a tiny plan, a recorded session, a cuttable cable."""

import time

from host_tools.link.client import Client
from host_tools.link.transport import Transport

TINY = "title: Tiny %d\nwork 3s Go\nrest 2s\n"


def write_plans(d, n=1, first=0):
    """n tiny plans as files in directory d; returns d."""
    d.mkdir(exist_ok=True)
    for i in range(first, first + n):
        (d / ("tiny%03d.plan" % i)).write_text(TINY % i)
    return d


def wait_info(c, pred, timeout=60, what="the device"):
    end = time.monotonic() + timeout
    while True:
        info = c.info()
        if pred(info):
            return info
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for %s: %r" % (what, info))
        time.sleep(0.05)


def record_session(sim, c):
    """Run the plan on screen to its end, save RPE, back to the menu; returns its seq."""
    before = c.info()["last_seq"]
    sim.press("A")  # start
    wait_info(c, lambda i: i["running"], what="the session to start")
    sim.wait_for(lambda: any(e["name"] == "done" for e in sim.cues()), 60, "the done cue")
    sim.press("A")  # save the RPE
    try:
        info = wait_info(c, lambda i: i["last_seq"] > before and not i["running"],
                         what="the log to be saved")
    except AssertionError as e:
        raise AssertionError("%s\nscreen:\n%s\nevents: %r" % (
            e, sim.screen(compact=True),
            [x for x in sim.events() if x[0] in ("press", "cue")][-10:])) from None
    sim.press("A")  # summary -> menu
    return info["last_seq"]


class CutTransport(Transport):
    """A serial port whose cable is pulled (port closed) before write number `cut_at`."""

    def __init__(self, port, cut_at):
        super().__init__(port)
        self.cut_at = cut_at
        self.writes = 0

    def write(self, data):
        if self.writes == self.cut_at:
            self.ser.close()  # the cable is gone: this write and every later one fail
        self.writes += 1
        super().write(data)


def cut_client(port, cut_at):
    return Client(port, transport=CutTransport(port, cut_at))
