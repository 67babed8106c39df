"""The heads' pipeline view (analytics/views/pipeline/funnel.py): the stage-weighted forecast
against targets checked against hand-written SQL on the demo, conversion and cycle time on a
hand-made stage history, a district head's reach, and the page in both languages (AppTest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from apptest import signed_in, unlabelled_columns
from streamlit.testing.v1 import AppTest

from analytics.access import auth
from analytics.common import rules
from analytics.common.filters import Filters
from analytics.views.pipeline import funnel
from analytics.warehouse import db

ROOT = Path(__file__).resolve().parents[2]
P = rules.DEFAULT_PIPELINE


@pytest.fixture()
def con(scored_path):
    # read-write, as the app's connection and the other tests in this process open the file (DuckDB
    # refuses a second connection to it with another configuration)
    con = db.connect(scored_path)
    yield con
    con.close()


def everything(scope=None) -> Filters:
    return Filters(month=dt.date(2026, 9, 1), scope_managers=scope)


def demo_today(con) -> dt.date:
    """A day just after the demo's pipeline history ends (its open opportunities still open)."""
    return con.execute("select max(changed_at)::date + 3 from opportunity_stage_changes").fetchone()[0]


HAND_FORECAST = """
with o as (
    select o.*, a.district, o.expected_monthly_yuan * 12 + o.expected_one_off_yuan as value
    from opportunities o join stg_accounts a using (account_id)
),
won as (
    select district, owner_id, sum(value) as signed from o
    where stage = '签约' and date_trunc('quarter', closed_at)::date = $quarter group by all
),
open_ as (
    select district, owner_id,
        sum(value * case stage when '需求确认' then 0.1 when '方案制定' then 0.3
            when '方案提交' then 0.5 when '商务谈判' then 0.7 end) as weighted
    from o
    where stage not in ('签约', '未成交')
        and date_trunc('quarter', greatest(expected_close_month, date_trunc('month', $today::date)))::date = $quarter
    group by all
)
select t.district, t.manager_id, t.target_yuan::double as target,
    coalesce(won.signed, 0)::double as signed, coalesce(open_.weighted, 0)::double as weighted,
    (t.target_yuan - coalesce(won.signed, 0) - coalesce(open_.weighted, 0))::double as gap
from pipeline_targets t
left join won on won.district = t.district and won.owner_id = t.manager_id
left join open_ on open_.district = t.district and open_.owner_id = t.manager_id
where t.quarter = $quarter and t.manager_id is not null
order by t.district, t.manager_id
"""


@pytest.mark.parametrize("quarters_back", [0, 1])  # this quarter (mostly open), the last (signed)
def test_the_forecast_against_targets_is_the_hand_written_sums(con, quarters_back):
    today = demo_today(con)
    quarter = (pd.Timestamp(funnel.current_quarter(today)) - pd.DateOffset(months=3 * quarters_back)).date()
    frame = funnel.opportunities(con, everything())
    gaps = funnel.against_targets(frame, funnel.targets(con, everything()), P, today)
    mine = gaps[(gaps["quarter"] == quarter) & (gaps["manager_id"] != "")]
    mine = mine.sort_values(["district", "manager_id"]).reset_index(drop=True)
    hand = con.execute(HAND_FORECAST, {"quarter": quarter, "today": today}).df()
    assert len(mine) == len(hand) > 0
    assert list(mine["manager_id"]) == list(hand["manager_id"])
    for ours, theirs in (("target_yuan", "target"), ("signed_yuan", "signed"), ("weighted_yuan", "weighted")):
        assert mine[ours].to_numpy() == pytest.approx(hand[theirs].to_numpy(), abs=0.01), ours
    assert mine["gap_yuan"].to_numpy() == pytest.approx(hand["gap"].to_numpy(), abs=0.01)
    # the part the quarter is about is exercised: open value ahead, or value signed behind
    assert hand["weighted" if quarters_back == 0 else "signed"].sum() > 0
    # a district's own row: its managers' signed and weighted values together, against its target
    district = gaps[(gaps["quarter"] == quarter) & (gaps["manager_id"] == "")].set_index("district")
    summed = hand.groupby("district")[["signed", "weighted"]].sum()
    assert district["signed_yuan"].reindex(summed.index).to_numpy() == pytest.approx(summed["signed"].to_numpy())
    assert district["weighted_yuan"].reindex(summed.index).to_numpy() == pytest.approx(summed["weighted"].to_numpy())


