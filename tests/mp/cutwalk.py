"""Power-cut walker: replay a flash operation with the power cut at each of its flash ops.

Real LittleFS (MicroPython vfs.VfsLfs2) on the fake NOR flash. For one scenario: build a
starting image, run the operation once to count its programs/erases, then for every cut point
N (all, or a sample) and every tear size, restore the image, cut the power after N ops with
the (N+1)th torn, reboot (mount, Store + Logbook as the firmware opens them) and check:
- boot works and no temp file is left;
- every log record committed before the cut is there bit for bit (an acked one may be gone:
  the host has it and compaction may drop it);
- the plan set is the old one or the new one, never a mix or a damaged file;
- the store still works after (an append and an ack land, a sync reads them back).
Session scenarios (checkpoints, finishing a session) also check, via session_check(), that
the interrupted session is logged exactly once, as one of the records it may end up as.
One report line per scenario (conftest prints them at the end of the run).
"""

import gc
import os

import logbook
import store
import storefs

SLOW = bool(os.getenv("BEEPER_SLOW"))
# Default suite: this many cut points per scenario, spread over the whole operation.
SAMPLE = 24


def raw(buf):
    """Table factory: the walker stores opaque tables."""
    return bytes(buf)


def boot(root, rec=None):
    """What main.py does to the flash at boot: open the store and the logbook (which cut torn
    tails and delete temp files); rec(st, lb) adds a recovery step (checkpoints)."""
    st = store.Store(root, table=raw)
    lb = logbook.Logbook(st)
    if rec is not None:
        rec(st, lb)
    return st, lb


def temp_files(root):
    """Names of temp files anywhere under root (none may survive a boot)."""
    out = []
    for top in (root, root + "/" + logbook.LOG_DIR):
        try:
            names = os.listdir(top)
        except OSError:
            continue
        for n in names:
            if n.endswith(".tmp"):
                out.append(top + "/" + n)
    return out


def committed(lb):
    """{seq: raw record bytes} of every good record."""
    out = {}
    for s, rec in lb.raw_records():
        out[s] = bytes(rec)
    return out


def plan_set(st):
    """The stored plan set as a tuple of bytes, or None if it does not load."""
    try:
        return tuple(bytes(t) for t in st.load_plan_bytes())
    except store.StoreError:
        return None


