"""Host side of the link without a device: port discovery, silent and busy ports, the DB."""

import os
import pty
from types import SimpleNamespace

import pytest

from host_tools.fw import load
from host_tools.link import transport
from host_tools.link.client import BadReply, Client, NotFirmware
from host_tools.logs.db import LogDB

logbook = load("logbook")
link = load("link")


def test_port_from_arg_env_or_usb(monkeypatch):
    monkeypatch.delenv("BEEPER_PORT", raising=False)
    pico = SimpleNamespace(vid=0x2E8A, device="/dev/ttyACM0")
    other = SimpleNamespace(vid=0x1234, device="/dev/ttyUSB0")
    assert transport.find_port("/dev/x", []) == "/dev/x"
    assert transport.find_port(None, [other, pico]) == "/dev/ttyACM0"
    with pytest.raises(transport.NoDevice, match="no beeper found"):
        transport.find_port(None, [other])
    two = SimpleNamespace(vid=0x2E8A, device="/dev/ttyACM1")
    with pytest.raises(transport.NoDevice, match="several beepers"):
        transport.find_port(None, [pico, two])
    monkeypatch.setenv("BEEPER_PORT", "/dev/env")
    assert transport.find_port(None, [pico]) == "/dev/env"


@pytest.fixture
def pty_pair():
    m, s = pty.openpty()
    yield m, os.ttyname(s)
    os.close(m)
    os.close(s)


def test_silent_busy_and_missing_ports(pty_pair):
    m, port = pty_pair
    with Client(port, timeout=0.3) as c:
        with pytest.raises(transport.Silent, match="no answer"):
            c.info()
        with pytest.raises(transport.PortBusy, match="busy"):
            Client(port)
    with pytest.raises(transport.NoDevice, match="no such port"):
        Client("/dev/beeper-not-there")


def answer(m, reply):
    """A device that reads one request line from the master side, then writes reply."""
    import threading

    def run():
        got = b""
        while not got.endswith(b"\n"):
            got += os.read(m, 1024)
        os.write(m, reply(got))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_plain_repl_and_untrusted_replies(pty_pair):
    m, port = pty_pair
    with Client(port, timeout=5) as c:
        answer(m, lambda req: req + b"Traceback (most recent call last):\r\nSyntaxError: "
               b"invalid syntax\r\n>>> ")
        with pytest.raises(NotFirmware, match="plain MicroPython REPL"):
            c.info()
        # a well-framed but far too short INFO reply is not trusted
        answer(m, lambda req: link.frame("i", int(req[3:5], 16), b"\x01\x00"))
        with pytest.raises(BadReply):
            c.info()


def rec(seq, boot, ticks, rtc=False, start_s=1609459200):
    b = logbook.encode(seq, 7, start_s, 0, 6, 1500, [(20000, 19000, 1, 0, 1, 1),
                                                     (0, 31000, 8, 1, 1, 0xFF)],
                       boot_count=boot, start_ticks_ms=ticks, rtc_set=rtc, worst_onset_us=40,
                       strings=["T", "Go"])
    return logbook.decode(bytes(b))


def test_db_is_idempotent_and_dates_honestly(tmp_path):
    path = str(tmp_path / "x.sqlite")
    with LogDB(path) as db:
        assert db.add("aa", [rec(1, 3, 10000), rec(2, 4, 5000)]) == 2
        assert db.add("aa", [rec(1, 3, 10000)]) == 0
        assert db.add("bb", [rec(1, 3, 10000, rtc=True, start_s=1767225600)]) == 1
        s = {(r["device_id"], r["seq"]): r for r in db.sessions()}
        assert s[("aa", 1)]["date"] is None and s[("aa", 1)]["date_source"] == "unknown"
        assert s[("bb", 1)]["date"] == "2026-01-01T00:00:00Z"
        assert s[("bb", 1)]["date_source"] == "rtc"
        db.add_sync("aa", 3, 70000, 1767225600)  # 60 s after session 1 started, same boot
        s = {(r["device_id"], r["seq"]): r for r in db.sessions(device="aa")}
        assert s[("aa", 1)]["date"] == "2025-12-31T23:59:00Z"
        assert s[("aa", 1)]["date_source"] == "sync"
        assert s[("aa", 2)]["date"] is None  # another boot: still unknown
        r = s[("aa", 1)]
        assert r["plan_title"] == "T" and r["rpe"] == 6 and r["paused_s"] == 1.5
        assert r["worst_onset_us"] == 40 and r["end_reason"] == "finished"
        assert r["intervals"][0] == {"idx": 0, "kind": "work", "label": "Go", "planned_s": 20.0,
                                     "actual_s": 19.0, "skipped": True, "paused": False,
                                     "extended": False, "laps": 0, "reps": 0}
        assert r["intervals"][1]["planned_s"] is None and r["intervals"][1]["laps"] == 1
        assert [x["seq"] for x in db.sessions(since="2026-01-01")] == [1]
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ValueError, match="not a beeper log database"):
        LogDB(str(bad))
