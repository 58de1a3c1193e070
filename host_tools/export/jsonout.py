"""Session logs as JSON: one object per session with its intervals, checked by a JSON Schema."""

import json
import os

from host_tools.export import ExportError

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "session.schema.json")
SESSION_KEYS = ("device_id", "seq", "date", "date_source", "plan_title", "plan_hash",
                "end_reason", "rpe", "paused_s", "worst_onset_us", "intervals")
INTERVAL_KEYS = ("idx", "kind", "label", "planned_s", "actual_s", "skipped", "paused",
                 "extended", "laps", "reps")


def schema():
    """The JSON Schema of an export (host_tools/export/session.schema.json)."""
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return json.load(f)


def document(sessions):
    """The export: a list of session objects holding exactly the documented keys."""
    out = []
    for s in sessions:
        d = {k: s.get(k) for k in SESSION_KEYS if k != "intervals"}
        d["intervals"] = [{k: iv.get(k) for k in INTERVAL_KEYS} for iv in s["intervals"]]
        out.append(d)
    return out


def validate(doc):
    """Raise ExportError naming the first place where doc breaks the schema."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema())
    v = cls(schema(), format_checker=cls.FORMAT_CHECKER)
    err = jsonschema.exceptions.best_match(v.iter_errors(doc))
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        raise ExportError("JSON export does not match its schema at %s: %s"
                          % (where, err.message))


def write(sessions, fp):
    """Validate and write the export to a text file; returns the number of sessions."""
    doc = document(sessions)
    validate(doc)
    json.dump(doc, fp, indent=2, ensure_ascii=False)
    fp.write("\n")
    return len(doc)
