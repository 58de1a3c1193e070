"""Session tables on both interpreters: decode, refusals, allocation-free cursor."""

import micropython
import plan

ADVANCED = {"title": "Advanced conditioning", "flags": 0, "steps": [
    ("warmup", 300, "Dynamic warm-up", 0),
    ("repeat", 10, [("work", 30, "Burpees", 0), ("rest", 30, "Rest", 0)]),
    ("cooldown", 180, "Static stretching", 0)]}


def reseal(buf):
    """Bytes with their CRC recomputed after an edit."""
    body = bytes(buf[:-4])
    c = plan.crc32(body)
    return body + bytes((c & 0xFF, c >> 8 & 0xFF, c >> 16 & 0xFF, c >> 24 & 0xFF))


def refused(buf, words):
    """Assert Table(buf) raises PlanError whose message has `words`."""
    try:
        plan.Table(buf)
    except plan.PlanError as e:
        assert words in str(e), str(e)
        return
    raise AssertionError("accepted: %r" % bytes(buf))


def steps_of(table):
    c = plan.Cursor(table)
    out = []
    while c.next():
        out.append((c.index, c.kind, c.dur_s, table.label(c.label), c.rep, c.reps, c.opts))
    return out


def test_advanced_decodes_in_place():
    t = plan.Table(plan.encode(ADVANCED))
    s = steps_of(t)
    assert len(s) == t.step_count() == 22
    assert t.total_s() == 1080 and t.title() == "Advanced conditioning"
    assert s[0] == (0, plan.K_WARMUP, 300, "Dynamic warm-up", 0, 0, 0)
    assert s[1] == (1, plan.K_WORK, 30, "Burpees", 1, 10, 0)
    assert s[20] == (20, plan.K_REST, 30, "Rest", 10, 10, 0)
    assert s[21] == (21, plan.K_COOLDOWN, 180, "Static stretching", 0, 0, 0)


def test_host_round_trip():
    data = plan.encode(ADVANCED)
    assert plan.decode(data) == ADVANCED
    assert plan.encode(plan.decode(data)) == data


def test_advanced_fits_24_bytes_beyond_its_text():
    text = 0
    for s in ("Advanced conditioning", "Dynamic warm-up", "Burpees", "Rest",
              "Static stretching"):
        text += len(s.encode("utf-8"))
    assert len(plan.encode(ADVANCED)) - text <= 24


def test_nested_repeats_and_lap_steps():
    p = {"title": "N", "flags": plan.FLAG_HALFWAY, "steps": [
        ("repeat", 2, [("work", 0, "Sprint", 0),
                       ("repeat", 3, [("rest", 90, "", plan.OPT_NO_TICKS)])])]}
    t = plan.Table(plan.encode(p))
    s = steps_of(t)
    assert [x[1:3] for x in s] == [(1, 0), (2, 90), (2, 90), (2, 90)] * 2
    assert [x[4:6] for x in s[:4]] == [(1, 2), (1, 3), (2, 3), (3, 3)]
    assert s[0][6] == plan.OPT_HALFWAY and s[1][6] == plan.OPT_NO_TICKS
    assert s[1][3] == ""
    assert plan.decode(plan.encode(p)) == p


def test_many_labels_use_the_escape_byte():
    steps = [("work", i + 1, "L%d" % i, 0) for i in range(30)]
    p = {"title": "many", "flags": 0, "steps": steps}
    t = plan.Table(plan.encode(p))
    assert [x[3] for x in steps_of(t)] == ["L%d" % i for i in range(30)]


def test_bad_crc_refused():
    data = bytearray(plan.encode(ADVANCED))
    data[10] ^= 1
    refused(data, "bad CRC")


def test_bad_version_refused():
    data = bytearray(plan.encode(ADVANCED))
    data[0] = 9
    refused(reseal(data), "version 9")


def test_truncated_and_short_refused():
    data = plan.encode(ADVANCED)
    refused(data[:5], "too short")
    refused(reseal(data[:30] + b"\0\0\0\0"), "past the end")


def test_string_offset_past_end_refused():
    data = bytearray(plan.encode(ADVANCED))
    data[4] = 250  # the title's length byte
    refused(reseal(data), "string table runs past the end")


def _program(ops, nops=None):
    """A table with the title 'T' and the given raw program bytes."""
    body = bytes((plan.VERSION, 0, 1, len(ops) if nops is None else nops, 1)) + b"T" + ops
    return reseal(body + b"\0\0\0\0")


def test_repeat_structure_refused():
    work = bytes((plan.K_WORK, 20))  # 10 s in the tagged varint
    refused(_program(bytes((plan.OP_END,)), 1), "END without a repeat")
    refused(_program(bytes((plan.OP_REPEAT, 2)) + work, 2), "repeat without END")
    refused(_program(bytes((plan.OP_REPEAT, 2, plan.OP_END)), 2), "empty repeat")
    refused(_program(bytes((plan.OP_REPEAT, 0)) + work + bytes((plan.OP_END,)), 3),
            "repeat count 0")
    deep = bytes((plan.OP_REPEAT, 2)) * 5 + work + bytes((plan.OP_END,)) * 5
    refused(_program(deep, 11), "nested deeper")


def test_bad_ops_refused():
    refused(_program(bytes((7, 2)), 1), "bad op code 7")
    refused(_program(bytes((plan.K_WORK | 2 << 3, 20)), 1), "label index 2 out of range")
    refused(_program(bytes((plan.K_WORK, 20)), 2), "op count 1, header says 2")
    refused(_program(bytes((plan.K_WORK, 0x80))), "varint runs past the end")
    refused(_program(b""), "no steps")


def test_cursor_allocates_nothing():
    t = plan.Table(plan.encode(ADVANCED))
    c = plan.Cursor(t)
    preview = plan.Cursor(t)
    n = 0
    micropython.heap_lock()
    try:
        while c.next():
            preview.copy_from(c)
            preview.next()
            n += 1
        c.reset()
        c.next()
    finally:
        micropython.heap_unlock()
    assert n == 22 and c.index == 0


def test_preview_is_the_next_step():
    t = plan.Table(plan.encode(ADVANCED))
    c = plan.Cursor(t)
    p = plan.Cursor(t)
    c.next()
    p.copy_from(c)
    assert p.next() and p.kind == plan.K_WORK and p.rep == 1 and c.kind == plan.K_WARMUP
