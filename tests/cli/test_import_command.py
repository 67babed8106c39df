"""`needsmine import` on the demo warehouse: implausible files exit 2 and change nothing; a month
that would lose most of its rows goes in only with --allow-shrink."""

from __future__ import annotations

import json

import pytest
from test_cli import needsmine

from analytics.warehouse import db

HEAD = "集团编号,账期,产品编码,收入,数量,统付\n"


@pytest.fixture
def work(tmp_path, demo_path):
    path = tmp_path / "w.duckdb"
    path.write_bytes(demo_path.read_bytes())
    return path


def _state(path):
    with db.connect(path, read_only=True) as con:
        return con.execute(
            "select count(*), sum(hash(b)), max(billing_month) from billing_monthly as b"
        ).fetchone(), con.execute("select min(account_id) from accounts").fetchone()[0]


def test_a_one_row_file_for_a_full_month_needs_allow_shrink(work, tmp_path):
    before, account = _state(work)
    last = before[2]
    with db.connect(work, read_only=True) as con:
        rows = con.execute("select count(*) from billing_monthly where billing_month = ?", [last]).fetchone()[0]
    month = last.strftime("%Y-%m")
    bill = tmp_path / "账单.csv"
    bill.write_text(f"{HEAD}{account},{month},BC01,120.50,12,是\n", encoding="gbk")
    out = needsmine("import", str(bill), "--db", str(work))
    assert out.returncode == 2
    assert f"month {month} would shrink from {rows:,} rows to 1" in out.stderr
    assert "--allow-shrink" in out.stderr and "账单.csv" in out.stderr
    assert _state(work)[0] == before
    out = needsmine("import", str(bill), "--allow-shrink", "--json", "--db", str(work))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["rows"] == {"billing_monthly": 1}
    with db.connect(work, read_only=True) as con:
        assert con.execute("select count(*) from billing_monthly where billing_month = ?", [last]).fetchone() == (1,)


@pytest.mark.parametrize(
    ("rows", "fragments"),
    [
        ("{a},2099-01,BC01,1,1,是\n{a},1900-01,BC01,1,1,是\n", ["file line 2", "2099-01", "file line 3", "1900-01"]),
        ("{a},2026-11,BC01,999999999999.99,1,是\n", ["revenue_yuan", "above this column's ceiling"]),
        ("{a},2026-11,BC01,12.345,1,是\n", ["revenue_yuan", "more decimal places"]),
        ("", ["header but no data rows"]),
        ('{a},2026-11,"BC01,1,1,是\n', ["file line 2", "unterminated quote"]),
    ],
    ids=["months", "ceiling", "decimals", "header only", "quote"],
)
def test_implausible_files_exit_2_and_change_nothing(work, tmp_path, rows, fragments):
    before, account = _state(work)
    bill = tmp_path / "账单.csv"
    bill.write_text(HEAD + rows.format(a=account), encoding="gbk")
    out = needsmine("import", str(bill), "--db", str(work))
    assert out.returncode == 2, out.stdout
    assert "账单.csv" in out.stderr and "Traceback" not in out.stderr
    for fragment in fragments:
        assert fragment in out.stderr
    assert _state(work)[0] == before


def test_an_operator_export_goes_in_and_its_totals_row_is_said_to_be_left_out(work, tmp_path):
    before, account = _state(work)
    month = before[2].strftime("%Y%m")
    bill = tmp_path / "出账明细.csv"
    bill.write_text(
        f'{month} 集团客户出账明细,,,,,\n{HEAD}{account},{month},BC01,"1,120.50元",12,是\n合计,,,"1,120.50",12,\n',
        encoding="gbk",
    )
    out = needsmine("import", str(bill), "--allow-shrink", "--db", str(work))
    assert out.returncode == 0, out.stderr
    said = out.stdout + out.stderr
    assert "合计行" in said and "未导入" in said and "data row 2: a totals row" in said
    with db.connect(work, read_only=True) as con:
        assert con.execute(
            "select revenue_yuan::double from billing_monthly where billing_month = ?", [before[2]]
        ).fetchall() == [(1120.5,)]
