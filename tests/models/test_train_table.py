"""`train-table` end to end on synthetic Telco-like tables written at test time."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from analytics.cli import train_table as train_table_cli

CHINESE = {
    "customerID": "客户编号",
    "gender": "性别",
    "SeniorCitizen": "老年用户",
    "tenure": "在网月数",
    "Contract": "合约类型",
    "InternetService": "宽带类型",
    "PaymentMethod": "支付方式",
    "MonthlyCharges": "月费",
    "TotalCharges": "总费用",
    "Churn": "是否流失",
}
# What --json must hold (at least).
REQUIRED_KEYS = {
    "auc",
    "pr_auc",
    "lift_top_decile",
    "brier",
    "rows",
    "features",
    "excluded",
    "model",
}


def telco_like(n: int = 1200, seed: int = 0, signal: bool = True) -> pd.DataFrame:
    """A small table shaped like the IBM Telco churn table: a string customerID, totals as
    text with blanks for new customers, Yes/No target. Churn follows contract, tenure, fibre
    and payment as in the public data — or nothing at all when `signal` is False."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 73, n)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.55, 0.21, 0.24])
    internet = rng.choice(["Fiber optic", "DSL", "No"], n, p=[0.44, 0.34, 0.22])
    payment = rng.choice(["Electronic check", "Mailed check", "Bank transfer (automatic)"], n)
    monthly = np.round(20 + 45 * (internet == "Fiber optic") + 25 * (internet == "DSL") + rng.normal(0, 8, n), 2)
    total = [" " if t == 0 else f"{v:,.2f}" for t, v in zip(tenure, monthly * tenure, strict=True)]
    z = (
        0.0
        + np.select([contract == "Month-to-month", contract == "One year"], [1.8, 0.0], -1.8)
        - 0.8 * np.log1p(tenure)
        + 1.2 * (internet == "Fiber optic")
        + 0.7 * (payment == "Electronic check")
    )
    p = expit(z) if signal else np.full(n, 0.3)
    return pd.DataFrame(
        {
            "customerID": [f"{rng.integers(1000, 9999)}-{i:05d}X" for i in range(n)],
            "gender": rng.choice(["Male", "Female"], n),
            "SeniorCitizen": (rng.random(n) < 0.16).astype(int),
            "tenure": tenure,
            "Contract": contract,
            "InternetService": internet,
            "PaymentMethod": payment,
            "MonthlyCharges": monthly,
            # Text as exported: thousands separators, and a blank for customers in month 0.
            "TotalCharges": total,
            "Churn": np.where(rng.random(n) < p, "Yes", "No"),
        }
    )


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="needsmine")
    train_table_cli.add_parser(parser.add_subparsers(dest="command"))
    return train_table_cli.run(parser.parse_args(["train-table", *argv]))


def run_json(capsys, *argv: str) -> dict:
    assert run(*argv, "--json", "--quiet") == 0
    out = capsys.readouterr().out
    return json.loads(out)  # exactly one JSON object, nothing else on stdout


