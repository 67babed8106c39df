"""analytics/ui/tables.py: the column config each column gets, the files it writes, the audited
deferred download, and every table of the daily-work and admin pages drawn with every column."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from apptest import exports, offered_downloads, signed_in, unlabelled_columns
from streamlit.testing.v1 import AppTest

from analytics.access import audit, auth
from analytics.common import clock
from analytics.ui import compliance as compliance_ui
from analytics.ui import tables
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
MANAGER = auth.User("m1", "张经理", "manager", manager_id="M00001")


def open_page(path: Path, monkeypatch: pytest.MonkeyPatch, page: str, user: auth.User | None = None) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at = signed_in(at, user) if user else signed_in(at)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def meant(config: dict) -> dict:
    """A column config without its unset (None) settings, as it reaches the browser."""
    return {k: meant(v) if isinstance(v, dict) else v for k, v in config.items() if v is not None}


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())  # the byte-order mark that makes Excel read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# ---- the column config -----------------------------------------------------------------------------


SMALL = pd.DataFrame(
    {
        "account_name": ["甲公司", "乙公司"],
        "manager_name": ["张三", "李四"],
        "district": ["浦东", "闵行"],
        "account_count": [3, 4],
        "basic_rate": [0.9, 0.5],
        "churn_probability": [0.25, 0.1],
        "revenue_at_risk_yuan": [1234.5, 99.0],
        "due_on": pd.to_datetime(["2026-01-31", "2026-02-28"]),
        "reported_at": pd.to_datetime(["2026-01-31 10:00", "2026-02-01 09:30"]),
        "is_late": [True, False],
        "churn_reasons": ["合约到期；投诉", "—"],
    }
)


def test_every_column_gets_a_config_with_its_header_and_text_columns_are_text():
    config = {name: meant(c) for name, c in tables.column_config(SMALL, "compliance", "zh").items()}
    assert list(config) == list(SMALL.columns)
    assert all(c["label"] and not c.get("hidden") for c in config.values())
    # The identifying columns: explicit text columns, never the None that hides a column.
    assert config["manager_name"] == {"label": "客户经理", "type_config": {"type": "text"}}
    assert config["district"]["label"] == "区县" and config["district"]["type_config"] == {"type": "text"}
    assert config["account_name"]["pinned"] is True  # stays in view while a wide table scrolls
    assert config["churn_reasons"]["width"] == "large"
    assert config["basic_rate"]["type_config"] == {"type": "number", "format": "%.1f%%"}
    assert config["churn_probability"]["type_config"] == {"type": "number", "format": "%.1f%%"}
    assert config["revenue_at_risk_yuan"]["type_config"] == {"type": "number", "format": "localized"}
    assert config["account_count"]["type_config"] == {"type": "number", "format": "localized"}  # 4,285
    assert config["due_on"]["type_config"] == {"type": "date", "format": "YYYY-MM-DD"}
    assert config["reported_at"]["type_config"] == {"type": "datetime", "format": "YYYY-MM-DD HH:mm"}
    assert config["is_late"]["type_config"] == {"type": "checkbox"}
    assert tables.column_config(SMALL, "compliance", "en")["manager_name"]["label"] == "Account manager"


def test_scores_and_shares_named_without_a_suffix_keep_their_formats():
    values = pd.Series([0.5])
    formats = {
        name: tables.column(name, name, values)["type_config"]["format"]
        for name in ("auc", "brier", "lift_top_decile", "share_change_points", "revenue_share", "retention")
    }
    assert formats == {
        "auc": "%.4f",
        "brier": "%.4f",
        "lift_top_decile": "%.2f",
        "share_change_points": "%+.2f",
        "revenue_share": "%.1f%%",
        "retention": "%.1f%%",
    }


def test_shares_are_drawn_in_percent_points_with_one_decimal_and_yuan_whole():
    shown = tables.shown_values(SMALL)
    assert list(shown["churn_probability"]) == [25.0, 10.0]  # drawn "25.0%", "10.0%"
    assert list(shown["basic_rate"]) == [90.0, 50.0]
    assert list(shown["revenue_at_risk_yuan"]) == [1234.0, 99.0]  # 1234.5 rounds to even
    assert list(shown["account_count"]) == [3, 4] and list(SMALL["churn_probability"]) == [0.25, 0.1]


def test_files_round_floats_to_what_they_mean():
    frame = pd.DataFrame({"churn_probability": [0.5714657409592867], "revenue_yuan": [12109250.7549], "n": [3]})
    rows = csv_rows(tables.csv_bytes(frame, None, "zh"))
    assert rows == [{"churn_probability": "0.5715", "revenue_yuan": "12109250.75", "n": "3"}]


def test_a_frame_worded_for_people_keeps_its_headers_as_labels():
    worded = pd.DataFrame({"姓名": ["王五"], "序号": [1]})
    config = {name: meant(c) for name, c in tables.column_config(worded, None, "en").items()}
    assert config == {
        "姓名": {"label": "姓名", "type_config": {"type": "text"}},
        "序号": {"label": "序号", "type_config": {"type": "number", "format": "localized"}},
    }


def test_files_carry_the_headers_of_the_language_and_the_values_as_they_are():
    rows = csv_rows(tables.csv_bytes(SMALL[["manager_name", "basic_rate"]], "compliance", "en"))
    assert rows == [
        {"Account manager": "张三", "Basic compliance": "0.9"},
        {"Account manager": "李四", "Basic compliance": "0.5"},
    ]
    book = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(SMALL[["manager_name"]], "compliance", "zh", "表")))
    assert book.sheetnames == ["表"] and [c.value for c in book.active["A"]] == ["客户经理", "张三", "李四"]


# ---- table and download in a running app ---------------------------------------------------------------


def little_app(rows: int) -> None:
    import pandas as pd

    from analytics.ui import tables

    frame = pd.DataFrame({"manager_name": [f"M{i}" for i in range(rows)], "district": ["浦东"] * rows})
    tables.table(frame, "compliance", key="little", file_name="little.csv")


@pytest.fixture()
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse holding only the app's own tables (the audit trail)."""
    path = tmp_path / "app.duckdb"
    with db.connect(path) as con:
        audit.ensure_tables(con)
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    return path


