"""End to end over a pty: the host CLI against the real firmware in the simulator."""

import json
import subprocess
import sys

import pytest
from sync_rig import cut_client, record_session, write_plans

from host_tools.cli import main as cli_main
from host_tools.fw import load
from host_tools.link import png, sync
from host_tools.link.client import Client, NotFirmware
from host_tools.link.transport import Disconnected
from host_tools.logs.db import LogDB
from host_tools.sim.simulator import Simulator

link = load("link")


@pytest.fixture(scope="module")
def sim_a(tmp_path_factory):
    flash = tmp_path_factory.mktemp("sim_a") / "flash.img"
    with Simulator(speed=20, flash=str(flash)) as sim:
        yield sim


@pytest.fixture(scope="module")
def sim_b():
    with Simulator(speed=20) as sim:
        yield sim


def titles(c):
    return [p["title"] for p in c.list()]


def beeper(*argv):
    try:
        cli_main(list(argv))
    except SystemExit as e:
        return e.code
    return 0


def test_push_list_pull_ack_repull_and_dates(sim_a, tmp_path, capsys):
    plans = write_plans(tmp_path / "plans", 2)
    assert beeper("push", str(plans), "--port", sim_a.port) == 0
    out = capsys.readouterr().out
    assert "pushed 2 plans: 2 added, 3 removed, 0 unchanged" in out
    with Client(sim_a.port) as c:
        assert titles(c) == ["Tiny 0", "Tiny 1"]
        first = record_session(sim_a, c)  # before any sync this boot: RTC not set
        assert c.info()["unsynced"] == 1
    db_path = str(tmp_path / "logs.sqlite")
    assert beeper("pull", "--port", sim_a.port, "--db", db_path) == 0
    assert "1 session read, 1 new" in capsys.readouterr().out
    with Client(sim_a.port) as c:
        info = c.info()
        assert info["acked"] == first and info["unsynced"] == 0 and info["rtc_set"]
        second = record_session(sim_a, c)  # after the sync: dated by the RTC
    assert beeper("pull", "--port", sim_a.port, "--db", db_path) == 0
    assert "1 session read, 1 new" in capsys.readouterr().out
    assert beeper("pull", "--port", sim_a.port, "--db", db_path) == 0
    assert "0 sessions read, 0 new" in capsys.readouterr().out  # nothing new
    with LogDB(db_path) as db:
        rows = db.sessions()
    assert [r["seq"] for r in rows] == [first, second]
    s1, s2 = rows
    assert s1["date_source"] == "sync" and s1["date"].startswith("20")
    assert s2["date_source"] == "rtc" and s2["date"] >= s1["date"]
    assert s1["plan_title"] == "Tiny 0" and s1["end_reason"] == "finished"
    assert [(i["kind"], i["label"], i["planned_s"]) for i in s1["intervals"]] == [
        ("work", "Go", 3.0), ("rest", "", 2.0)]
    assert s1["worst_onset_us"] is not None and s1["rpe"] == 5
    assert beeper("logs", "--json", "--db", db_path) == 0
    assert json.loads(capsys.readouterr().out) == rows
    assert beeper("logs", str(second), "--db", db_path) == 0
    assert "Tiny 0" in capsys.readouterr().out


def power_cycle(sim):
    """Unplug and replug: the same flash image boots again (a new boot, RTC not set)."""
    flash = sim.flash
    sim.close()
    sim.__init__(speed=sim.speed, flash=flash, deploy_fw=False)  # fresh side channels
    sim.start()


def test_session_of_an_unsynced_boot_has_no_date(sim_a, tmp_path, capsys):
    power_cycle(sim_a)
    with Client(sim_a.port) as c:
        assert not c.info()["rtc_set"]
        seq = record_session(sim_a, c)
        boot = c.info()["boot_count"]
    power_cycle(sim_a)  # before any sync in the boot that recorded it
    db_path = str(tmp_path / "logs.sqlite")
    assert beeper("pull", "--port", sim_a.port, "--db", db_path) == 0
    with LogDB(db_path) as db:
        row = [r for r in db.sessions() if r["seq"] == seq][0]
    assert row["date"] is None and row["date_source"] == "unknown"
    with Client(sim_a.port) as c:
        assert c.info()["boot_count"] == boot + 1
    assert beeper("logs", "--db", db_path) == 0
    assert "date unknown" in capsys.readouterr().out


