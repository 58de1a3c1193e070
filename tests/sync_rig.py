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


def press_until(sim, c, pred, what, tries=5):
    """Press A until pred(info): a press the loaded host turned into a long one is retried."""
    for _ in range(tries):
        info = c.info()
        if pred(info):
            return info  # a slow earlier press got there after all
        n = sim.count("press")
        sim.press("A")
        sim.wait_for(lambda n=n: sim.count("press") > n, 30, "the press")
        try:
            return wait_info(c, pred, timeout=3, what=what)
        except AssertionError:
            continue
    return wait_info(c, pred, timeout=1, what=what)


def record_session(sim, c):
    """Run the plan on screen to its end, save RPE, back to the menu; returns its seq."""
    info = wait_info(c, lambda i: i["menu"], what="the menu")
    before = info["last_seq"]
    press_until(sim, c, lambda i: i["running"], "the session to start")
    wait_info(c, lambda i: i["rpe_pending"], what="the RPE screen")
    info = press_until(sim, c, lambda i: i["last_seq"] > before and not i["running"],
                       "the log to be saved")
    press_until(sim, c, lambda i: i["menu"], "the menu again")
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
