"""消费趋势 page and its logic, on the session's prepared demo warehouse."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from apptest import exports, offered_downloads, signed_in, unlabelled_columns
from streamlit.testing.v1 import AppTest

from analytics.common.filters import Filters
from analytics.common.months import add_months
from analytics.views import trends
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/trends.py"


@pytest.fixture(scope="module")
def warehouse(scored_path: Path) -> Path:
    """The prepared warehouse (`scored_path` is already each xdist worker's own copy)."""
    return scored_path


def open_app(path: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> AppTest:
    monkeypatch.setenv("NEEDSMINE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180))
    at.run()
    at.switch_page(page)
    at.run()
    return at


def _month(path) -> dt.date:
    """The month the sidebar opens on: the latest scored month."""
    with db.connect(path) as con:
        return con.execute("select max(as_of_month) from scores").fetchone()[0]


def _sql_revenue(path, month: dt.date, where: str = "true", params: dict | None = None) -> float:
    """Revenue billed in `month` by accounts matching `where`, straight from the raw tables."""
    with db.connect(path) as con:
        return float(
            con.execute(
                f"""select coalesce(sum(b.revenue_yuan), 0) from billing_monthly as b
                    join accounts as a using (account_id) join products as p using (product_id)
                    where b.billing_month = $month and {where}""",
                {"month": month, **(params or {})},
            ).fetchone()[0]
        )


def _sql_billed(path, month: dt.date, where: str = "true", params: dict | None = None) -> int:
    with db.connect(path) as con:
        return con.execute(
            f"""select count(distinct b.account_id) from billing_monthly as b
                join accounts as a using (account_id)
                where b.billing_month = $month and b.revenue_yuan > 0 and {where}""",
            {"month": month, **(params or {})},
        ).fetchone()[0]


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table_with(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_headline_and_year_on_year_match_the_warehouse(warehouse, monkeypatch):
    at = open_app(warehouse, monkeypatch, PAGE)
    assert not at.exception
    month = _month(warehouse)
    year_ago = add_months(month, -12)
    shown = _metrics(at)
    assert shown[f"{month:%Y-%m} 收入（万元）"] == f"{_sql_revenue(warehouse, month) / 1e4:,.1f}"
    assert shown[f"{month:%Y-%m} 出账集团"] == f"{_sql_billed(warehouse, month):,}"
    total_yoy = _sql_revenue(warehouse, month) / _sql_revenue(warehouse, year_ago) - 1
    assert shown["同比"] == f"{total_yoy:+.1%}"

    # The year-on-year table of the default breakdown (by area): each area against SQL.
    yoy = _table_with(at, "revenue_change_yoy").set_index("group")
    area = "p.area = 'mobile_office'"
    now, before = _sql_revenue(warehouse, month, area), _sql_revenue(warehouse, year_ago, area)
    # Drawn as whole yuan and percent points.
    assert yoy.loc["移动办公", "revenue_yuan"] == round(now)
    assert yoy.loc["移动办公", "year_ago_revenue_yuan"] == round(before)
    assert yoy.loc["移动办公", "revenue_change_yoy"] == pytest.approx(100 * (now / before - 1))
    assert yoy.loc["合计", "revenue_yuan"] == round(_sql_revenue(warehouse, month))
    assert yoy.loc["合计", "account_count"] == _sql_billed(warehouse, month)
    assert yoy.loc["合计", "year_ago_account_count"] == _sql_billed(warehouse, year_ago)
    # Every chart's data can be downloaded; every column of every table is drawn with its header.
    assert len(at.get("download_button")) == 5
    assert unlabelled_columns(at) == []


def test_a_download_is_the_charts_data_in_the_language_shown_and_is_audited(scored_copy, monkeypatch):
    offered = offered_downloads(monkeypatch)
    at = open_app(scored_copy, monkeypatch, PAGE)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    month = _month(scored_copy)
    name = f"trends_monthly_area_{month:%Y-%m}_en.csv"
    assert name in offered and exports(scored_copy) == []
    rows = list(csv.DictReader(io.StringIO(offered[name]().decode("utf-8-sig"))))
    assert exports(scored_copy) == [("head", "head", "trends table", name)]
    # By area quantity does not add up in one unit, so it is left out; groups are named, codes kept.
    assert list(rows[0])[0] == "Group" and {"Group code", "Billing month", "Revenue (yuan)"} <= set(rows[0])
    assert "Quantity" not in rows[0]
    assert {r["Group"] for r in rows} >= {"Basic communications", "Mobile office"}


def test_a_district_filter_narrows_every_figure(warehouse, monkeypatch):
    at = open_app(warehouse, monkeypatch, PAGE)
    month = _month(warehouse)
    everywhere = _metrics(at)[f"{month:%Y-%m} 收入（万元）"]
    at.session_state["f_districts"] = ["浦东"]
    at.session_state["trends_dimension"] = "value_class"
    at.run()
    assert not at.exception
    where, params = "a.district = $district", {"district": "浦东"}
    shown = _metrics(at)
    revenue = _sql_revenue(warehouse, month, where, params)
    assert shown[f"{month:%Y-%m} 收入（万元）"] == f"{revenue / 1e4:,.1f}" != everywhere
    assert shown[f"{month:%Y-%m} 出账集团"] == f"{_sql_billed(warehouse, month, where, params):,}"
    yoy = _table_with(at, "revenue_change_yoy").set_index("group")
    class_a = _sql_revenue(warehouse, month, where + " and a.value_class = 'A'", params)
    assert yoy.loc["A类", "revenue_yuan"] == round(class_a)


def test_a_manager_filter_reads_the_base_tables(warehouse, monkeypatch):
    with db.connect(warehouse) as con:
        manager = con.execute(
            "select manager_id from accounts group by manager_id order by count(*) desc limit 1"
        ).fetchone()[0]
    at = open_app(warehouse, monkeypatch, PAGE)
    at.session_state["f_managers"] = [manager]
    at.session_state["trends_dimension"] = "product"
    at.session_state["trends_product"] = "BC01"
    at.run()
    assert not at.exception
    month = _month(warehouse)
    where, params = "a.manager_id = $manager and b.product_id = 'BC01'", {"manager": manager}
    shown = _metrics(at)
    assert shown[f"{month:%Y-%m} 收入（万元）"] == f"{_sql_revenue(warehouse, month, where, params) / 1e4:,.1f}"
    assert shown[f"{month:%Y-%m} 出账集团"] == f"{_sql_billed(warehouse, month, where, params):,}"


def test_the_page_turns_english(warehouse, monkeypatch):
    at = open_app(warehouse, monkeypatch, PAGE)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Consumption trends"
    labels = [m.label for m in at.metric]
    assert "Year on year" in labels and "同比" not in labels
    yoy = _table_with(at, "revenue_change_yoy")
    assert "Basic communications" in set(yoy["group"]) and "Total" in set(yoy["group"])


@pytest.mark.parametrize("dimension", [*trends.DIMENSIONS, trends.COHORT])
def test_the_summary_mart_agrees_with_the_base_tables(warehouse, dimension):
    """Without a manager filter figures come from the summary mart, with one from billing and
    the feature mart: on the same accounts both must give the same numbers."""
    month = _month(warehouse)
    with db.connect(warehouse) as con:
        everyone = tuple(r[0] for r in con.execute("select manager_id from managers").fetchall())
        for product in (None, "MO02"):
            summary = trends.monthly(con, Filters(month=month, districts=("浦东", "闵行")), dimension, product)
            base = trends.monthly(
                con, Filters(month=month, districts=("浦东", "闵行"), scope_managers=everyone), dimension, product
            )
            joined = summary.merge(base, on=["billing_month", "group_value"], how="outer", suffixes=("", "_base"))
            assert len(joined) == len(summary) == len(base) > 0
            assert joined["revenue_yuan"].to_numpy() == pytest.approx(joined["revenue_yuan_base"].to_numpy())
            assert (joined["account_count"] == joined["account_count_base"]).all()
            if trends.grain_of(dimension, product) == "product":
                assert (joined["quantity"] == joined["quantity_base"]).all()


def test_structure_and_cohort_figures(warehouse):
    month = _month(warehouse)
    start = add_months(month, -12)
    with db.connect(warehouse) as con:
        frame = trends.monthly(con, Filters(month=month), "area")
        cohorts = trends.cohorts(con, Filters(month=month))
        by_year = con.execute(
            """select year(a.opened_on)::varchar as opened_year, count(distinct b.account_id) as billed
               from billing_monthly as b join accounts as a using (account_id)
               where b.billing_month = $month and b.revenue_yuan > 0 group by all""",
            {"month": month},
        ).df()
    shares = frame.groupby("billing_month")["revenue_share"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)
    changes = trends.share_change(frame, start, month)
    assert changes["share_change_points"].sum() == pytest.approx(0.0, abs=1e-9)
    assert set(changes["group_value"]) == {"basic_comm", "mobile_office", "production_control", "service_marketing"}

    latest = cohorts[cohorts["billing_month"] == month].set_index("opened_year")["account_count"]
    assert latest.to_dict() == by_year.set_index("opened_year")["billed"].to_dict()
    assert cohorts["retention"].between(0, 1).all()
    assert (cohorts["revenue_per_account_yuan"] > 0).all()