def cut_points(total):
    """Which N to cut after: all of 0..total-1 when slow or cheap, else an even sample."""
    if SLOW or total <= SAMPLE:
        return list(range(total))
    pts = [(k * (total - 1)) // (SAMPLE - 1) for k in range(SAMPLE)]
    out = []
    for p in pts:
        if p not in out:
            out.append(p)
    return out


def tears(k, cheap):
    """Bytes of the torn op that land: half always; also nothing, one byte and all of them
    in the slow profile, for short operations, and on every third cut point by default."""
    if SLOW:
        return (None, 0, 1, 7, 100, 300, 10000)  # and inside/after a 256-byte page
    if cheap or k % 3 == 0:
        return (None, 0, 1, 10000)  # 10000: clamped to the whole op (cut right after it)
    return (None,)


class Result:
    """Counts for the report line."""

    def __init__(self, name):
        self.name = name
        self.points = 0
        self.total = 0
        self.runs = 0
        self.checked = 0
        self.lost = 0
        self.mixed = 0
        self.temps = 0
        self.new_seen = 0  # runs where the operation's effect had landed
        self.erases = 0  # block erases of the uncut operation
        self.sessions = -1  # runs whose session was checked (session_check); -1 = none
        self.twice = 0  # runs that logged the session twice
        self.slots = 0  # runs that left a checkpoint slot after the boot's recovery

    def line(self):
        return ("power-cut %s: %d/%d cut points walked (%d runs with tears), records checked %d,"
                " records lost %d, plan sets mixed %d, temp files left %d, done-before-cut %d"
                % (self.name, self.points, self.total, self.runs, self.checked, self.lost,
                   self.mixed, self.temps, self.new_seen)
                + ("" if self.sessions < 0 else
                   ", sessions checked %d, logged twice %d, slots left %d"
                   % (self.sessions, self.twice, self.slots)))


def walk(name, prepare, act, blocks=32, block_size=512, new_plans=None, landed=None,
         rec=None, check=None, pre_boot=True):
    """Walk every cut point of act(st, lb) on the image prepare(st, lb) leaves.

    new_plans: the set act() commits (None: act leaves the plan set alone).
    landed(st, lb, before) -> True when act's effect is visible after the reboot (counted).
    rec: recovery step (see boot()) run only at the reboot after a cut: until then the device
    has not rebooted (a session that checkpoints is still running). check(st, lb, r): extra
    checks per run.
    pre_boot False: act(root) gets the raw image, un-booted (to walk the boot's own repair).
    Returns a Result; prints its report line.
    """
    root, dev = storefs.fresh(blocks, block_size)
    r = Result(name)
    try:
        st, lb = boot(root)
        prepare(st, lb)
        storefs.remount(root, dev)
        snap = dev.snapshot(sparse=True)
        st, lb = boot(root)
        old_plans = plan_set(st)
        before = committed(lb)
        acked = lb.acked
        storefs.restore(root, dev, snap)
        st, lb = (boot(root) if pre_boot else (root, None))
        o0 = dev.ops
        e0 = dev.erases
        act(st, lb)
        total = dev.ops - o0
        r.erases = dev.erases - e0
        assert total > 0, name + ": the operation wrote nothing"
        r.total = total
        pts = cut_points(total)
        for i in range(len(pts)):
            n = pts[i]
            r.points += 1
            for land in tears(i, total <= SAMPLE):
                r.runs += 1
                st = lb = None
                gc.collect()
                storefs.restore(root, dev, snap)
                st, lb = (boot(root) if pre_boot else (root, None))
                dev.cut_power_after(n, land)
                try:
                    act(st, lb)
                    cut = False
                except storefs.PowerCut:
                    cut = True
                assert cut or land == 10000, (name, n, land, "operation finished uncut")
                st = lb = None
                storefs.remount(root, dev)
                st, lb = boot(root, rec)  # must not raise: the device boots
                _check_run(r, root, st, lb, before, acked, old_plans, new_plans)
                if landed is not None and landed(st, lb, before):
                    r.new_seen += 1
                if check is not None:
                    check(st, lb, r)
                _next_sync_works(lb)
        assert dev.violations == 0, "LittleFS programmed a bit back to 1"
    finally:
        storefs.release(root, dev)
    print("@@REPORT " + r.line())
    return r


def _check_run(r, root, st, lb, before, acked, old_plans, new_plans):
    left = temp_files(root)
    r.temps += len(left)
    unacked = 0
    for s in before:
        if s > acked:
            unacked += 1
    for s, rec in lb.raw_records():  # compared one at a time: no second copy of the log
        old = before.get(s)
        if old is not None:
            r.checked += 1
            if rec != old:
                r.lost += 1  # changed bytes: as bad as gone
            elif s > acked:
                unacked -= 1
    r.lost += unacked  # unacked records that vanished (acked ones may be pruned)
    got = plan_set(st)
    if got != old_plans and (new_plans is None or got != new_plans):
        r.mixed += 1


def _next_sync_works(lb):
    """After the reboot the log takes a record and an ack, and a sync reads them back."""
    seq = lb.append(storefs.LoggedSession(2, 99), 0xC0FFEE, 1700000000, 5)
    assert seq > 0
    got = [d["seq"] for d in lb.unsynced()]
    assert got and got[-1] == seq, (got, seq)
    assert lb.ack(seq) == seq


def add(lb, n, k):
    """Append the k-th test record of n intervals; returns its seq."""
    return lb.append(storefs.LoggedSession(n, k), 0xDEAD0000 + k, 1700000000 + k, k % 11)


class Expect:
    """What a session scenario may find after the reboot: `want`, the raw records the session
    may be logged as (each holds every interval of the last complete checkpoint), and `must`,
    True once a checkpoint is complete (the session may no longer be lost). prepare() and
    act() update it as they go: a cut leaves it as it was before the step it interrupts."""

    def __init__(self):
        self.want = []
        self.must = False


def session_check(exp):
    """check() for session scenarios (exp: an Expect): the session is logged at most once, as
    one of exp.want, never lost once exp.must; no checkpoint slot outlives the recovery."""
    import checkpoint

    def check(st, lb, r):
        if r.sessions < 0:
            r.sessions = 0
        r.sessions += 1
        got = [bytes(rec) for s, rec in lb.raw_records(_seq(exp.want[0]))]
        if len(got) > 1:
            r.twice += 1
        elif not got:
            if exp.must:
                r.lost += 1  # the session is gone
        elif got[0] not in exp.want:
            r.lost += 1  # logged, but lacking intervals the last complete checkpoint had
        if checkpoint.Checkpoints(lb)._newest()[0] is not None:
            r.slots += 1

    return check


def _seq(rec):
    return logbook._rec_seq(rec)
