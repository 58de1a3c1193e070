"""Checkpoints at datasheet-maximum flash times never delay a cue (virtual time)."""

import app
import app_rig
import checkpoint
import storefs
from test_dead_battery import PLAN, _boot, _store


def test_checkpoints_never_delay_a_cue_at_worst_case_flash_times():
    """Every flash erase 400 ms and page 3 ms (datasheet maximums), stalls with IRQs off:
    checkpoints still happen, each fits its guard, and no cue onset moves."""
    r = app_rig.Rig(tables=[app_rig.table(PLAN, "Worst")], with_store=False)
    root, dev, st, lb = _store(clock=r.clock, worst=True)
    try:
        r.clock.jitter(7)
        stalls = []

        class Timed(checkpoint.Checkpoints):
            def save(self, *a, **k):
                t = r.clock.now_us
                ok = checkpoint.Checkpoints.save(self, *a, **k)
                stalls.append(r.clock.now_us - t)
                return ok

        a = _boot(r, st, lb)
        a.ckpt = Timed(lb)
        r.tap(r.hw.btn_a)
        r.until(lambda: a.mode == app.M_RPE, 120000)
        r.tap(r.hw.btn_a)
        r.until(lambda: a.mode == app.M_SUMMARY, 3000)
        n = a.sess.n_steps
        assert a.checkpoints >= n - 2, (a.checkpoints, n)
        if dev is not None:
            assert max(stalls) > 100000, stalls  # the costs were really charged
            assert max(stalls) < app.App.CHECKPOINT_GUARD_MS * 1000, stalls
        errs = [act - pl for pl, act in r.onsets]
        assert len(errs) > 20 and max(abs(e) for e in errs) < 200, errs
        print("@@REPORT dead battery: %d checkpoints in a %d-step session, worst checkpoint "
              "stall %d ms at datasheet-max flash times (guard %d ms), worst cue onset error "
              "%d us" % (a.checkpoints, n, max(stalls) // 1000, app.App.CHECKPOINT_GUARD_MS,
                         max(abs(e) for e in errs)))
    finally:
        storefs.release(root, dev)
