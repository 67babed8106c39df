"""The demo's pipeline history (商机) agrees with its mechanism: product starts mostly preceded by
an opportunity signed before the first bill, lost ones with a reason (and the competitor when lost
to one), stage histories in order with durations an operator would recognise."""

from __future__ import annotations

from analytics.common import rules

P = rules.DEFAULT_PIPELINE


def rows(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchall()


def test_product_starts_are_mostly_preceded_by_a_won_opportunity(demo_con):
    ((starts, covered),) = rows(
        demo_con,
        """
        with firsts as (
            select b.account_id, b.product_id, min(b.billing_month) as first_month
            from billing_monthly b group by all
        ),
        opened as (select account_id, min(billing_month) as opened from billing_monthly group by all),
        starts as (select f.* from firsts f join opened using (account_id) where f.first_month > opened)
        select count(*), count(*) filter (where exists (
            select 1 from opportunities o where o.account_id = s.account_id and o.stage = '签约'
                and list_contains(o.product_ids, s.product_id) and o.closed_at < s.first_month
                and o.closed_at >= s.first_month - interval 2 month))
        from starts s
        """,
    )
    assert starts > 100 and 0.7 <= covered / starts <= 0.95


def test_win_rate_lost_reasons_and_competitors(demo_con):
    counts = dict(rows(demo_con, "select stage, count(*) from opportunities group by all"))
    won, lost = counts[P.won], counts[P.lost]
    assert 0.4 <= won / (won + lost) <= 0.75  # a win rate an operator would recognise
    assert sum(counts.get(s, 0) for s in P.stages) > 20  # open ones to follow on first start
    assert set(counts) <= set(P.all_stages)
    reasons = dict(
        rows(demo_con, "select lost_reason, count(*) from opportunities where stage = '未成交' group by all")
    )
    assert set(reasons) == set(P.lost_reasons)
    assert reasons[P.competitor_reason] == max(reasons.values())
    ((missing,),) = rows(
        demo_con,
        "select count(*) from opportunities "
        "where stage = '未成交' and ((lost_reason = ?) <> (lost_competitor is not null))",
        [P.competitor_reason],
    )
    assert missing == 0
    ((open_with_step,),) = rows(
        demo_con,
        "select bool_and(next_step is not null and next_step_on is not null) from opportunities "
        "where not list_contains(?, stage)",
        [list(P.closed)],
    )
    assert open_with_step


def test_stage_histories_run_in_order_with_believable_durations(demo_con):
    ((broken,),) = rows(
        demo_con,
        """
        with ordered as (
            select *, row_number() over (partition by opportunity_id order by rowid) as n,
                lag(to_stage) over (partition by opportunity_id order by rowid) as before,
                lag(changed_at) over (partition by opportunity_id order by rowid) as before_at
            from opportunity_stage_changes
        )
        select count(*) from ordered
        where (n = 1 and from_stage is not null) or (n > 1 and (from_stage <> before or changed_at < before_at))
        """,
    )
    assert broken == 0
    ((last_stage_wrong,),) = rows(
        demo_con,
        """
        select count(*) from opportunities o
        where o.stage <> (select to_stage from opportunity_stage_changes c where c.opportunity_id = o.opportunity_id
                          order by rowid desc limit 1)
            or o.version <> (select count(*) from opportunity_stage_changes c where c.opportunity_id = o.opportunity_id)
        """,
    )
    assert last_stage_wrong == 0
    medians = dict(
        rows(
            demo_con,
            """
            select to_stage, median(date_diff('day', changed_at, next_at)) from (
                select *, lead(changed_at) over (partition by opportunity_id order by rowid) as next_at
                from opportunity_stage_changes) where next_at is not null group by all
            """,
        )
    )
    assert all(5 <= medians[s] <= 30 for s in P.stages)
    ((proposals_before_stage,),) = rows(
        demo_con,
        """
        select count(*) from opportunity_proposals p
        where not exists (select 1 from opportunity_stage_changes c where c.opportunity_id = p.opportunity_id
                          and c.to_stage = '方案提交' and c.changed_at <= p.sent_at)
        """,
    )
    assert proposals_before_stage == 0


def test_truth_of_each_opportunity_agrees_with_its_outcome(demo_con):
    """truth_opportunities: one row per opportunity, its drawn outcome the opportunity's stage, and
    the outcomes drawn from the probabilities (calibrated in bins, won ones more probable)."""
    ((missing, extra, wrong),) = rows(
        demo_con,
        """
        select count(*) filter (where t.opportunity_id is null),
            (select count(*) from truth_opportunities) - count(*),
            count(*) filter (where t.is_won is distinct from
                case o.stage when '签约' then true when '未成交' then false end)
        from opportunities o left join truth_opportunities t using (opportunity_id)
        """,
    )
    assert (missing, extra, wrong) == (0, 0, 0)
    bins = rows(
        demo_con,
        """
        select ntile, avg(win_probability), avg(is_won::int), count(*) from (
            select *, ntile(5) over (order by win_probability) as ntile
            from truth_opportunities where is_won is not null) group by all order by 1
        """,
    )
    assert len(bins) == 5
    for _, predicted, observed, n in bins:
        assert abs(predicted - observed) < 3 * (predicted * (1 - predicted) / n) ** 0.5 + 0.02
    assert bins[-1][2] - bins[0][2] > 0.4  # the probability separates won from lost