def test_the_monthly_forecast_weights_every_open_opportunity_once(con):
    today = demo_today(con)
    frame = funnel.opportunities(con, everything())
    months = funnel.forecast_by_month(frame, P, today)
    total = con.execute(
        """
        select sum((expected_monthly_yuan * 12 + expected_one_off_yuan) * case stage when '需求确认' then 0.1
            when '方案制定' then 0.3 when '方案提交' then 0.5 when '商务谈判' then 0.7 end)::double
        from opportunities where stage not in ('签约', '未成交')
        """
    ).fetchone()[0]
    assert months["weighted_yuan"].sum() == pytest.approx(total)
    assert months["forecast_yuan"].to_numpy() == pytest.approx(months["signed_yuan"] + months["weighted_yuan"])
    assert months["month"].min() == pd.Timestamp(funnel.current_quarter(today))


def changes(*rows) -> pd.DataFrame:
    """A hand-made stage history: (opportunity, to_stage, day of December 2026)."""
    frame = pd.DataFrame(rows, columns=["opportunity_id", "to_stage", "day"])
    return pd.DataFrame(
        {
            "opportunity_id": frame["opportunity_id"],
            "from_stage": None,
            "to_stage": frame["to_stage"],
            "changed_at": [pd.Timestamp(2026, 12, d) for d in frame["day"]],
            "written": range(len(frame)),
        }
    )


def test_conversion_and_cycle_time_from_a_hand_made_history():
    history = changes(
        ("a", "需求确认", 1), ("a", "方案制定", 5), ("a", "方案提交", 15), ("a", "商务谈判", 16), ("a", "签约", 20),
        ("b", "需求确认", 1), ("b", "方案制定", 3), ("b", "未成交", 10),
        ("c", "需求确认", 2), ("c", "未成交", 8),
        ("d", "需求确认", 4),  # still in its first stage: entered, not decided
    )  # fmt: skip
    out = funnel.conversion(history, P).set_index("stage")
    first = out.loc["需求确认"]
    assert (first["entered_count"], first["left_count"], first["advanced_count"]) == (4, 3, 2)
    assert first["conversion_rate"] == pytest.approx(2 / 3)
    assert first["median_days"] == pytest.approx(4)  # 4, 2 and 6 days
    second = out.loc["方案制定"]
    assert (second["entered_count"], second["advanced_count"], second["conversion_rate"]) == (2, 1, 0.5)
    assert second["median_days"] == pytest.approx(8.5)  # 10 and 7 days
    last = out.loc["商务谈判"]
    assert (last["next_stage"], last["conversion_rate"], last["median_days"]) == ("签约", 1.0, 4.0)


def test_stalled_and_lost_reasons():
    frame = pd.DataFrame(
        {
            "opportunity_id": ["a", "b", "c", "d", "e"],
            "stage": ["需求确认", "商务谈判", "未成交", "未成交", "未成交"],
            "stage_since": pd.to_datetime(
                ["2026-10-01 10:00", "2026-11-20 00:00", "2026-09-01 00:00", "2026-09-01 00:00", "2026-09-01 00:00"]
            ),
            "value_yuan": [1000.0, 2000.0, 300.0, 500.0, 700.0],
            "lost_reason": [None, None, "竞争对手", "竞争对手", "价格"],
            "lost_competitor": [None, None, "中国电信", "中国电信", "中国联通"],  # a price loss names none
        }
    )
    late = funnel.stalled(frame, P, dt.date(2026, 11, 30))
    assert list(late["opportunity_id"]) == ["a"] and late["days_in_stage"].iloc[0] == 60
    lost = funnel.lost_reasons(frame, P).reset_index(drop=True)
    assert lost.to_dict("records") == [
        {"lost_reason": "竞争对手", "lost_competitor": "中国电信", "opportunity_count": 2, "value_yuan": 800.0},
        {"lost_reason": "价格", "lost_competitor": "", "opportunity_count": 1, "value_yuan": 700.0},
    ]


