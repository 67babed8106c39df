"""`needsmine compliance` in a year whose make-up working days (调休) no source knows yet: it
answers, and says so (a warning, not an error)."""

from __future__ import annotations

import json

from analytics import cli
from analytics.common import workdays


def test_a_review_in_2027_answers_with_the_calendar_warning(scored_copy, capsys, tmp_path, monkeypatch):
    holidays = tmp_path / "holidays.csv"
    holidays.write_text("date,kind,name\n", encoding="utf-8")
    monkeypatch.setenv(workdays.HOLIDAYS_ENV, str(holidays))
    argv = ["compliance", "--as-of", "2027-01-15", "--db", str(scored_copy), "--quiet"]
    assert cli.main([*argv, "--json"]) == 0
    out = capsys.readouterr()
    shown = json.loads(out.out)
    assert "2027" in shown["calendar_warning"] and "调休" in shown["calendar_warning"]
    assert "2027" in out.err
    assert cli.main(argv) == 0
    assert "注意 note:" in capsys.readouterr().out
    # once the department enters 2027, the warning goes
    holidays.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    monkeypatch.setattr(workdays, "_looked", [None, 0.0, {}])  # seen at once, not within the second
    assert cli.main([*argv, "--json"]) == 0
    assert "calendar_warning" not in json.loads(capsys.readouterr().out)
