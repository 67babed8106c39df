"""`needsmine notes FILE`: tagging a CSV/XLSX of notes with the warehouse's trained notes model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analytics import cli, config

NOTES = [
    "客户想给仓库装摄像头，电信报价3800一个月",
    "老板说今年预算用完了，明年再说",
    '=HYPERLINK("x")联通专线报价2万一年',
]


# The tests read private copies: in this process an AppTest may hold the shared warehouse open
# read-write, and the command opens it read-only (DuckDB refuses two configurations of one file).


def _run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["notes", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_json_shape(scored_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "export.csv"
    pd.DataFrame({"客户": ["A", "B", "C"], " 走访记录 ": NOTES}).to_csv(source, index=False, encoding="gbk")
    code, out, err = _run(capsys, str(source), "--json", "--quiet", "--db", str(scored_copy))
    assert code == 0, err
    result = json.loads(out)
    assert result["column"].strip() == "走访记录" and [r["row"] for r in result["rows"]] == [2, 3, 4]
    first, second, third = result["rows"]
    assert set(first) >= {"note", "areas", "probabilities", "products", "competitors", "offers"}
    assert set(first["probabilities"]) == set(config.AREAS)
    assert first["competitors"] == ["中国电信"]
    assert first["offers"] == [
        {"competitor": "中国电信", "product": None, "amount": 3800.0, "period": "month", "kind": "price"}
    ]
    assert second["offers"] == [] and second["competitors"] == []
    assert third["offers"][0]["amount"] == 20000.0 and third["offers"][0]["period"] == "year"
    assert third["offers"][0]["product"] is not None  # 专线 names the data line
    assert first["declined"] == [] and third["declined"] == []  # they voice needs, decline none
    assert second["declined"] == [
        {"area": None, "words": [], "reason": "budget", "clause": "老板说今年预算用完了，明年再说"}
    ]


# Written apart from the demo's phrase bank: each declines one need in another way.
DECLINING = ["车间监控已经找海康做了", "开会用腾讯会议够用了", "视频会议今年预算用完了", "客户想在手机上批请假"]


def test_declined_needs_in_json_and_xlsx(scored_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source, out = tmp_path / "declines.csv", tmp_path / "declines.xlsx"
    pd.DataFrame({"备注": DECLINING}).to_csv(source, index=False)
    code, printed, err = _run(capsys, str(source), "--json", "--out", str(out), "--db", str(scored_copy))
    assert code == 0, err
    rows = json.loads(printed)["rows"]
    assert [[d["area"] for d in r["declined"]] for r in rows] == [
        ["production_control"],
        ["mobile_office"],
        ["mobile_office"],
        [],  # a plain voiced need is not declined
    ]
    assert "监控" in rows[0]["declined"][0]["words"] and rows[0]["declined"][0]["reason"] == "elsewhere"
    assert rows[1]["declined"][0]["reason"] == "enough" and rows[2]["declined"][0]["reason"] == "budget"
    assert "mobile_office" in rows[3]["areas"]
    tagged = pd.read_excel(out, dtype=str).fillna("")
    assert list(tagged["declined_areas"]) == ["production_control", "mobile_office", "mobile_office", ""]
    assert tagged.loc[0, "declined"] == "production_control（监控、海康）：已在别处解决"
    assert tagged.loc[2, "declined"] == "mobile_office（视频会议）：没有预算"


def test_xlsx_in_and_out_formula_safe(scored_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source, out = tmp_path / "export.xlsx", tmp_path / "tagged.xlsx"
    pd.DataFrame({"Notes": NOTES[:2]}).to_excel(source, index=False)
    code, _, err = _run(capsys, str(source), "--out", str(out), "--db", str(scored_copy))
    assert code == 0, err
    tagged = pd.read_excel(out, dtype=str)
    assert len(tagged) == 2 and {"areas", "products", "competitors", "offers"} <= set(tagged.columns)
    assert "3800" in tagged.loc[0, "offers"] and "中国电信" in tagged.loc[0, "offers"]

    # A note a spreadsheet would run as a formula is written quoted.
    csv_source = tmp_path / "export.csv"
    pd.DataFrame({"备注": NOTES}).to_csv(csv_source, index=False)
    code, _, err = _run(capsys, str(csv_source), "--out", str(out), "--db", str(scored_copy))
    assert code == 0, err
    assert pd.read_excel(out, dtype=str).loc[2, "备注"].startswith("'=")


def test_column_option(scored_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "x.csv"
    pd.DataFrame({"remark text": NOTES[:1]}).to_csv(source, index=False)
    code, out, _ = _run(capsys, str(source), "--column", "Remark Text", "--json", "--db", str(scored_copy))
    assert code == 0 and json.loads(out)["rows"][0]["competitors"] == ["中国电信"]


def test_error_paths(scored_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = ["--db", str(scored_copy)]
    missing = tmp_path / "nope.csv"
    code, _, err = _run(capsys, str(missing), *db)
    assert code == 2 and str(missing) in err and "file not found" in err

    odd = tmp_path / "notes.txt"
    odd.write_text("notes\nx\n", encoding="utf-8")
    code, _, err = _run(capsys, str(odd), *db)
    assert code == 2 and str(odd) in err and "unknown format" in err

    headless = tmp_path / "cols.csv"
    headless.write_text("客户,金额\nA,1\n", encoding="utf-8")
    code, _, err = _run(capsys, str(headless), *db)
    assert code == 2 and str(headless) in err and "客户, 金额" in err and "no notes column" in err

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    code, _, err = _run(capsys, str(empty), *db)
    assert code == 2 and str(empty) in err and "empty" in err

    only_header = tmp_path / "header.csv"
    only_header.write_text("备注\n", encoding="utf-8")
    code, _, err = _run(capsys, str(only_header), *db)
    assert code == 2 and "no rows" in err


def test_no_trained_model(scored_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bare = tmp_path / "bare.duckdb"
    shutil.copy(scored_path, bare)  # no models beside it
    source = tmp_path / "x.csv"
    source.write_text("备注\n电信报价3800一个月\n", encoding="utf-8")
    code, _, err = _run(capsys, str(source), "--db", str(bare))
    assert code == 2 and "needsmine train" in err and "notes.joblib" in err
