"""A session survives a dead battery or a watchdog reset: checkpoints, and recovery at boot."""

import app
import app_rig
import checkpoint
import logbook
import machine
import store
import storefs
import vclock

PLAN = [("warmup", 10, "Easy", 0), ("repeat", 4, [("work", 8, "Go", 0), ("rest", 6, "", 0)]),
        ("cooldown", 5, "", 0)]


def _store(blocks=24, clock=None, worst=False):
    """(root, dev, store, logbook) on real LittleFS; flash stalls charged to `clock`."""
    root, dev = storefs.fresh(blocks, 512)
    if dev is not None and clock is not None:
        dev.clock = clock
        if worst:
            dev.worst_case()
            dev.ERASE_US = dev.ERASE_MAX_US * 4096 // 512  # a 512-byte test block erase costs
            # what a Pico's 4 KB sector does at the datasheet maximum: 400 ms
    st = store.Store(root)
    return root, dev, st, logbook.Logbook(st)


def _reboot(root, dev):
    """Power back on: mount again and open the store and the logbook as the app does."""
    storefs.remount(root, dev)
    st = store.Store(root)
    return st, logbook.Logbook(st)


def _ck(lb):
    return checkpoint.Checkpoints(lb)


def test_checkpoint_then_recover_is_idempotent():
    root, dev, st, lb = _store()
    try:
        lb.append(storefs.LoggedSession(3, 1), 7, 1700000000, 5)
        ck = _ck(lb)
        for n in (1, 2, 3):  # three checkpoints: the slots take turns
            assert ck.save(storefs.LoggedSession(n, 2), 9, 1700000100, boot_count=4)
        st, lb = _reboot(root, dev)
        assert [r["seq"] for r in lb.records()] == [1]  # the open session is not a record yet
        assert _ck(lb).recover(logbook.END_POWER_LOSS) == 2
        recs = list(lb.records())
        assert [r["seq"] for r in recs] == [1, 2]
        r = recs[1]
        assert logbook.END_REASONS[r["end_reason"]] == "power loss"
        assert r["plan_hash"] == 9 and r["boot_count"] == 4 and r["rpe"] == 0
        want = storefs.LoggedSession(3, 2)
        assert [iv[:4] for iv in r["intervals"]] == [
            (want.planned_ms[i], want.actual_ms[i], want.flags[i], want.laps[i])
            for i in range(3)]
        assert [d["seq"] for d in lb.unsynced()] == [1, 2]  # and it syncs
        st, lb = _reboot(root, dev)
        assert _ck(lb).recover() == 0 and lb.last_seq == 2  # nothing left to recover
        # A finished session: its final record lands, the checkpoint is dropped.
        ck = _ck(lb)
        assert ck.save(storefs.LoggedSession(1, 3), 9, 1)
        assert lb.append(storefs.LoggedSession(2, 3), 9, 1, 6) == 3
        ck.clear()
        st, lb = _reboot(root, dev)
        assert _ck(lb).recover() == 0 and lb.last_seq == 3
    finally:
        storefs.release(root, dev)


def test_final_record_landed_but_slots_not_cleared():
    """A cut between the final append and clearing the slots: nothing is logged twice."""
    root, dev, st, lb = _store()
    try:
        assert _ck(lb).save(storefs.LoggedSession(2, 0), 1, 1)
        assert lb.append(storefs.LoggedSession(4, 0), 1, 1, 7) == 1  # cut before clear()
        st, lb = _reboot(root, dev)
        assert _ck(lb).recover() == 0
        assert [(r["seq"], r["end_reason"]) for r in lb.records()] == [(1, 0)]
    finally:
        storefs.release(root, dev)


def test_leftover_of_an_earlier_session_is_logged_not_overwritten():
    root, dev, st, lb = _store()
    try:
        ck = _ck(lb)
        # session A: its final save never happened
        assert ck.save(storefs.LoggedSession(2, 0), 1, 1)
        ck.new_session()  # session B (same boot)
        assert not ck.save(storefs.LoggedSession(1, 5), 2, 2)  # logs A first instead
        recs = list(lb.records())
        assert [(r["seq"], r["end_reason"], len(r["intervals"])) for r in recs] == [
            (1, logbook.END_ABANDONED, 2)]
        assert ck.save(storefs.LoggedSession(1, 5), 2, 2)  # then B's checkpoints go ahead
        st, lb = _reboot(root, dev)
        assert _ck(lb).recover() == 2
    finally:
        storefs.release(root, dev)


def _rig():
    """Rig first, then the flash: (rig, root, dev, store, logbook)."""
    r = app_rig.Rig(tables=[app_rig.table(PLAN, "Battery")], with_store=False)
    root, dev, st, lb = _store(clock=r.clock)
    return r, root, dev, st, lb


def _boot(r, st, lb):
    a = app.App(r.hw, store=st, logbook=lb, fb=r.fb, tables=[app_rig.table(PLAN, "Battery")])
    r.app = a
    r._seen = a.edge.n_onsets
    return a


def test_battery_dies_mid_session_and_the_log_survives():
    r, root, dev, st, lb = _rig()
    try:
        a = _boot(r, st, lb)
        assert a.recovered == 0
        r.tap(r.hw.btn_a)
        r.until(lambda: a.sess is not None and a.sess.n_done >= 5, 60000)
        r.run(1500)  # the checkpoint after interval 5 waits for a quiet moment
        done = a.sess.n_done
        assert a.checkpoints >= 4, a.checkpoints
        kept = a._ckpt_done
        assert kept >= 5
        # the battery dies: no save, nothing closed; then power comes back
        r.app = a = None
        st, lb = _reboot(root, dev)
        a = _boot(r, st, lb)
        assert a.recovered == 1
        recs = list(lb.unsynced())
        assert len(recs) == 1
        rec = recs[0]
        assert logbook.END_REASONS[rec["end_reason"]] == "power loss"
        assert rec["title"] == "Battery" and len(rec["intervals"]) == kept <= done
        assert [iv[4] for iv in rec["intervals"][:3]] == [0, 1, 2]  # warmup, work, rest
        assert all(iv[1] > 0 for iv in rec["intervals"])
        assert lb.ack(1) == 1  # it syncs like any other record
        # the next session logs normally after it
        assert lb.append(storefs.LoggedSession(2, 1), 1, 1, 5) == 2
        st, lb = _reboot(root, dev)
        assert _ck(lb).recover() == 0
        assert [d["end_reason"] for d in lb.records()] == [3, 0]
    finally:
        storefs.release(root, dev)


def test_watchdog_reset_is_logged_as_watchdog():
    r, root, dev, st, lb = _rig()
    try:
        a = _boot(r, st, lb)
        r.tap(r.hw.btn_a)
        r.until(lambda: a.sess is not None and a._ckpt_done >= 3, 60000)
        kept = a._ckpt_done
        try:
            r.clock.advance_ms(6000)  # the app hangs: nobody feeds the 5 s watchdog
            raise AssertionError("the watchdog did not fire")
        except vclock.WatchdogReset:
            pass
        assert machine.reset_cause() == machine.WDT_RESET
        st, lb = _reboot(root, dev)
        a = _boot(r, st, lb)
        assert a.recovered == 1
        rec = list(lb.records())[0]
        assert logbook.END_REASONS[rec["end_reason"]] == "watchdog"
        assert len(rec["intervals"]) >= kept
    finally:
        storefs.release(root, dev)
