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
K = 40  # the session's test data (storefs.LoggedSession); records before it use k < 10
RPE = 7


def _ck(lb, n):
    """The running session's checkpoints after n of them were written this boot."""
    import checkpoint

    ck = checkpoint.Checkpoints(lb)
    ck.n = n
    return ck


def _power_loss(lb, n):
    """The record a checkpoint of n intervals becomes at the boot after a dead battery."""
    import logbook

    return bytes(lb.build(storefs.LoggedSession(n, K), S_HASH, S_START, 0,
                          end_reason=logbook.END_POWER_LOSS))


def _finished(lb, n):
    """The session's own final record (n intervals)."""
    return bytes(lb.build(storefs.LoggedSession(n, K), S_HASH, S_START, RPE))


def _recover(st, lb):
    """The boot's recovery step, as app._recover runs it after a dead battery."""
    import logbook

    _ck(lb, 0).recover(logbook.END_POWER_LOSS)


def _session_walk(name, done, steps, recovery=False, logs=4, blocks=32, block_size=512):
    """Walk a session: `done` checkpoints (intervals each) are written before, then act runs
    `steps`, each ("ck", n): a checkpoint of n intervals, or ("end", n): the finished
    session's record of n intervals and the slot cleanup (app._save); or (recovery) act is
    the boot's recovery itself. After every cut the session must be logged once: as the last
    complete checkpoint (power loss) or as what the interrupted step wrote, never lost once a
    checkpoint is complete."""
    exp = cutwalk.Expect()

    def expect(lb, last, step):
        """Before a step: the last complete checkpoint (n intervals, 0 = none), or the step's
        record, may be what the reboot finds."""
        exp.want = [_power_loss(lb, last)] if last else []
        exp.must = bool(last)
        if step is not None:
            exp.want.append(_power_loss(lb, step[1]) if step[0] == "ck"
                            else _finished(lb, step[1]))

    def prep(st, lb):
        st.save_plans(list(SET_A))
        for k in range(logs):
            add(lb, 12, k)
        ck = _ck(lb, 0)
        for n in done:
            assert ck.save(storefs.LoggedSession(n, K), S_HASH, S_START)
        expect(lb, done[-1] if done else 0, None if recovery else steps[0])

    def act(st, lb):
        if recovery:
            cutwalk.boot(st, _recover)  # st is the raw image's root here
            return
        ck = _ck(lb, len(done))
        last = done[-1] if done else 0
        for step in steps:
            expect(lb, last, step)
            if step[0] == "ck":
                assert ck.save(storefs.LoggedSession(step[1], K), S_HASH, S_START)
                last = step[1]
            else:  # what app._save does
                lb.append(storefs.LoggedSession(step[1], K), S_HASH, S_START, RPE)
                ck.clear()

    def landed(st, lb, before):
        for _, rec in lb.raw_records(cutwalk._seq(exp.want[0])):
            return bytes(rec) == exp.want[-1]
        return False

    r = cutwalk.walk(name, prep, act, blocks=blocks, block_size=block_size, rec=_recover,
                     landed=landed, pre_boot=not recovery, check=cutwalk.session_check(exp))
    _ok(r)
    assert r.twice == 0 and r.slots == 0 and r.sessions == r.runs, r.line()
    assert r.new_seen > 0, r.line()  # cuts after the last step's commit were walked too
    return r


def test_cut_while_writing_the_first_checkpoint():
    storefs.need_lfs()
    _session_walk("checkpoint-first", (), [("ck", 3)])


def test_cut_while_writing_the_second_checkpoint():
    storefs.need_lfs()
    _session_walk("checkpoint-second", (3,), [("ck", 4)])


def test_cut_while_a_checkpoint_overwrites_an_older_one():
    storefs.need_lfs()
    _session_walk("checkpoint-overwrite", (3, 4), [("ck", 5)])


def test_cut_while_finishing_a_checkpointed_session():
    storefs.need_lfs()
    _session_walk("finish-after-checkpoint", (3, 4), [("end", 6)])


def test_cut_while_boot_recovers_a_checkpoint():
    storefs.need_lfs()
    _session_walk("checkpoint-recovery", (3, 4), (), recovery=True)


def test_cut_anywhere_in_a_checkpointed_session():
    """A whole session: 16 checkpoints taking turns in the two slots, then the final save."""
    storefs.need_lfs()
    steps = [("ck", n) for n in range(1, 17)] + [("end", 17)]
    r = _session_walk("checkpointed-session", (), steps)
    assert r.erases >= 16, r.erases  # about one block erase a checkpoint: torn erases walked


def test_cut_while_checkpointing_on_pico_blocks():
    """4 KB blocks and a long session: the checkpoint is no inline file but a data block."""
    storefs.need_lfs()
    _session_walk("checkpoint-4k", (20, 25), [("ck", 30), ("end", 31)], logs=5, blocks=16,
                  block_size=4096)