@pytest.fixture(scope="module")
def gbk_table(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    frame = telco_like(1200, seed=1).rename(columns=CHINESE)
    frame["是否流失"] = frame["是否流失"].map({"Yes": "是", "No": "否"})
    frame["性别"] = frame["性别"].map({"Male": "男", "Female": "女"})
    path = tmp_path_factory.mktemp("gbk") / "宽表_客户.csv"
    frame.to_csv(path, index=False, encoding="gbk")
    return path, frame


def test_gbk_table_with_chinese_headers_is_trained_scored_and_explained(gbk_table, capsys, tmp_path):
    path, frame = gbk_table
    out = tmp_path / "scored.csv"
    result = run_json(capsys, str(path), "--target", "是否流失", "--out", str(out))
    assert result.keys() >= REQUIRED_KEYS
    assert result["auc"] > 0.75 and result["lift_top_decile"] > 1.8
    assert 0 < result["brier"] < 0.2
    assert result["rows"] == len(frame) and result["positive"] == "是"
    kinds = {f["column"]: f["type"] for f in result["features"]}
    assert kinds["总费用"] == "numeric"  # text with thousands separators and blanks
    assert kinds["合约类型"] == "categorical" and kinds["在网月数"] == "numeric"
    assert "客户编号" not in kinds
    assert [e["column"] for e in result["excluded"]] == ["客户编号"]
    assert result["model"]["kind"] in ("additive", "boosted")
    assert set(result["model"]["cv"]) == {"additive", "boosted"}  # --model auto compared both

    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese
    scored = pd.read_csv(out, encoding="utf-8-sig")
    assert len(scored) == len(frame)
    assert list(scored.columns[:2]) == ["客户编号", "probability"]
    assert scored["客户编号"].tolist() == frame["客户编号"].tolist()
    assert scored["probability"].between(0, 1).all()
    if result["model"]["kind"] == "additive":
        assert list(scored.columns[2:]) == ["reason_1", "reason_2", "reason_3"]


@pytest.fixture(scope="module")
def additive_run(gbk_table, tmp_path_factory) -> dict:
    """One additive run over the GBK table with --json, --out and --report."""
    path, frame = gbk_table
    folder = tmp_path_factory.mktemp("additive")
    out, report = folder / "scored.csv", folder / "report.txt"
    argv = ["--target", "是否流失", "--model", "additive"]
    argv += ["--out", str(out), "--report", str(report), "--json", "--quiet"]
    with pytest.MonkeyPatch.context() as patch:
        stdout = io.StringIO()
        patch.setattr(sys, "stdout", stdout)
        assert run(str(path), *argv) == 0
    return {
        "result": json.loads(stdout.getvalue()),
        "scored": pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False),
        "report": report.read_text(encoding="utf-8"),
        "frame": frame,
    }


def test_reasons_are_the_models_contributions(additive_run):
    result, scored, frame = additive_run["result"], additive_run["scored"], additive_run["frame"]
    assert result["model"]["kind"] == "additive"
    riskiest = scored.loc[scored["probability"].idxmax()]
    # The highest score has reasons, e.g. "合约类型=Month-to-month (+1.02)", largest first.
    assert riskiest["reason_1"].split("=")[0] in {"合约类型", "在网月数", "宽带类型", "支付方式"}
    shares = [float(r.rsplit("(+", 1)[1].rstrip(")")) for r in riskiest[["reason_1", "reason_2"]]]
    assert shares[0] >= shares[1] > 0
    month_to_month = frame["合约类型"] == "Month-to-month"
    reasons = scored[["reason_1", "reason_2", "reason_3"]]
    mentioned = reasons.apply(lambda r: r.str.startswith("合约类型=Month-to-month")).any(axis=1)
    assert mentioned[month_to_month].mean() > 0.5 and not mentioned[~month_to_month].any()
    assert [i["column"] for i in result["importance"][:3]].count("合约类型") == 1


def test_readable_report(additive_run):
    text = additive_run["report"]
    assert "AUC" in text and "Brier" in text and "校准" in text
    assert "客户编号" in text and "排除 excluded" in text
    assert f"{additive_run['result']['auc']:.3f}" in text


@pytest.mark.parametrize(
    ("labels", "positive"),
    [
        ({"Yes": "Yes", "No": "No"}, "Yes"),
        ({"Yes": "1", "No": "0"}, "1"),
        ({"Yes": "1", "No": "-1"}, "1"),
        ({"Yes": "churn", "No": "no churn"}, "churn"),
    ],
)
def test_binary_target_spellings(labels, positive, capsys, tmp_path):
    frame = telco_like(500, seed=2)
    frame["Churn"] = frame["Churn"].map(labels)
    path = tmp_path / "telco.csv"
    frame.to_csv(path, index=False)
    result = run_json(capsys, str(path), "--target", "Churn", "--model", "additive")
    assert result["positive"] == positive
    assert result["auc"] > 0.75
    assert result["positives"] == int((frame["Churn"] == positive).sum())


