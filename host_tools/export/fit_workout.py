"""Plans as FIT workout files and back.

Steps map to workout steps with an intensity (warm-up, active, rest, recovery, cool-down);
timed steps have a time duration, `lap` steps are open (they end on the lap button), and a
repeat becomes a `repeat_until_steps_cmplt` step pointing back at its first step. FIT cannot
leave a step out of a repeat's last round, so a repeat with `@between` steps is written as its
first N-1 rounds plus one round without them (a `1x` repeat as that one round); the
`@between` steps carry that word in their notes so `fit_to_plan` folds the unrolled round
back. The device's own step options
(`@halfway`, `@noticks`) ride in the notes too, and `halfway: yes` in the workout description.
"""

import datetime

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    FileType,
    Intensity,
    Manufacturer,
    Sport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)

from host_tools import fw
from host_tools.export import ExportError
from host_tools.plans import lang

table = fw.load("plan")

INTENSITY = {"warmup": Intensity.WARMUP, "work": Intensity.ACTIVE, "rest": Intensity.REST,
             "recover": Intensity.RECOVERY, "cooldown": Intensity.COOLDOWN}
KIND_OF = {"warmup": "warmup", "active": "work", "interval": "work", "rest": "rest",
           "recovery": "recover", "cooldown": "cooldown", "other": "work"}
HALFWAY_DESCRIPTION = "halfway: yes"
PRODUCT = 1  # our product number under Manufacturer.DEVELOPMENT


def _between(st):
    return st[0] != "repeat" and st[3] & table.OPT_BETWEEN


def _flat(steps, out):
    """Append (kind, dur_s, label, opts) and ('repeat', from_index, count) specs to out."""
    for st in steps:
        if st[0] != "repeat":
            out.append(tuple(st))
            continue
        n, body = st[1], st[2]
        last = [c for c in body if not _between(c)]
        first = len(out)
        if len(last) == len(body):
            _flat(body, out)
            out.append(("repeat", first, n))
        elif n == 1:  # its only round is the last: the @between steps never play
            _flat(last, out)
            out.append(("repeat", first, 1))
        else:
            _flat(body, out)
            out.append(("repeat", first, n - 1))
            _flat(last, out)  # the last round, without the @between steps


def _notes(opts):
    return " ".join(name for name, bit in sorted(lang.OPTION_NAMES.items()) if opts & bit)


def plan_to_fit(plan, created=None):
    """A plan dict -> FIT workout file bytes."""
    specs = []
    _flat(plan["steps"], specs)
    b = FitFileBuilder(auto_define=True, min_string_size=16)
    m = FileIdMessage()
    m.type = FileType.WORKOUT
    m.manufacturer = Manufacturer.DEVELOPMENT.value
    m.product = PRODUCT
    m.serial_number = 1
    created = created or datetime.datetime.now(datetime.timezone.utc)
    m.time_created = int(created.timestamp() * 1000)
    b.add(m)
    w = WorkoutMessage()
    w.workout_name = plan["title"]
    w.sport = Sport.TRAINING
    w.num_valid_steps = len(specs)
    if plan.get("flags", 0) & table.FLAG_HALFWAY:
        w.workout_description = HALFWAY_DESCRIPTION
    b.add(w)
    for i, sp in enumerate(specs):
        s = WorkoutStepMessage()
        s.message_index = i
        if sp[0] == "repeat":
            s.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
            s.duration_step = sp[1]
            s.target_repeat_steps = sp[2]
        else:
            kind, dur, label, opts = sp
            if label:
                s.workout_step_name = label
            s.intensity = INTENSITY[kind]
            if dur:
                s.duration_type = WorkoutStepDuration.TIME
                s.duration_time = float(dur)
            else:  # a `lap` step: ends when the lap button is pressed
                s.duration_type = WorkoutStepDuration.OPEN
                s.duration_value = 0
            s.target_type = WorkoutStepTarget.OPEN
            s.target_value = 0
            if opts:
                s.notes = _notes(opts)
        b.add(s)
    return b.build().to_bytes()


def read_fit(path):
    """Decode a FIT file with the official SDK; ExportError when it has errors."""
    from garmin_fit_sdk import Decoder, Stream

    try:
        stream = Stream.from_file(path)
    except OSError as e:
        raise ExportError("%s: cannot read: %s" % (path, e.strerror or e)) from None
    dec = Decoder(stream)
    if not dec.is_fit():
        raise ExportError("%s: not a FIT file" % path)
    messages, errors = dec.read()
    if errors:
        raise ExportError("%s: damaged FIT file: %s" % (path, errors[0]))
    return messages


