"""beeper check/show/compile as a user runs them: exit codes, output, never a traceback."""

import json
import os
import subprocess
import sys

from conftest import ROOT

from host_tools import fw
from host_tools.plans import lang

table = fw.load("plan")
BEEPER = os.path.join(os.path.dirname(sys.executable), "beeper")
EXAMPLES = sorted(os.path.join(ROOT, "examples", f) for f in os.listdir(ROOT + "/examples"))


def beeper(*args):
    proc = subprocess.run([BEEPER, *args], capture_output=True, text=True, cwd=ROOT)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def test_check_examples_ok():
    proc = beeper("check", *EXAMPLES)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": ok: ") == len(EXAMPLES) == 5


def test_check_json_fields():
    proc = beeper("check", "--json", "examples/beginner.plan", "examples/intermediate.plan")
    got = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert got[0]["total_s"] == 720 and got[0]["band"] == "metabolic conditioning"
    assert {k: got[1][k] for k in ("title", "total_s", "work_s", "rest_s", "intervals",
                                   "ratio", "band")} == {
        "title": "Intermediate Power Session", "total_s": 900, "work_s": 120, "rest_s": 360,
        "intervals": 8, "ratio": "1:3", "band": "speed-endurance"}


def test_check_errors_exit_1_with_positions(tmp_path):
    bad = tmp_path / "bad.plan"
    bad.write_text("title: x\nwrk 20s\n2x\nwork 1:99\n")
    proc = beeper("check", str(bad), "examples/beginner.plan")
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "%s:2:1: unknown step kind 'wrk' (did you mean 'work'?)" % bad,
        "%s:3:1: empty repeat: indent the steps to repeat under it" % bad,
        "%s:4:6: bad duration '1:99': seconds after minutes run 00-59 (write 2:39)" % bad,
    ]
    assert "beginner.plan: ok" in proc.stdout
    js = json.loads(beeper("check", "--json", str(bad)).stdout)
    assert js[0]["ok"] is False and js[0]["errors"][0]["line"] == 2


def test_check_missing_file_and_garbage_table(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(64))
    proc = beeper("check", str(tmp_path / "nope.plan"), str(junk))
    assert proc.returncode == 1
    assert "nope.plan: cannot read" in proc.stderr
    assert "junk.bin: not a valid session table" in proc.stderr


def test_compile_then_show_the_table(tmp_path):
    out = tmp_path / "adv.bin"
    proc = beeper("compile", "examples/advanced.plan", "-o", str(out))
    assert proc.returncode == 0 and "88 bytes (22 steps)" in proc.stdout
    assert table.decode(out.read_bytes()) == lang.load(ROOT + "/examples/advanced.plan")
    src = beeper("show", str(out), "--source").stdout
    assert lang.parse(src) == lang.load(ROOT + "/examples/advanced.plan")


def test_show_timeline_totals_and_band():
    proc = beeper("show", "examples/beginner.plan")
    assert proc.returncode == 0
    assert "total 12:00" in proc.stdout and "work:rest 1:2" in proc.stdout
    assert "metabolic conditioning" in proc.stdout
    cool = [line for line in proc.stdout.splitlines() if "cooldown" in line]
    assert len(cool) == 1 and "9:00" in cool[0]  # 3 min warm-up + 6 x 1 min
    assert "6/6" in proc.stdout


def test_compile_refuses_bad_plan(tmp_path):
    bad = tmp_path / "b.plan"
    bad.write_text("work 5s\n")
    proc = beeper("compile", str(bad))
    assert proc.returncode == 1 and "b.plan:1:1: missing `title:` header" in proc.stderr
    assert not (tmp_path / "b.bin").exists()


def test_check_and_show_refuse_a_table_with_a_good_crc_and_bad_utf8(tmp_path):
    import zlib

    table = fw.load("plan")
    good = table.encode({"title": "Ok", "flags": 0, "steps": [("work", 20, "Go", 0)]})
    body = bytearray(good[:-4])
    body[5] = 0xFF  # the title's second byte: invalid UTF-8, CRC recomputed below
    bad = tmp_path / "bad.bin"
    bad.write_bytes(bytes(body) + zlib.crc32(bytes(body)).to_bytes(4, "little"))
    for args in (("check", str(bad)), ("show", str(bad)), ("show", "--source", str(bad))):
        proc = beeper(*args)  # beeper() asserts there is no traceback
        assert proc.returncode == 1, args
        assert "bad.bin: not a valid session table: string 0 is not valid UTF-8" in proc.stderr


def test_check_of_1mb_of_junk_caps_its_messages(tmp_path):
    import random

    rnd = random.Random(11)
    junk = tmp_path / "junk.plan"
    junk.write_bytes(bytes(rnd.getrandbits(8) for _ in range(1 << 20)))
    proc = beeper("check", str(junk))  # no traceback (asserted by beeper())
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 51  # 50 located errors, then the count of the rest
    assert all(ln.startswith("%s:" % junk) for ln in lines)
    assert lines[-1].startswith("%s: ... " % junk) and lines[-1].endswith(" more errors")
    js = json.loads(beeper("check", "--json", str(junk)).stdout)
    assert len(js[0]["errors"]) == 50 and js[0]["more_errors"] > 1000


def test_one_interval_is_singular(tmp_path):
    one = tmp_path / "one.plan"
    one.write_text("title: One\nwork 20s\nrest 40s\n")
    proc = beeper("check", str(one))
    assert "1 interval," in proc.stdout and "1 intervals" not in proc.stdout
    assert "1 interval," in beeper("show", str(one)).stdout


def test_speed_must_be_more_than_zero():
    for cmd in ("sim", "demo"):
        for bad in ("0", "-2", "nan", "fast", "1e9"):
            proc = beeper(cmd, "--speed", bad)
            assert proc.returncode == 2, (cmd, bad)
            assert "--speed" in proc.stderr and "Traceback" not in proc.stderr