def run_little_app(rows: int, lang: str) -> AppTest:
    at = AppTest.from_function(little_app, args=(rows,), default_timeout=60)
    at.session_state["_user"] = MANAGER
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_download_is_written_when_clicked_in_the_language_shown_and_audited(warehouse, monkeypatch):
    offered = offered_downloads(monkeypatch)
    at = run_little_app(3, "en")
    assert unlabelled_columns(at) == []
    assert [b.label for b in at.get("download_button")] == ["Download data (CSV)"]
    assert list(offered) == ["little.csv"] and exports(warehouse) == []  # nothing written before a click
    # The click comes after the run, outside it: the file is still in the language the user saw.
    rows = csv_rows(offered["little.csv"]())
    assert rows[0] == {"Account manager": "M0", "District": "浦东"} and len(rows) == 3
    assert exports(warehouse) == [("m1", "manager", "compliance table", "little.csv")]
    offered["little.csv"]()
    assert len(exports(warehouse)) == 2  # every click is an export


def test_a_long_list_shows_its_first_rows_and_downloads_them_all(warehouse, monkeypatch):
    offered = offered_downloads(monkeypatch)
    at = run_little_app(tables.MAX_SHOWN + 7, "zh")
    assert len(at.dataframe[0].value) == tables.MAX_SHOWN
    assert any(f"共 {tables.MAX_SHOWN + 7:,} 行" in c.value for c in at.caption)
    assert len(csv_rows(offered["little.csv"]())) == tables.MAX_SHOWN + 7


def test_an_empty_table_says_so_and_offers_no_file(warehouse, monkeypatch):
    offered = offered_downloads(monkeypatch)
    at = run_little_app(0, "zh")
    assert not at.dataframe and [i.value for i in at.info] == ["当前筛选条件下没有数据。"]
    assert not at.get("download_button") and offered == {}


# ---- the pages that draw lists ---------------------------------------------------------------------


def test_every_compliance_list_draws_every_column_and_downloads_worded(scored_copy, monkeypatch):
    offered = offered_downloads(monkeypatch)
    at = open_page(scored_copy, monkeypatch, "pages/compliance.py")
    for section in compliance_ui.TABS[:-1]:  # the last one is the trend chart
        at.button_group(key="compliance_section").set_value(section).run()
        assert not at.exception
        assert at.dataframe and unlabelled_columns(at) == [], section
    at.button_group(key="compliance_section").set_value("managers").run()
    at.session_state["lang"] = "en"
    at.run()
    managers = at.dataframe[0].value
    rows = csv_rows(offered["compliance_managers.csv"]())
    assert [r["Account manager"] for r in rows] == list(managers["manager_name"])
    assert {r["District"] for r in rows} == set(managers["district"])
    assert not any("\u4e00" <= ch <= "\u9fff" for r in rows for ch in r["District"])  # worded in English
    assert exports(scored_copy)[-1] == ("head", "head", "compliance table", "compliance_managers.csv")