def test_no_signal_gives_auc_near_one_half(capsys, tmp_path):
    path = tmp_path / "noise.csv"
    telco_like(800, seed=3, signal=False).to_csv(path, index=False)
    result = run_json(capsys, str(path), "--target", "churn", "--model", "additive")
    assert abs(result["auc"] - 0.5) < 0.07
    assert result["lift_top_decile"] < 1.5


def test_id_column_rows_without_target_and_other_formats(capsys, tmp_path):
    frame = telco_like(600, seed=4)
    frame.insert(0, "acct_no", np.arange(10_000, 10_600))
    frame.loc[:19, "Churn"] = ""  # not yet known: left out of training, still scored
    for suffix in (".parquet", ".xlsx"):
        path = tmp_path / f"table{suffix}"
        if suffix == ".parquet":
            frame.to_parquet(path)
        else:
            frame.to_excel(path, index=False)
        out = tmp_path / f"scored{suffix}.csv"
        result = run_json(
            capsys, str(path), "--target", "Churn", "--id", "acct_no", "--model", "additive", "--out", str(out)
        )
        assert result["rows"] == 580 and result["dropped_missing_target"] == 20
        excluded = {e["column"]: e["reason"] for e in result["excluded"]}
        assert set(excluded) == {"acct_no", "customerID"}
        assert "--id" in excluded["acct_no"]
        assert result["auc"] > 0.7
        scored = pd.read_csv(out, encoding="utf-8-sig")
        assert len(scored) == 600 and scored["acct_no"].tolist() == frame["acct_no"].tolist()


def _fails(capsys, *argv: str) -> str:
    assert run(*argv, "--quiet") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_missing_target_column_lists_the_columns(gbk_table, capsys):
    path, _ = gbk_table
    err = _fails(capsys, str(path), "--target", "churn_flag")
    assert str(path) in err and "churn_flag" in err and "是否流失" in err and "总费用" in err


def test_non_binary_target_names_column_and_values(capsys, tmp_path):
    frame = telco_like(300, seed=5)
    frame["Churn"] = np.random.default_rng(0).choice(["Yes", "No", "Maybe"], len(frame))
    path = tmp_path / "three.csv"
    frame.to_csv(path, index=False)
    err = _fails(capsys, str(path), "--target", "Churn")
    assert "Churn" in err and "'Maybe'" in err and "'Yes'" in err and "not binary" in err


def test_tiny_or_one_sided_tables_are_refused(capsys, tmp_path):
    path = tmp_path / "tiny.csv"
    telco_like(12, seed=6).to_csv(path, index=False)
    err = _fails(capsys, str(path), "--target", "Churn")
    assert str(path) in err and "too few rows" in err

    frame = telco_like(200, seed=7)
    frame["Churn"] = "No"
    frame.loc[:2, "Churn"] = "Yes"  # 3 positives cannot be cross-validated
    frame.to_csv(path, index=False)
    err = _fails(capsys, str(path), "--target", "Churn")
    assert "3 × 'Yes'" in err


def test_missing_or_unreadable_file(capsys, tmp_path):
    err = _fails(capsys, str(tmp_path / "nope.csv"), "--target", "Churn")
    assert "nope.csv" in err and "not found" in err
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    err = _fails(capsys, str(bad), "--target", "Churn")
    assert "bad.xlsx" in err and "cannot be read" in err


def test_the_scored_file_holds_no_formula_cells(capsys, tmp_path):
    frame = telco_like(400, seed=5)
    frame.insert(0, "acct", [f'=HYPERLINK("http://x.example","{i}")' if i % 2 else f"A{i}" for i in range(400)])
    path, out = tmp_path / "t.csv", tmp_path / "scored.csv"
    frame.to_csv(path, index=False)
    run_json(capsys, str(path), "--target", "Churn", "--id", "acct", "--model", "additive", "--out", str(out))
    scored = pd.read_csv(out, encoding="utf-8-sig")
    assert scored["acct"].iloc[1].startswith("'=HYPERLINK") and scored["acct"].iloc[0] == "A0"
    assert not scored["acct"].str.startswith("=").any()