def test_cable_pulled_at_each_stage_of_a_push(sim_a, tmp_path):
    plans = sync.compile_plans([str(write_plans(tmp_path / "many", 30, first=10))])
    with Client(sim_a.port) as c:
        old = titles(c)
    blob = sum(2 + len(t) for _p, _t, t in plans)
    commit = 2 + -(-blob // link.CHUNK)  # LIST, BEGIN, the PUTs: then COMMIT, LIST
    n_req = None
    k = 0
    while True:
        c = cut_client(sim_a.port, k)
        try:
            sync.push(c, plans)
            n_req = k
            break
        except Disconnected:
            pass
        finally:
            c.close()
        with Client(sim_a.port) as c:
            if k <= commit:
                assert titles(c) == old, k  # the old set, whole
            else:  # committed; only the LIST after it was cut
                assert titles(c) == ["Tiny %d" % i for i in range(10, 40)]
        k += 1
    assert n_req == commit + 2  # LIST, BEGIN, >= 2 PUTs, COMMIT were each cut once
    with Client(sim_a.port) as c:
        assert titles(c) == ["Tiny %d" % i for i in range(10, 40)]


def test_cable_pulled_at_each_stage_of_a_pull(sim_a, tmp_path):
    with Client(sim_a.port) as c:
        seq = record_session(sim_a, c)
        acked = c.info()["acked"]
    assert acked < seq
    db_path = str(tmp_path / "cut.sqlite")
    k = 0
    while True:
        c = cut_client(sim_a.port, k)
        try:
            with LogDB(db_path) as db:
                sync.pull(c, db)
            break
        except Disconnected:
            pass
        finally:
            c.close()
        with Client(sim_a.port) as c:
            assert c.info()["acked"] == acked, k  # nothing acknowledged
        k += 1
    assert k >= 4  # INFO, SET_TIME, GET_LOGS, ACK
    with Client(sim_a.port) as c:
        assert c.info()["acked"] == seq
    with LogDB(db_path) as db:
        assert seq in [r["seq"] for r in db.sessions()]


def test_screenshot_is_the_panel(sim_a, tmp_path):
    sim_a.wait_for(lambda: sim_a.frame()[1] is not None, 30, "a frame")
    with Client(sim_a.port) as c:
        # the panel follows the frame buffer at the next show(): wait until both agree
        sim_a.wait_for(lambda: c.screen() == sim_a.frame()[1], 30, "the panel and the shot")
    out = tmp_path / "s.png"
    assert beeper("screenshot", "-o", str(out), "--port", sim_a.port) == 0
    assert out.read_bytes() == png.panel_png(sim_a.frame()[1], 4)


def test_time_sets_the_clock(sim_b, tmp_path):
    assert beeper("time", "--port", sim_b.port, "--db", str(tmp_path / "t.sqlite")) == 0
    with Client(sim_b.port) as c:
        info = c.info()
    assert info["rtc_set"] and info["time_s"] > 1700000000


def test_two_devices_into_one_database(sim_a, sim_b, tmp_path):
    db_path = str(tmp_path / "both.sqlite")
    with Client(sim_b.port) as c:
        sync.push(c, sync.compile_plans([str(write_plans(tmp_path / "b", 1))]))
        record_session(sim_b, c)
    with Client(sim_a.port) as c:
        record_session(sim_a, c)  # its earlier sessions were acked by other tests' pulls
    for sim in (sim_a, sim_b):
        with Client(sim.port) as c, LogDB(db_path) as db:
            sync.pull(c, db)
    with LogDB(db_path) as db:
        devices = {r["device_id"] for r in db.sessions()}
        assert len(devices) == 2
        for d in devices:
            assert db.sessions(device=d)


def test_mpremote_gets_in_and_plain_repl_is_named(sim_b):
    mpremote = [sys.executable, "-m", "mpremote", "connect", sim_b.port, "resume"]
    out = subprocess.run(mpremote + ["exec", "print(6 * 7)"], capture_output=True, text=True,
                         timeout=60)
    assert "42" in out.stdout, out.stdout + out.stderr
    with pytest.raises(NotFirmware):  # the app stopped: a plain REPL now answers
        with Client(sim_b.port, timeout=1.5) as c:
            c.info()

