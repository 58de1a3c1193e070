"""`beeper demo` runs the Beginner session to the end without hardware or a terminal."""

import io

from host_tools import demo


def test_demo_finishes_with_exit_code_0(monkeypatch):
    monkeypatch.setenv("CI", "true")
    out = io.StringIO()
    assert demo.run(out=out) == 0
    text = out.getvalue()
    assert "press A: start" in text and "press C: skip" in text
    assert "cue work" in text and "cue done" in text
    assert "RPE 7" in text and "skipped" in text and "laps=3" in text
    assert "demo finished" in text
