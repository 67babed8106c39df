"""The business scope (经营范围) in the contract, the importer and the demo (issue 12 item 5)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics.config import AREAS, DEMO_DATA_DIR
from analytics.models.scope.text import items
from analytics.warehouse import db
from analytics.warehouse.importer import import_files

MANAGERS = "工号,姓名,区县,团队\nM1,张三,浦东,一组\n"
ACCOUNTS = (
    "集团编号,集团名称,行业,区县,价值等级,重要集团,客户经理,员工数,单位性质,入网日期,状态,{header}\n"
    'A1,甲物流,交通运输仓储和邮政业,浦东,B,否,M1,80,民营企业,2019-03-01,在网,"道路普通货物运输；仓储服务（不含危险化学品）；'
    '技术服务、技术开发"\n'
    "A2,乙公司,制造业,浦东,C,否,M1,40,民营企业,2020-05-06,在网,\n"
)


def _import(tmp_path: Path, header: str) -> duckdb.DuckDBPyConnection:
    con = db.connect(tmp_path / "w.duckdb")
    db.create_schema(con)
    (tmp_path / "managers.csv").write_text(MANAGERS, encoding="gbk")
    (tmp_path / "accounts.csv").write_text(ACCOUNTS.format(header=header), encoding="gbk")
    assert import_files(con, [tmp_path / "managers.csv", tmp_path / "accounts.csv"]) == {"managers": 1, "accounts": 2}
    return con


def test_the_importer_reads_the_business_scope_under_either_header(tmp_path):
    for header in ("经营范围", "经营范围描述"):
        folder = tmp_path / header
        folder.mkdir()
        con = _import(folder, header)
        rows = con.execute("select account_id, business_scope from accounts order by 1").fetchall()
        con.close()
        assert rows == [("A1", "道路普通货物运输；仓储服务（不含危险化学品）；技术服务、技术开发"), ("A2", None)]


def test_a_warehouse_of_an_earlier_version_gains_the_business_scope(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("create table accounts (account_id varchar primary key, account_name varchar not null)")
    con.execute("insert into accounts values ('A1', '甲公司')")
    db.add_new_columns(con)
    assert con.execute("select account_id, business_scope from accounts").fetchall() == [("A1", None)]
    con.close()


def test_items_split_both_ways_licences_are_written():
    old = "道路普通货物运输；仓储服务（不含危险化学品）；技术服务、技术开发，供应链管理服务。"
    new = (
        "一般项目：仓储服务（不含危险化学品）；供应链管理服务。许可项目：道路普通货物运输。"
        "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
    )
    assert items(old) == ["道路普通货物运输", "仓储服务", "技术服务", "技术开发", "供应链管理服务"]
    assert items(new) == ["仓储服务", "供应链管理服务", "道路普通货物运输"]
    assert items(None) == [] and items("  ") == []


def _bank() -> pd.DataFrame:
    bank = pd.read_csv(DEMO_DATA_DIR / "scope_phrases.csv")
    bank["item"] = [items(p) for p in bank["phrase"]]
    return bank


def test_demo_scopes_read_like_licences_drawn_from_the_phrase_bank(demo_con):
    frame = demo_con.execute("select industry::varchar as industry, business_scope from accounts").df()
    recorded = frame["business_scope"].notna()
    assert 0.75 < recorded.mean() < 0.98  # some none recorded (public bodies above all)
    scopes = frame.loc[recorded, "business_scope"]
    assert scopes.str.contains("；").mean() > 0.7
    assert scopes.str.startswith("一般项目：").mean() > 0.2  # the post-2021 way too
    known = {i for parts in _bank()["item"] for i in parts}
    drawn = [i for s in scopes for i in items(s)]
    assert set(drawn) <= known and len(drawn) / len(scopes) >= 3


def test_demo_scopes_follow_the_latent_needs(demo_con):
    """Accounts with a latent need of an area register an item implying it more often."""
    bank = _bank()
    scopes = demo_con.execute("select account_id, business_scope from accounts where business_scope is not null").df()
    needs = demo_con.execute("select account_id, area::varchar as area, latent_need from truth_needs").df()
    needs = needs.pivot(index="account_id", columns="area", values="latent_need").loc[scopes["account_id"]]
    held = [set(items(s)) for s in scopes["business_scope"]]
    for area in AREAS:
        implying = {i for parts in bank.loc[bank["area"] == area, "item"] for i in parts}
        has = np.array([bool(h & implying) for h in held])
        need = needs[area].to_numpy() > 0
        assert has[need].mean() > has[~need].mean() + 0.12, area
    # Boilerplate implies nothing: as common with the need as without.
    noise = np.array(["技术服务" in h for h in held])
    need = needs["production_control"].to_numpy() > 0
    assert abs(noise[need].mean() - noise[~need].mean()) < 0.08