@pytest.mark.parametrize("page", ["competitor_reports", "interviews", "retention"])
def test_the_daily_work_lists_draw_every_column(scored_path, monkeypatch, page):
    at = open_page(scored_path, monkeypatch, f"pages/{page}.py")
    assert at.dataframe and unlabelled_columns(at) == []


def test_a_list_longer_than_the_page_shows_downloads_whole(scored_copy, monkeypatch):
    offered = offered_downloads(monkeypatch)
    at = open_page(scored_copy, monkeypatch, "pages/interviews.py")  # accounts under their visit quota
    # in the calendar's month, which the data does not reach yet: nearly every account is under quota
    at.selectbox(key="interviews_period").set_value(clock.today().replace(day=1)).run()
    under = int(next(m.value for m in at.metric if m.label == "服务次数未达标").replace(",", ""))
    assert under > tables.MAX_SHOWN and len(at.dataframe[0].value) == tables.MAX_SHOWN
    rows = csv_rows(offered["interviews_visits.csv"]())
    assert len(rows) == under and {r["未达标"] for r in rows} == {"True"}


def test_the_admin_tables_draw_every_column_with_a_header(scored_path, monkeypatch):
    at = open_page(scored_path, monkeypatch, "pages/admin.py", auth.User("admin", "系统管理员", "admin"))
    assert len(at.dataframe) == 2 and unlabelled_columns(at) == []
    assert "username" in at.dataframe[0].value.columns


def test_missing_text_and_times_are_drawn_empty_not_none():
    frame = pd.DataFrame(
        {
            "detail": ["a", None],
            "locked_until_at": pd.to_datetime(["2026-01-31 10:00", None]),
            "due_on": pd.to_datetime(["2026-01-31", None]),
        }
    )
    shown = tables.shown_values(frame)
    assert list(shown["detail"]) == ["a", ""]
    assert list(shown["locked_until_at"]) == ["2026-01-31 10:00", ""]
    assert list(shown["due_on"]) == ["2026-01-31", ""]
    config = tables.column_config(shown, None, "zh")
    assert meant(config["locked_until_at"])["type_config"] == {"type": "text"}  # no date parsing of ""


def test_a_value_longer_than_the_first_rows_gets_the_room_it_needs():
    # The browser sizes a column by its header and first rows: the 11th, longer value would be cut
    # ("3,3" for 3,345,678.00) without an explicit width.
    values = pd.Series(["12.00"] * tables.AUTO_ROWS + ["3,345,678.00"])
    width = tables.column("收入（元）", "收入（元）", values)["width"]
    assert isinstance(width, int) and width >= tables.shown_width("3,345,678.00")
    assert tables.column("产品", "产品", pd.Series(["语音专线", "企业邮箱"])).get("width") is None  # first rows suffice
    assert tables.shown_width("企业") > tables.shown_width("ab")  # CJK characters are wide
    # long text: at least "large", more when three reasons need it, never wider than WIDEST
    reasons = pd.Series(["近6个月成员流失率55.8%；协议2个月后到期；决策人使用异网号码" * 3])
    assert tables.column("churn_reasons", "主要原因", reasons)["width"] == tables.WIDEST
    assert tables.column("churn_reasons", "主要原因", pd.Series(["协议到期"]))["width"] == "large"


def test_a_link_column_is_drawn_as_a_link():
    config = meant(tables.column("account_link", "客户视图", pd.Series(["/account?account=1"])))
    assert config["type_config"]["type"] == "link"
    assert config["label"] == "客户视图" and config["type_config"]["display_text"]


def test_in_a_table_of_wrapped_rows_long_text_is_sized_for_a_few_lines():
    reasons = pd.Series(["近6个月成员流失率55.8%；协议2个月后到期；决策人使用异网号码"])
    one_line = tables.shown_width(reasons.iloc[0])
    width = tables.column("churn_reasons", "主要原因", reasons, wrapped=True)["width"]
    assert tables.NARROWEST_WRAPPED <= width < one_line and width * tables.WRAP_LINES >= one_line
    assert tables.column("account_name", "集团名称", pd.Series(["上海某某"]), wrapped=True).get("width") is None
    # English is not wrapped by the browser beside Chinese names: it keeps a long one-line column
    english = pd.Series(["Members leaving the group in 6 months 55.8%; Agreement ends in 2 months; " * 2])
    assert tables.column("churn_reasons", "Top reasons", english, wrapped=True)["width"] == tables.WIDEST
