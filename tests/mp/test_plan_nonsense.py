"""Tables whose CRC is right but whose content is nonsense: refused with a PlanError, never a
crash, by plan.Table/decode and by Store.save_plans (the CLI side is in test_cli_plan.py)."""

import crc
import plan
import store
import storefs

GOOD = plan.encode({"title": "Ok", "flags": 0,
                    "steps": [("work", 20, "Go", plan.OPT_HALFWAY), ("rest", 40, "", 0)]})


def recrc(body):
    """body + its CRC32: a table that passes the CRC check whatever body holds."""
    c = crc.crc32(bytes(body))
    return bytes(body) + bytes((c & 255, c >> 8 & 255, c >> 16 & 255, c >> 24 & 255))


def refused(buf, words):
    try:
        plan.Table(buf)
    except plan.PlanError as e:
        assert words in str(e), (words, str(e))
        return
    raise AssertionError("accepted: %r" % (buf,))


def test_valid_crc_but_invalid_utf8_title_is_refused():
    body = bytearray(GOOD[:-4])
    body[5] = 0xFF  # the title "Ok" -> b"\xffk"
    refused(recrc(body), "not valid UTF-8")
    body[5] = 0xC3  # a lead byte with no continuation
    refused(recrc(body), "not valid UTF-8")


def test_other_structurally_valid_nonsense_is_refused():
    body = bytearray(GOOD[:-4])
    body[5] = 0x07  # a control character in the title
    refused(recrc(body), "control byte")
    body = bytearray(GOOD[:-4])
    body[4] = 0  # an empty title (the rest of the table then misparses: refused either way)
    try:
        plan.Table(recrc(body))
        raise AssertionError("accepted")
    except plan.PlanError:
        pass
    # unknown flag and option bits are not refused: newer hosts may set them, and older
    # firmware ignores them (see plan.OPT_BETWEEN)


def test_random_mutations_with_a_good_crc_never_crash():
    seed = 12345
    accepted = 0
    for n in range(400):
        body = bytearray(GOOD[:-4])
        for _ in range(1 + n % 3):
            seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
            body[(seed >> 8) % len(body)] = (seed >> 16) & 255
        buf = recrc(body)
        try:
            t = plan.Table(buf)
        except plan.PlanError:
            continue
        accepted += 1
        t.title()
        c = plan.Cursor(t)
        k = 0
        while c.next():
            t.label(c.label)
            k += 1
        assert k == t.step_count()
        plan.decode(buf)
    assert accepted < 400  # most mutations are refused; the accepted ones work fully


def test_store_save_plans_refuses_a_nonsense_table():
    body = bytearray(GOOD[:-4])
    body[5] = 0xFF
    root, dev = storefs.fresh()
    try:
        st = store.Store(root)
        st.save_plans([GOOD])
        try:
            st.save_plans([GOOD, recrc(body)])
            raise AssertionError("saved")
        except plan.PlanError as e:
            assert "UTF-8" in str(e)
        assert [bytes(t.buf) for t in st.load_plans()] == [GOOD]  # the old set is intact
    finally:
        storefs.release(root, dev)
