"""Recommendations where the data shows a need (mart_peer_benchmarks' peer-group fallback,
sql/queries/score_candidates.sql, analytics/models/scoring.py), English catalogue names, and the
managers' optional contact columns."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from analytics.common import i18n
from analytics.config import AREAS, DEMO_DATA_DIR
from analytics.views.account import view as account
from analytics.warehouse import db

TOP = 5
MIN_PEERS = 20  # mart_peer_benchmarks' smallest peer group


@pytest.fixture(scope="module")
def top_views(scored_path: Path) -> list[account.AccountView]:
    with db.connect(scored_path) as con:
        manager_id = con.execute("select manager_id from app_users where username = 'manager'").fetchone()[0]
        month = account.latest_scored_month(con)
        ids = con.execute(
            """
            select scores.account_id from scores inner join accounts using (account_id)
            where accounts.manager_id = ? and scores.as_of_month = ?
            order by scores.churn_probability desc, scores.account_id limit ?
            """,
            [manager_id, month, TOP],
        ).fetchall()
        return [account.load(con, i, month) for (i,) in ids]


def test_every_area_with_a_need_has_recommendations(top_views):
    """Where half the peers hold a product the account lacks, or an interview voiced the area (and
    the account lacks one of its products), the area's card lists products and has a value."""
    checked = 0
    for v in top_views:
        lacking = v.peers[~v.peers["is_held"]]
        voiced = set(v.needs().query("interview_count > 0")["area"])
        cards = v.opportunities().set_index("area")
        for area in AREAS:
            common = lacking[(lacking["area"] == area) & (lacking["adoption_rate"] >= 0.5)]
            heard = area in voiced and len(lacking[lacking["area"] == area]) > 0
            if len(common) or heard:
                checked += 1
                products = cards.loc[area, "products"]
                assert len(products), (v.account_id, area)
                assert cards.loc[area, "expected_value_yuan"] > 0
                # the card's value is the sum of its products' (what the peers table shows too)
                assert cards.loc[area, "expected_value_yuan"] == pytest.approx(products["expected_value_yuan"].sum())
    assert checked >= TOP  # the test looked at something


def test_peer_groups_are_never_smaller_than_the_minimum(scored_path):
    with db.connect(scored_path) as con:
        rows = con.execute(
            "select peer_level, min(peer_account_count), count(*) from mart_peer_benchmarks group by all"
        ).fetchall()
        # the narrowest level is the industry × size band's own count
        cell = con.execute("""
            with counts as (
                select industry, size_band, billing_month, count(*) as n
                from int_recent_accounts_in_service group by all
            )
            select count(*) from mart_peer_benchmarks inner join counts using (industry, size_band, billing_month)
            where (peer_level = 'industry_size') <> (n >= 20)
                or (peer_level = 'industry_size' and n <> peer_account_count)
        """).fetchone()[0]
    levels = {level: low for level, low, _ in rows}
    assert set(levels) <= {"industry_size", "industry", "size", "all"} and "industry_size" in levels
    assert all(low >= MIN_PEERS for level, low in levels.items() if level != "all")
    assert cell == 0


def test_voiced_needs_make_candidates(scored_path):
    """An account whose interviews voiced an area gets that area's products as candidates, marked
    'need' (or 'named'); peers' whitespace is marked 'peers'."""
    with db.connect(scored_path) as con:
        bases = dict(
            con.execute(
                "select basis, count(*) from score_recommendations "
                "where as_of_month = (select max(as_of_month) from scores) group by all"
            ).fetchall()
        )
    assert bases.get("peers", 0) > 0 and bases.get("need", 0) + bases.get("named", 0) > 0


def test_catalogue_products_have_english_names():
    with (DEMO_DATA_DIR / "products.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        assert row["name_en"]
        assert i18n.label("product", row["product_id"], "en") == row["name_en"]
        assert i18n.label("product", row["product_id"], "zh") == row["product_name"]
        assert account.product_label(row["product_id"], row["product_name"], "en") == row["name_en"]
        assert i18n.label("product_value", row["product_id"], "en") != f"{row['product_id']}"
    assert i18n.label("size_band", 1, "zh") == "50–199人"
    assert i18n.label("department", "信息中心", "en") == "IT centre"


def test_a_warehouse_of_an_earlier_version_gains_the_managers_contact_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(
        "create table managers (manager_id varchar primary key, manager_name varchar not null, "
        "district varchar not null, team varchar not null)"
    )
    con.execute(
        "insert into managers (manager_id, manager_name, district, team) values ('M1', '王伟', '浦东', '浦东政企1组')"
    )
    db.add_new_columns(con)
    assert con.execute("select manager_id, phone, email from managers").fetchall() == [("M1", None, None)]
    con.close()


def test_the_demo_managers_have_a_phone_and_e_mail(demo_con):
    missing = demo_con.execute("select count(*) from managers where phone is null or email is null").fetchone()[0]
    assert missing == 0
