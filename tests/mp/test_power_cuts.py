"""Power cut at every flash op of each store operation, on real LittleFS (see cutwalk.py)."""

import cutwalk
import storefs
from cutwalk import add

SET_A = (b"alpha", b"\x01\x02\x03" * 50)
SET_B = (b"bravo-table", b"x", b"y" * 700)


def _ok(r):
    assert r.lost == 0 and r.mixed == 0 and r.temps == 0, r.line()
    assert r.points > 0 and r.checked > 0, r.line()


def test_cut_while_committing_a_plan_set():
    storefs.need_lfs()

    def prep(st, lb):
        st.save_plans(list(SET_A))
        for k in range(4):
            add(lb, 12, k)

    def landed(st, lb, before):
        return cutwalk.plan_set(st) == SET_B

    r = cutwalk.walk("save_plans", prep, lambda st, lb: st.save_plans(list(SET_B)),
                     new_plans=SET_B, landed=landed)
    _ok(r)
    assert r.new_seen > 0  # some cuts come after the rename: both outcomes walked


def _appended(st, lb, before):
    n = 0
    for _ in lb.raw_records():
        n += 1
    return n > len(before)


def test_cut_while_finishing_a_session_log():
    storefs.need_lfs()

    def prep(st, lb):
        st.save_plans(list(SET_A))
        for k in range(3):
            add(lb, 12, k)

    _ok(cutwalk.walk("append", prep, lambda st, lb: add(lb, 12, 3), landed=_appended))


def test_cut_while_a_log_starts_a_new_segment():
    storefs.need_lfs()

    def prep(st, lb):
        for k in range(25):  # 159 bytes each: the 26th opens segment 2
            add(lb, 12, k)

    _ok(cutwalk.walk("append-new-segment", prep, lambda st, lb: add(lb, 12, 25),
                     blocks=40, landed=_appended))


def test_cut_while_appending_on_pico_blocks():
    storefs.need_lfs()

    def prep(st, lb):
        st.save_plans(list(SET_A))
        for k in range(5):
            add(lb, 30, k)

    _ok(cutwalk.walk("append-4k", prep, lambda st, lb: add(lb, 30, 5), blocks=12,
                     block_size=4096, landed=_appended))


def test_cut_while_acking():
    storefs.need_lfs()

    def prep(st, lb):
        for k in range(6):
            add(lb, 12, k)
        lb.ack(2)

    def landed(st, lb, before):
        return lb.acked == 6

    def check(st, lb, r):
        assert lb.acked in (2, 6), lb.acked  # old cursor or new, never a damaged one

    r = cutwalk.walk("ack", prep, lambda st, lb: lb.ack(6), landed=landed, check=check)
    _ok(r)
    assert r.new_seen > 0


def test_cut_while_pruning_synced_logs():
    storefs.need_lfs()

    def prep(st, lb):
        st.save_plans(list(SET_A))
        for k in range(60):  # three segments
            add(lb, 12, k)
        lb.ack(55)

    def landed(st, lb, before):
        for s, _ in lb.raw_records():
            return s != 1  # the oldest segment is gone
        return True

    r = cutwalk.walk("compact", prep, lambda st, lb: lb.compact(), blocks=64, landed=landed)
    _ok(r)
    assert r.new_seen > 0


def test_cut_while_boot_cuts_a_torn_tail():
    storefs.need_lfs()

    def prep(st, lb):
        for k in range(8):
            add(lb, 12, k)
        path = lb._seg_path(lb._segs[-1])
        data = storefs.read_bytes(path)
        storefs.write_bytes(path, data[:-40])  # the last record is torn

    def landed(st, lb, before):
        return lb.repaired == 0  # the boot before the cut had finished the repair

    # The repair at boot is the operation: act() gets the raw, torn image.
    r = cutwalk.walk("boot-repair", prep, lambda root, _: cutwalk.boot(root), pre_boot=False,
                     landed=landed)
    _ok(r)
    assert r.new_seen > 0


# A running session: its checkpoints (firmware/checkpoint.py) and its final save.
S_HASH = 0xBEE5
S_START = 1700009999
K = 40  # the session's test data (cutwalk.Sess); records before it use k < 10


def _ck(lb, n):
    """The running session's checkpoints after n of them were written this boot."""
    import checkpoint

    ck = checkpoint.Checkpoints(lb)
    ck.n = n
    return ck


def _session_walk(name, done, act_n, final=False, recovery=False):
    """Walk one session step: `done` checkpoints (intervals each) are written, then act:
    checkpoint act_n intervals, or (final) append the finished session of act_n intervals
    and clear the slots, or (recovery) the boot's recovery itself. The session must end
    up logged once: as the last complete checkpoint (power loss) or as what act wrote."""
    import logbook

    want = []
    seq = [0]

    def prep(st, lb):
        st.save_plans(list(SET_A))
        for k in range(4):
            add(lb, 12, k)
        seq[0] = lb.last_seq + 1
        ck = _ck(lb, 0)
        for n in done:
            assert ck.save(cutwalk.Sess(n, K), S_HASH, S_START)
        if done:  # a cut recovers the last complete checkpoint
            want.append(bytes(lb.build(cutwalk.Sess(done[-1], K), S_HASH, S_START, 0,
                                       end_reason=logbook.END_POWER_LOSS)))
        if final:  # or the session is finished
            want.append(bytes(lb.build(cutwalk.Sess(act_n, K), S_HASH, S_START, 7)))
        elif not recovery:  # or the new checkpoint landed
            want.append(bytes(lb.build(cutwalk.Sess(act_n, K), S_HASH, S_START, 0,
                                       end_reason=logbook.END_POWER_LOSS)))

    def act(st, lb):
        if recovery:
            cutwalk.boot(st, _recover)  # st is the raw image's root here
            return
        ck = _ck(lb, len(done))
        if final:  # what app._save does
            assert lb.append(cutwalk.Sess(act_n, K), S_HASH, S_START, 7) == seq[0]
            ck.clear()
        else:
            assert ck.save(cutwalk.Sess(act_n, K), S_HASH, S_START)

    def landed(st, lb, before):
        for _, rec in lb.raw_records(seq[0]):
            return bytes(rec) == want[-1]
        return False

    r = cutwalk.walk(name, prep, act, rec=_recover, landed=landed, pre_boot=not recovery,
                     check=cutwalk.session_check(want, must=bool(done)))
    _ok(r)
    assert r.twice == 0 and r.slots == 0 and r.sessions == r.runs, r.line()
    assert r.new_seen > 0, r.line()  # cuts after the step's commit were walked too
    return r


def _recover(st, lb):
    """The boot's recovery step, as app._recover runs it after a dead battery."""
    import logbook

    _ck(lb, 0).recover(logbook.END_POWER_LOSS)


def test_cut_while_writing_the_first_checkpoint():
    storefs.need_lfs()
    _session_walk("checkpoint-first", (), 3)


def test_cut_while_writing_the_second_checkpoint():
    storefs.need_lfs()
    _session_walk("checkpoint-second", (3,), 4)


def test_cut_while_a_checkpoint_overwrites_an_older_one():
    storefs.need_lfs()
    _session_walk("checkpoint-overwrite", (3, 4), 5)


def test_cut_while_finishing_a_checkpointed_session():
    storefs.need_lfs()
    _session_walk("finish-after-checkpoint", (3, 4), 6, final=True)


def test_cut_while_boot_recovers_a_checkpoint():
    storefs.need_lfs()
    _session_walk("checkpoint-recovery", (3, 4), 4, recovery=True)
