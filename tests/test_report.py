"""The HTML report over LogDB session dicts, and `beeper report` on the real log store."""

import os
import re
import struct
import subprocess
import sys

import pytest
from conftest import ROOT
from log_records import store

from host_tools import cli
from host_tools.logs.db import LogDB
from host_tools.report import history, page, plots

BEEPER = os.path.join(os.path.dirname(sys.executable), "beeper")
PNGS = [name for name, _ in plots.PLOTS]


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_report_of_the_sample_history(tmp_path):
    path, findings = page.write_report(history.generate(), str(tmp_path / "r"))
    assert sorted(os.listdir(tmp_path / "r")) == sorted(PNGS + ["index.html"])
    for name in PNGS:
        assert png_size(tmp_path / "r" / name) == (792, 374)
    text = open(path, encoding="utf-8").read()
    assert re.findall(r"<img src='([^']+)'", text) == PNGS
    assert "http://" not in text and "https://" not in text  # offline: nothing fetched
    assert [f.rule for f in findings] == ["max-effort-48h", "rpe-creep"]
    for f in findings:
        assert "<b>%s</b>" % f.rule in text
    assert text.count('DESIGN.md, &quot;Coaching facts&quot;') == 2
    assert "<b>26</b><span>sessions (2025-03-03 to 2025-04-25)</span>" in text
    assert "1 session(s) have no known date" in text
    assert text.count("<tr><td>") == 26


def test_report_of_odd_histories(tmp_path):
    one = history.generate()[:1]
    undated = [dict(s, date=None, date_source="unknown") for s in history.generate()[:3]]
    escaped = [dict(one[0], plan_title="<b>&</b>", worst_onset_us=None, rpe=None)]
    for i, ss in enumerate((one, undated, escaped)):
        path, findings = page.write_report(ss, str(tmp_path / str(i)))
        assert findings == []
        assert len(os.listdir(tmp_path / str(i))) == 7
    text = open(path, encoding="utf-8").read()
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in text and "<b>&</b>" not in text


@pytest.fixture
def logdb(tmp_path):
    """An empty real log store: (store sessions into it, its path)."""
    path = str(tmp_path / "logs.sqlite")
    LogDB(path).close()

    def add(sessions):
        with LogDB(path) as db:
            store(db, sessions)

    return add, path


def run(*argv):
    with pytest.raises(SystemExit) as e:
        cli.main(list(argv))
    return e.value.code


def test_cli_report_from_the_log_store(logdb, tmp_path, capsys):
    add, db = logdb
    add(history.generate())
    out = str(tmp_path / "out")
    assert run("report", "--db", db, "-o", out) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "%s/index.html: 26 sessions from %s" % (out, db)
    assert [ln.split("]")[0] for ln in lines[1:]] == ["warning [max-effort-48h",
                                                      "warning [rpe-creep"]
    assert run("report", "--db", db, "-o", out, "--strict") == 1


def test_cli_report_empty_or_missing_store(logdb, tmp_path, capsys):
    _, db = logdb
    out = tmp_path / "out"
    assert run("report", "--db", db, "-o", str(out)) == 0
    assert capsys.readouterr().out == ("%s: no sessions logged yet, nothing to report (pull "
                                       "logs from the device first)\n" % db)
    assert run("report", "--db", str(tmp_path / "none.sqlite"), "-o", str(out)) == 0
    assert "no sessions logged yet" in capsys.readouterr().out
    assert not out.exists()


def test_cli_report_sample_subprocess(tmp_path):
    proc = subprocess.run([BEEPER, "report", "--sample", "-o", str(tmp_path / "s")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "26 sessions from generated 8-week sample" in proc.stdout
    assert len(os.listdir(tmp_path / "s")) == 7
    bad = tmp_path / "file"
    bad.write_text("x")
    proc = subprocess.run([BEEPER, "report", "--sample", "-o", str(bad)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("beeper: error: ")