def _opts(notes):
    opts = 0
    for word in (notes or "").split():
        opts |= lang.OPTION_NAMES.get(word.lower(), 0)
    return opts


def _label(name, note):
    """A step name cut to what the device holds (whole UTF-8 characters)."""
    raw = (name or "").strip().encode("utf-8")
    if len(raw) > table.MAX_TEXT:
        note("label %r cut to %d bytes" % (name, table.MAX_TEXT))
        raw = raw[: table.MAX_TEXT]
    return raw.decode("utf-8", "ignore")


def _step(i, m, note):
    """One FIT workout step (not a repeat) -> plan step tuple."""
    kind = KIND_OF.get(str(m.get("intensity") or "active"), "work")
    dtype = m.get("duration_type")
    label = _label(m.get("wkt_step_name"), note)
    if dtype == "time" and m.get("duration_time") is not None:
        dur = int(round(float(m["duration_time"])))
        if not 1 <= dur <= table.MAX_STEP_S:
            raise ExportError("step %d: %g s is outside 1 s-%d h" % (
                i, m["duration_time"], table.MAX_STEP_S // 3600))
    else:
        dur = 0
        if dtype not in ("open", "distance"):
            note("step %d: %s duration imported as an open lap step" % (i, dtype))
    return (kind, dur, label, _opts(m.get("notes")))


def _fold(nodes):
    """Undo _flat's unrolling: a repeat of rounds with @between steps followed by one round
    without them becomes one repeat; an unmatched @between mark is dropped. Right to left, so
    a repeat inside that last round is already folded when its outer repeat is compared."""
    out = list(nodes)
    for i in range(len(out) - 1, -1, -1):
        node = out[i]
        if node[0] != "repeat" or not any(_between(c) for c in node[2]):
            continue
        last = [c for c in node[2] if not _between(c)]
        if out[i + 1: i + 1 + len(last)] == last:
            out[i: i + 1 + len(last)] = [("repeat", node[1] + 1, node[2])]
        else:
            out[i] = ("repeat", node[1], [c[:3] + (c[3] & ~table.OPT_BETWEEN,)
                                          if _between(c) else c for c in node[2]])
    return out


def fit_to_plan(path, note=lambda msg: None):
    """A FIT workout file -> plan dict; ExportError for what the plan language cannot say.

    `note(message)` hears about approximations (cut labels, non-time durations).
    """
    messages = read_fit(path)
    kinds = [m.get("type") for m in messages.get("file_id_mesgs", [])]
    if "workout" not in kinds:
        raise ExportError("%s: a FIT %s file, not a workout" % (
            path, kinds[0] if kinds else "(untyped)"))
    steps = sorted(messages.get("workout_step_mesgs", []),
                   key=lambda m: m.get("message_index", 0))
    if not steps:
        raise ExportError("%s: the workout has no steps" % path)
    wkt = (messages.get("workout_mesgs") or [{}])[0]
    # Top-level nodes with the index of their first FIT step; a repeat step takes in every
    # node from its duration_step on.
    top = []
    for i, m in enumerate(steps):
        if str(m.get("duration_type", "")).startswith("repeat_until_"):
            if m["duration_type"] != "repeat_until_steps_cmplt":
                raise ExportError("step %d: %s repeats are not supported (only a repeat "
                                  "count)" % (i, m["duration_type"]))
            first = m.get("duration_step")
            count = m.get("repeat_steps", m.get("target_repeat_steps"))
            if first is None or not 0 <= first < i or not count:
                raise ExportError("step %d: a repeat of steps %s..%d, %s times, is not valid"
                                  % (i, first, i - 1, count))
            k = len(top)
            while k and top[k - 1][0] >= first:
                k -= 1
            if k < len(top) and top[k][0] != first:
                raise ExportError("step %d: repeats from the middle of another repeat" % i)
            body = _fold([n for _, n in top[k:]])
            top[k:] = [(first, ("repeat", int(count), body))]
        else:
            top.append((i, _step(i, m, note)))
    plan = {"title": _label(wkt.get("wkt_name"), note) or "Imported workout",
            "flags": table.FLAG_HALFWAY if (wkt.get("wkt_description") or "").strip()
            == HALFWAY_DESCRIPTION else 0,
            "steps": _fold([n for _, n in top])}
    try:
        lang.parse(lang.to_text(plan), path)
    except lang.PlanSyntaxError as e:
        raise ExportError("%s: the workout does not fit the device: %s" % (
            path, "; ".join(d.message for d in e.diagnostics))) from None
    return plan
