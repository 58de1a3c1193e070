"""Sync operations shared by the CLI, the demo and the bench: push a plan set, pull logs."""

import os

from host_tools import fw
from host_tools.plans import lang

plan = fw.load("plan")


class PlanFilesError(Exception):
    """Plans that do not check or compile; .lines holds every message."""

    def __init__(self, lines):
        super().__init__("\n".join(lines))
        self.lines = lines


def plan_files(paths):
    """The .plan files named (directories: their *.plan, sorted)."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            out.extend(os.path.join(p, n) for n in sorted(os.listdir(p)) if n.endswith(".plan"))
        else:
            out.append(p)
    return out


def compile_plans(paths):
    """[(path, title, table bytes)] of every plan; PlanFilesError listing every problem."""
    errors = []
    out = []
    for path in plan_files(paths):
        try:
            with open(path, "rb") as f:
                data = f.read()
            if path.endswith(".bin"):
                tab = bytes(data)
                plan.Table(tab)
            else:
                tab = plan.encode(lang.parse(data, path))
            out.append((path, plan.Table(tab).title(), tab))
        except lang.PlanSyntaxError as e:
            errors.extend(str(d) for d in e.diagnostics)
        except OSError as e:
            errors.append("%s: cannot read: %s" % (path, e.strerror or e))
        except ValueError as e:  # plan.PlanError
            errors.append("%s: %s" % (path, e))
    if not out and not errors:
        errors.append("no plan files in %s" % " ".join(paths))
    if errors:
        raise PlanFilesError(errors)
    return out


def push(client, tables, progress=None):
    """Swap the device's plan set for tables; (added, removed, unchanged) titles."""
    before = client.list()
    client.push([t for _p, _t, t in tables], progress)
    after = client.list()
    old = {p["hash"]: p["title"] for p in before}
    new = {p["hash"]: p["title"] for p in after}
    added = [new[h] for h in new if h not in old]
    removed = [old[h] for h in old if h not in new]
    unchanged = [new[h] for h in new if h in old]
    return added, removed, unchanged


def pull(client, db, progress=None):
    """Set the clock, fetch unacked logs into db, commit, then ACK; returns (info, new, seen)."""
    info = client.info()
    dev = info["device_id"]
    sent, _t, boot, ticks = client.set_time()
    db.add_sync(dev, boot, ticks, sent)
    new = 0
    seen = 0
    last = 0
    for recs, dev_last in client.logs(info["acked"] + 1):
        new += db.add(dev, recs)  # committed before anything is acknowledged
        seen += len(recs)
        if recs:
            last = recs[-1]["seq"]
        if progress:
            progress(seen, max(seen, dev_last - info["acked"]))
    if last:
        client.ack(last)  # only after the database commit above
    return info, new, seen