def district_head(con) -> auth.User:
    return auth.current(con, auth.User("district_head", "", "head"))


def test_a_district_head_sees_only_the_district(con):
    head = district_head(con)
    assert head.district
    scope = auth.scope_managers(con, head)
    frame = funnel.opportunities(con, everything(scope))
    assert len(frame) and set(frame["district"]) == {head.district}
    everyone = funnel.opportunities(con, everything())
    assert frame["district"].nunique() < everyone["district"].nunique()
    mine = funnel.targets(con, everything(scope))
    assert len(mine) and set(mine["district"]) == {head.district}
    assert set(mine["manager_id"].dropna()) <= set(scope)
    assert set(funnel.by_group(frame, P, "owner")["district"]) == {head.district}
    # the funnel's stages account for every open opportunity in reach
    stages = funnel.by_stage(frame, P)
    assert stages["opportunity_count"].sum() == len(funnel.open_only(frame, P))


# The column each table is known by (what a reader finds a row by).
IDENTIFYING = {"stage", "district", "owner_name", "account_name", "lost_reason", "month", "manager_name"}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_page_opens_for_heads_with_every_table_labelled(scored_path, monkeypatch, language):
    with db.connect(scored_path) as c:  # as the app's connection in this process opens it
        users = [auth.User("head", "集团客户部负责人", "head"), district_head(c)]
    monkeypatch.setenv("NEEDSMINE_DB", str(scored_path))
    for user in users:
        at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), user)
        at.session_state["lang"] = language
        at.run()
        at.switch_page("pages/pipeline.py")
        at.run()
        assert not at.exception, at.exception
        assert at.title[0].value == ("商机漏斗与签约预测" if language == "zh" else "Pipeline and signing forecast")
        assert len(at.dataframe) >= 7
        assert unlabelled_columns(at) == []
        for number, table in enumerate(at.dataframe):
            assert IDENTIFYING & set(table.value.columns), f"table {number}: {list(table.value.columns)}"


def test_stage_weights_come_from_the_rules_and_a_bad_one_names_its_key(tmp_path):
    text = rules.DEFAULT_RULES.read_text(encoding="utf-8")
    assert rules.load().pipeline.weight("方案提交") == 0.5 and P.weight("签约") == 1.0 and P.weight("未成交") == 0.0
    custom = tmp_path / "rules.toml"
    custom.write_text(
        text.replace('"方案提交" = 0.5', '"方案提交" = 0.4').replace("stalled_days = 30", "stalled_days = 21"),
        encoding="utf-8",
    )
    changed = rules.load(custom).pipeline
    assert changed.weight("方案提交") == 0.4 and changed.stalled_days == 21
    for bad, key in (
        ('"方案提交" = 1.5', "opportunities.stage_weights.方案提交"),  # above 1
        ('"方案提交" = 0.5, "报价" = 0.2', "opportunities.stage_weights.报价"),  # not a stage
    ):
        broken = tmp_path / "broken.toml"
        broken.write_text(text.replace('"方案提交" = 0.5', bad), encoding="utf-8")
        with pytest.raises(rules.RulesError, match=key.replace(".", r"\.")):
            rules.load(broken)
    missing = tmp_path / "missing.toml"
    missing.write_text(text.replace(', "方案提交" = 0.5', ""), encoding="utf-8")
    with pytest.raises(rules.RulesError, match="方案提交"):
        rules.load(missing)
