"""Exports neutralise cells a spreadsheet would run (OWASP CSV injection) and keep numbers numbers:
`analytics.views.exports.formula_safe`, through the CSV and Excel writers of every download."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from analytics.ui import tables
from analytics.views.exports import formula_safe, formula_safe_text

RUNNING = ['=HYPERLINK("https://x.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =1+1"]
FRAME = pd.DataFrame(
    {
        "account_name": [*RUNNING, "上海电信 = 好", "a-b"],
        "revenue_at_risk_yuan": [-1250.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        "churn_probability": [0.5] * 9,
        "is_key_account": [True] * 9,
    }
)


def test_text_a_spreadsheet_would_run_is_quoted_and_nothing_else_changes():
    safe = formula_safe(FRAME)
    assert list(safe["account_name"]) == [f"'{v}" for v in RUNNING] + ["上海电信 = 好", "a-b"]
    assert safe["revenue_at_risk_yuan"].tolist() == FRAME["revenue_at_risk_yuan"].tolist()  # negatives untouched
    assert safe["revenue_at_risk_yuan"].dtype == float and safe["is_key_account"].dtype == bool
    assert formula_safe_text(-3) == -3 and formula_safe_text(None) is None
    assert list(FRAME["account_name"]) == [*RUNNING, "上海电信 = 好", "a-b"]  # the input frame is not changed


def test_the_csv_download_quotes_formulas_and_keeps_negative_numbers():
    rows = list(csv.reader(io.StringIO(tables.csv_bytes(FRAME, None, "en").decode("utf-8-sig"), newline="")))
    names = [row[0] for row in rows[1:]]
    assert names[:7] == [f"'{v}" for v in RUNNING]
    assert rows[1][1] == "-1250.5"  # a number, as the data has it


def test_the_excel_download_has_no_formula_cell_and_numbers_stay_numbers():
    book = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(FRAME, None, "zh", "表")))
    sheet = book.active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [sheet.cell(row=r, column=1).value for r in range(2, 9)] == [f"'{v}" for v in RUNNING]
    amount = sheet.cell(row=2, column=2)
    assert amount.value == -1250.5 and amount.data_type == "n"
