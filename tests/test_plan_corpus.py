"""A corpus of broken plan files: each gets file:line:col and exit 1 from `beeper check`."""

import os
import random
import re
import subprocess
import sys

import pytest

from host_tools import cli

OK = "title: Fine\nwarmup 3m Warm up\n6x\n  work 20s Knees\n  rest 40s Walk\ncooldown 3m\n"


def _junk(seed, n):
    rnd = random.Random(seed)
    return bytes(rnd.randrange(256) for _ in range(n))


def _many_steps(n):
    return "title: Long\n" + "".join("work %ds step %d\n" % (i % 50 + 1, i) for i in range(n))


# name -> (bytes, line of the first error or None for "any line")
CORPUS = {
    "latin1_label": (b"title: Caf\xe9 run\nwork 20s Caf\xe9\n", 1),
    "utf16_bom": ("title: Wide\nwork 20s go\n".encode("utf-16"), 1),
    "lone_continuation": (b"title: x\nwork 20s \x80\x80\n", 2),
    "nul_bytes": (b"title: x\nwork\x00 20s\n", 2),
    "binary_junk_small": (_junk(1, 300), None),
    "binary_junk_big": (_junk(2, 200_000), None),
    "png_header": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _junk(3, 500), None),
    "empty": (b"", 1),
    "only_comments": (b"# nothing\n# here\n", 1),
    "ten_thousand_lines": (_many_steps(10_000).encode(), None),
    "ten_thousand_lines_bad_at_end": ((_many_steps(9_999) + "wrok 20s typo\n").encode(),
                                      10_001),
    "one_megabyte_line": (b"title: x\nwork 20s " + b"a" * 1_000_000 + b"\n", 2),
    "absurd_seconds": (b"title: x\nwork 99999999999999999999s\n", 2),
    "absurd_minutes": (b"title: x\nwork 1000000m\n", 2),
    "absurd_clock": (b"title: x\nwork 1:99\n", 2),
    "zero_duration": (b"title: x\nwork 0s\n", 2),
    "negative_duration": (b"title: x\nwork -5s\n", 2),
    "float_duration": (b"title: x\nwork 1e9s\n", 2),
    "huge_repeat": (b"title: x\n99999999999999999999x\n  work 1s\n", 2),
    "zero_repeat": (b"title: x\n0x\n  work 1s\n", 2),
    "deep_repeats": (("title: x\n" + "".join("  " * d + "99x\n" for d in range(8))
                      + "  " * 8 + "work 1s\n").encode(), None),
    "expands_too_far": (b"title: x\n99x\n  99x\n    work 1s\n", 2),
    "long_unicode_label": (("title: x\nwork 20s " + "\U0001F3C3" * 5000 + "\n").encode(), 2),
    "long_unicode_title": (("title: " + "\u00e9" * 100 + "\nwork 20s\n").encode(), 1),
    "control_chars": (b"title: x\x1b[2J\nwork 20s \x07bell\n", None),
    "tabs_and_spaces": (b"title: x\n2x\n\t work 20s\n", 2),
    "whitespace_only_lines": (b"title: x\n   \n\t\nwork 20s\n2x\n", 5),
    "header_after_step": (b"title: x\nwork 20s\ntitle: y\n", 3),
    "unknown_kind": (b"title: x\nsprint 20s\n", 2),
    "missing_title": (b"work 20s\n", 1),
    "cr_breaks_then_junk": (b"title: x\rwork 20s\rrest 10s\rjunk\r", 4),
    "surrogate_escape": (b"title: x\nwork 20s \xed\xa0\x80\n", 2),
}

DIAG = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S")


def _write(tmp_path, name, data):
    p = tmp_path / (name + ".plan")
    p.write_bytes(data)
    return str(p)


def _check(argv, capsys):
    with pytest.raises(SystemExit) as ex:
        cli.main(["check"] + argv)
    out = capsys.readouterr()
    return ex.value.code, out.out, out.err


# Files that look odd but are fine: (bytes, intervals, total seconds).
TOLERATED = {
    "crlf": (b"title: x\r\nwork 20s\r\nrest 10s\r\n", 1, 30),
    "old_mac_cr": (b"title: x\rwork 20s\rrest 10s\r", 1, 30),
    "utf8_bom": (b"\xef\xbb\xbftitle: x\nwork 20s\n", 1, 20),
    "unicode_label_at_limit": (("title: x\nwork 20s " + "\u00e9" * 20 + "\n").encode(), 1, 20),
}


@pytest.mark.parametrize("name", sorted(TOLERATED))
def test_odd_but_valid_file_passes(name, tmp_path, capsys):
    import json

    data, intervals, total = TOLERATED[name]
    code, out, err = _check(["--json", _write(tmp_path, name, data)], capsys)
    got = json.loads(out)[0]
    assert code == 0 and got["ok"], (out, err)
    assert (got["intervals"], got["total_s"]) == (intervals, total)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_broken_file_gets_a_position_and_exit_1(name, tmp_path, capsys):
    data, line = CORPUS[name]
    path = _write(tmp_path, name, data)
    code, out, err = _check([path], capsys)
    assert code == 1, (code, out, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert lines, "no message"
    assert len(lines) <= 100, "a flood of %d messages" % len(lines)
    if re.match(r"^%s: \.\.\. \d+ more errors?$" % re.escape(path), lines[-1]):
        lines = lines[:-1]  # the cap's count of the rest (commands/plan.py MAX_MESSAGES)
    for ln in lines:
        m = DIAG.match(ln)
        assert m, "not file:line:col: %r" % ln[:200]
        assert m.group("file") == path
        assert len(ln) < 400, "message too long: %r" % ln[:200]
    if line is not None:
        assert int(DIAG.match(lines[0]).group("line")) == line, lines[:3]


def test_json_lists_the_same_errors(tmp_path, capsys):
    path = _write(tmp_path, "latin", CORPUS["latin1_label"][0])
    code, out, err = _check(["--json", path], capsys)
    import json

    got = json.loads(out)
    assert code == 1 and got[0]["ok"] is False
    assert got[0]["errors"][0]["line"] == 1 and got[0]["errors"][0]["col"] >= 1


def test_whole_corpus_in_one_process_no_traceback(tmp_path):
    """The real command line over every file at once (plus a good one and a missing one)."""
    paths = [_write(tmp_path, n, CORPUS[n][0]) for n in sorted(CORPUS)]
    good = _write(tmp_path, "good", OK.encode())
    missing = str(tmp_path / "missing.plan")
    proc = subprocess.run([sys.executable, "-m", "host_tools.cli", "check", good, missing]
                          + paths + [str(tmp_path)], capture_output=True, text=True,
                          timeout=120, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert good + ": ok: Fine" in proc.stdout
    for p in paths + [missing, str(tmp_path)]:
        assert p + ":" in proc.stderr, p
