"""beeper export / export-plan / import as a user runs them: files, exit codes, no traceback."""

import csv
import json
import os

import pytest
from conftest import ROOT
from garmin_fit_sdk import Decoder, Stream
from log_records import store
from log_sessions import example

from host_tools import cli
from host_tools.commands import export
from host_tools.export import jsonout
from host_tools.logs.db import LogDB


@pytest.fixture
def db(tmp_path):
    """The real log store with four pulled sessions (one without a date)."""
    path = str(tmp_path / "logs.sqlite")
    d = LogDB(path)
    store(d, [example("beginner", seq=1, date="2026-02-20T07:00:00Z"),
              example("sprint-fly", seq=2, date="2026-03-01T07:00:00Z"),
              example("advanced", seq=3, date="2026-03-03T18:30:00Z", rpe=9),
              example("intermediate", seq=4, date=None, rpe=None)])
    d.close()
    return path


def run(capsys, *argv):
    with pytest.raises(SystemExit) as e:
        cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return e.value.code, out, err


def test_export_csv_to_file(db, tmp_path, capsys):
    out = tmp_path / "log.csv"
    code, _, err = run(capsys, "export", "--format", "csv", "--db", db, "-o", str(out))
    assert code == 0 and "exported 4 sessions (csv)" in err
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 14 + 11 + 22 + 18
    assert [r["date"] for r in rows if r["step"] == "1"] == [
        "2026-02-20T07:00:00Z", "2026-03-01T07:00:00Z", "2026-03-03T18:30:00Z", "unknown"]
    assert sorted(os.listdir(tmp_path)) == ["log.csv", "logs.sqlite"]  # no temp file left


def test_export_json_since_to_stdout(db, capsys):
    code, out, _ = run(capsys, "export", "--format", "json", "--db", db, "--since",
                       "2026-03-01")
    doc = json.loads(out)
    assert code == 0 and [s["seq"] for s in doc] == [2, 3]
    jsonout.validate(doc)


def test_export_fit_one_file_per_session(db, tmp_path, capsys):
    out = tmp_path / "fit"
    code, _, err = run(capsys, "export", "--format", "fit", "--db", db, "-o", str(out))
    assert code == 0 and "1 session without a known date" in err
    names = sorted(os.listdir(out))
    assert names == ["e6614103e7a1b22c-0000%d.fit" % i for i in (1, 2, 3, 4)]
    msgs, errors = Decoder(Stream.from_file(str(out / names[2]))).read()
    assert errors == [] and len(msgs["lap_mesgs"]) == 22
    assert msgs["session_mesgs"][0]["workout_rpe"] == 90


@pytest.mark.parametrize("argv,words", [
    (["export", "--format", "csv", "--db", "NOPE/logs.sqlite"], "no log database at"),
    (["export", "--format", "fit", "--db", "DB", "-o", "FILE"], "is a file"),
])
def test_export_errors_are_one_line(db, tmp_path, capsys, argv, words):
    (tmp_path / "FILE").write_text("x")
    argv = [a.replace("DB", db).replace("NOPE", str(tmp_path / "nope"))
            .replace("FILE", str(tmp_path / "FILE")) for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 1 and words in err and err.startswith("beeper: error: ")


def test_bad_since_date(capsys):
    code, _, err = run(capsys, "export", "--format", "csv", "--since", "March")
    assert code == 2 and "'March' is not a date" in err


def test_default_db_is_the_user_data_dir():
    import platformdirs

    assert export.default_path() == os.path.join(platformdirs.user_data_dir("beeper"),
                                               "logs.sqlite")


def test_export_plan_then_import_gives_the_same_plan(tmp_path, capsys):
    src = os.path.join(ROOT, "examples", "sprint-accelerations.plan")
    fit = tmp_path / "acc.fit"
    code, out, _ = run(capsys, "export-plan", src, "--format", "fit", "-o", str(fit))
    assert code == 0 and out.startswith(str(fit))
    code, text, _ = run(capsys, "import", str(fit))
    assert code == 0
    from host_tools.plans import lang

    assert lang.parse(text) == lang.load(src)
    assert "  recover 2m30s Full recovery @between\n" in text
    code, _, _ = run(capsys, "import", str(fit), "-o", str(tmp_path / "acc.plan"))
    assert code == 0 and lang.load(str(tmp_path / "acc.plan")) == lang.load(src)


def test_import_of_a_plan_file_is_refused(capsys):
    code, _, err = run(capsys, "import", os.path.join(ROOT, "examples", "beginner.plan"))
    assert code == 1 and "not a FIT file" in err


def test_export_plan_with_errors(tmp_path, capsys):
    bad = tmp_path / "bad.plan"
    bad.write_text("title: T\nwork 5x\n")
    code, _, err = run(capsys, "export-plan", str(bad))
    assert code == 1 and "bad.plan:2:6: bad duration" in err
    assert not (tmp_path / "bad.fit").exists()
