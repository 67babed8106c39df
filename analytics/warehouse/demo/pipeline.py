"""The demo's pipeline history (商机, issue 15 items 5–6), drawn from what the mechanism already made,
so that it agrees with it. Candidates (mechanism.py has the win probability):

- ready: most product starts of an account already billed (a new product of an area,
  `billing_monthly`) had an opportunity opened weeks before, its products the ones started, its
  expected value near the first month's revenue; won, it is signed a few days to weeks before the
  first bill; lost, it closes before the start;
- need: needs voiced in interviews that no start of the area followed within six months; mostly
  lost at some stage, for a reason from the rules' list — to a named competitor more often where
  competitors were reported on the account; won now and then (signed, its products never billed);
- open: needs voiced in the last three months, still being worked, some with their next step overdue.

Each closed one's outcome is drawn from its win probability, kept in `truth_opportunities`. Stage
durations are drawn per stage (days: a week or two to confirm, longer to negotiate), proposals are
sent on entering 方案提交 (sometimes a revised one in negotiation). A generator of its own
(`[seed, 7701]`) leaves the demo's other draws as they were.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from scipy.special import expit

from analytics.common import rules
from analytics.warehouse.demo.mechanism import MECHANISM

WIN_COVERAGE = 0.92  # share of product starts with an opportunity opened before them (ready ones)
NEED_PER_READY = 0.6  # opportunities on needs no start followed, per ready one (a win rate near 58 %)
OPEN_PER_MANAGER = 4  # open opportunities per manager at the end, about
STAGE_DAYS = (12.0, 16.0, 9.0, 18.0)  # median days in each open stage (lognormal)
LOST_AT = (0.3, 0.25, 0.25, 0.2)  # the stage a lost opportunity had reached
REASONS = {"价格": 0.3, "竞争对手": 0.3, "无预算": 0.15, "他处决策": 0.12, "需求消失": 0.13}
COMPETITORS = {"中国电信": 0.5, "中国联通": 0.35, "中国广电": 0.1, "其他": 0.05}
SOURCES = ("card", "recommendation", "interview", "list")
NEXT_STEPS = ("预约决策人沟通方案", "提交报价单", "安排技术交流", "跟进合同审批", "现场勘查", "补充方案材料")


def _days(rng: np.random.Generator, stage: int) -> pd.Timedelta:
    return pd.Timedelta(days=float(max(1.0, rng.lognormal(np.log(STAGE_DAYS[stage]), 0.45))))


class _Out:
    """Rows of the three tables, collected as dicts."""

    def __init__(self) -> None:
        self.opportunities: list[dict] = []
        self.changes: list[dict] = []
        self.proposals: list[dict] = []

    def add(self, rng, row: dict, stages: list[str], times: list[pd.Timestamp], by: str) -> str:
        oid = f"O-demo-{len(self.opportunities) + 1:07d}"
        previous = None
        for stage, at in zip(stages, times, strict=True):
            self.changes.append(
                {
                    "change_id": f"S-demo-{len(self.changes) + 1:08d}",
                    "opportunity_id": oid,
                    "from_stage": previous,
                    "to_stage": stage,
                    "changed_at": at.floor("s"),
                    "changed_by": by,
                }
            )
            if stage == "方案提交" or (stage == "商务谈判" and rng.random() < 0.3):
                n = len(self.proposals) + 1
                self.proposals.append(
                    {
                        "proposal_id": f"P-demo-{n:07d}",
                        "opportunity_id": oid,
                        "sent_at": (at + pd.Timedelta(hours=2)).floor("s"),
                        "sent_by": by,
                        "language": "zh",
                        "file_name": f"服务方案_{row['account_id']}_{at:%Y%m}.docx",
                        "sha256": hashlib.sha256(f"{oid}:{n}".encode()).hexdigest(),
                    }
                )
            previous = stage
        last = times[-1].floor("s")
        self.opportunities.append(
            row
            | {
                "opportunity_id": oid,
                "stage": stages[-1],
                "created_at": times[0].floor("s"),
                "updated_at": last,
                "version": len(stages),
            }
        )
        return oid


def _path(rng, p: rules.Pipeline, start: pd.Timestamp, reached: int) -> tuple[list[str], list[pd.Timestamp]]:
    """The open stages up to index `reached`, entered from `start` on."""
    stages, times, at = [], [], start
    for i in range(reached + 1):
        stages.append(p.stages[i])
        times.append(at)
        at = at + _days(rng, i)
    return stages, times + [at]  # the last time: when it would leave the last stage


def generate(con: duckdb.DuckDBPyConnection, seed: int, window_end: np.datetime64) -> dict[str, int]:
    """Write the pipeline tables and `truth_opportunities` from the generated ones; rows written per
    table."""
    rng = np.random.default_rng([seed, 7701])
    p = rules.DEFAULT_PIPELINE
    end = pd.Timestamp(window_end)
    accounts = con.execute("select account_id, manager_id from accounts").df().set_index("account_id")["manager_id"]
    starts = con.execute(
        """
        with firsts as (
            select b.account_id, b.product_id, pr.area::varchar as area, min(b.billing_month) as first_month
            from billing_monthly b join products pr using (product_id) group by all
        ),
        opened as (select account_id, min(billing_month) as opened from billing_monthly group by all)
        select f.account_id, f.area, f.first_month, list(f.product_id order by f.product_id) as product_ids,
            sum(b.revenue_yuan)::double as revenue
        from firsts f join opened o using (account_id)
        join billing_monthly b on b.account_id = f.account_id and b.product_id = f.product_id
            and b.billing_month = f.first_month
        where f.first_month > o.opened
        group by all order by f.first_month, f.account_id, f.area
        """
    ).df()
    candidates: list[_Candidate] = []
    for row in starts.itertuples():
        if rng.random() > WIN_COVERAGE:
            continue
        signed = pd.Timestamp(row.first_month) - pd.Timedelta(
            days=float(rng.uniform(3, 25)), hours=float(rng.uniform(9, 17))
        )
        stages, times = _path(rng, p, signed, 3)
        shift = times[-1] - signed  # the path ends at the signing
        times = [t - shift for t in times]
        monthly = round(row.revenue * rng.uniform(0.8, 1.3), -1)
        one_off = (
            round(monthly * rng.uniform(2, 8), -2)
            if row.area in ("production_control", "mobile_office") and rng.random() < 0.3
            else 0
        )
        record = _record(rng, row.account_id, row.area, list(row.product_ids), monthly, one_off, signed, accounts)
        candidates.append(_Candidate("ready", record, times))
    values = {area: frame["revenue"].to_numpy() for area, frame in starts.groupby("area")}
    rivals = (
        con.execute(
            "select account_id, mode(competitor::varchar) as competitor from competitor_reports "
            "where account_id is not null group by all"
        )
        .df()
        .set_index("account_id")["competitor"]
    )
    ready_n = len(candidates)
    candidates += _needs(con, rng, p, accounts, end, int(ready_n * NEED_PER_READY), values)
    probability = win_probability(con, rng, candidates)
    ready_share = ready_n / max(sum(c.kind != "open" for c in candidates), 1)
    out = _Out()
    truth = []
    for c, prob in zip(candidates, probability, strict=True):
        if c.kind == "open":
            oid = out.add(rng, c.record, c.stages, c.times, c.record["owner_id"])
            averaged = ready_share * prob[1] + (1 - ready_share) * prob[0]
            truth.append((oid, float(averaged), None))
            continue
        p_win = float(prob[1] if c.kind == "ready" else prob[0])
        is_won = bool(rng.random() < p_win)
        stages, times, record = _outcome(rng, p, c, is_won, rivals)
        if times[-1] >= end:  # it would still be open at the end of the window
            continue
        oid = out.add(rng, record, stages, times, record["owner_id"])
        truth.append((oid, p_win, is_won))
    written = _write(con, out)
    frame = pd.DataFrame(truth, columns=["opportunity_id", "win_probability", "is_won"])
    con.register("_truth", frame)
    con.execute("insert into truth_opportunities by name select * from _truth")
    con.unregister("_truth")
    written["truth_opportunities"] = len(frame)
    written["pipeline_targets"] = _targets(con, rng, end)
    return written


@dataclass
class _Candidate:
    """An opportunity before its outcome: `kind` ready (a product start follows), need (a voiced
    need no start followed) or open; `times` the entries of its four open stages and the time it
    would leave the last (open ones: the stages entered by the end, `stages` set)."""

    kind: str
    record: dict
    times: list[pd.Timestamp]
    stages: list[str] | None = None


def _outcome(rng, p: rules.Pipeline, c: _Candidate, is_won: bool, rivals) -> tuple[list[str], list, dict]:
    """The stages, their times and the record of a closed candidate won or lost as drawn."""
    record = dict(c.record)
    if is_won:
        signed = c.times[-1]
        record["expected_close_month"] = signed.to_period("M").to_timestamp().date()
        record["closed_at"] = signed.floor("s")
        return [*p.stages, p.won], list(c.times), record
    reached = int(rng.choice(4, p=LOST_AT))
    closed = c.times[reached + 1]
    reason = str(rng.choice(list(REASONS), p=list(REASONS.values())))
    competitor = None
    if record["account_id"] in rivals.index and rng.random() < 0.6:
        reason, competitor = p.competitor_reason, rivals[record["account_id"]]
    elif reason == p.competitor_reason:
        competitor = str(rng.choice(list(COMPETITORS), p=list(COMPETITORS.values())))
    record |= {"lost_reason": reason, "lost_competitor": competitor, "closed_at": closed.floor("s")}
    return [*p.stages[: reached + 1], p.lost], [*c.times[: reached + 1], closed], record


def win_probability(con: duckdb.DuckDBPyConnection, rng: np.random.Generator, candidates: list[_Candidate]):
    """(n, 2) array: each candidate's win probability not ready (column 0) and ready (column 1), by
    the mechanism's logit (mechanism.py: propensity of the area at the month before, competitor
    reports in the 180 days before, interviews in the 90 days before, value, key account, latent)."""
    m = MECHANISM
    frame = pd.DataFrame(
        {
            "i": np.arange(len(candidates)),
            "account_id": [c.record["account_id"] for c in candidates],
            "area": [c.record["area"] for c in candidates],
            "created_at": [c.times[0] for c in candidates],
        }
    )
    con.register("_candidates", frame)
    seen = con.execute(
        """
        select c.i, coalesce(t.window_probability, ?)::double as q,
            exists (select 1 from competitor_reports r where r.account_id = c.account_id
                and r.reported_at < c.created_at and r.reported_at >= c.created_at - interval 180 day) as has_rival,
            (select count(*) from interactions v where v.account_id = c.account_id
                and v.occurred_at < c.created_at and v.occurred_at >= c.created_at - interval 90 day) as visits,
            a.is_key_account
        from _candidates c join accounts a using (account_id)
        left join truth_adoption t on t.account_id = c.account_id and t.area::varchar = c.area
            and t.billing_month = date_trunc('month', c.created_at) - interval 1 month
        order by c.i
        """,
        [m.win_q_ref],
    ).df()
    con.unregister("_candidates")
    q = seen["q"].clip(0.005, 0.9).to_numpy()
    monthly = np.array([max(float(c.record["expected_monthly_yuan"]), 10.0) for c in candidates])
    logit = (
        m.win_intercept
        + m.win_propensity * (np.log(q / (1 - q)) - np.log(m.win_q_ref / (1 - m.win_q_ref)))
        + m.win_competitor * seen["has_rival"].to_numpy(dtype=float)
        + m.win_visits * np.minimum(seen["visits"].to_numpy(dtype=float), 3)
        + m.win_value * np.log(monthly / m.win_value_ref)
        + m.win_key * seen["is_key_account"].to_numpy(dtype=float)
        + rng.normal(0, m.win_latent, len(candidates))
    )
    return expit(np.column_stack([logit, logit + m.win_ready]))


TARGET_QUARTERS_BACK, TARGET_QUARTERS_AHEAD = 3, 2  # quarters with targets around the window's end


def _targets(con: duckdb.DuckDBPyConnection, rng: np.random.Generator, end: pd.Timestamp) -> int:
    """Quarterly signing targets (pipeline_targets) around the window's end: each manager's is the
    first-year value (monthly × 12 + one-off) they signed in an average quarter of the history,
    raised 5–30% and rounded to thousands; the district's is its managers' sum raised up to 5%."""
    signed = con.execute(
        """
        with quarters as (select count(distinct date_trunc('quarter', closed_at)) as n
            from opportunities where stage = ? and closed_at is not null)
        select m.manager_id, m.district,
            coalesce(sum(o.expected_monthly_yuan * 12 + o.expected_one_off_yuan), 0)::double
                / greatest(max(q.n), 1) as per_quarter
        from managers m cross join quarters q
        left join opportunities o on o.owner_id = m.manager_id and o.stage = ?
        group by all order by m.district, m.manager_id
        """,
        [rules.DEFAULT_PIPELINE.won, rules.DEFAULT_PIPELINE.won],
    ).df()
    first = pd.Timestamp(end).to_period("Q") - TARGET_QUARTERS_BACK
    rows = []
    for step in range(TARGET_QUARTERS_BACK + TARGET_QUARTERS_AHEAD + 1):
        quarter = (first + step).start_time.date()
        for district, frame in signed.groupby("district", sort=True):
            total = 0.0
            for row in frame.itertuples():
                target = round(max(row.per_quarter, 20000.0) * float(rng.uniform(1.05, 1.3)), -3)
                rows.append((quarter, district, row.manager_id, target))
                total += target
            rows.append((quarter, district, None, round(total * float(rng.uniform(1.0, 1.05)), -3)))
    frame = pd.DataFrame(rows, columns=["quarter", "district", "manager_id", "target_yuan"])
    con.register("_targets", frame)
    con.execute("insert into pipeline_targets by name select * from _targets")
    con.unregister("_targets")
    return len(frame)


def _record(rng, account_id, area, products, monthly, one_off, close, accounts) -> dict:
    return {
        "account_id": account_id,
        "area": area,
        "product_ids": products,
        "expected_monthly_yuan": float(max(monthly, 10)),
        "expected_one_off_yuan": float(one_off),
        "expected_close_month": pd.Timestamp(close).to_period("M").to_timestamp().date(),
        "owner_id": accounts[account_id],
        "next_step": None,
        "next_step_on": None,
        "lost_reason": None,
        "lost_competitor": None,
        "source": SOURCES[int(rng.integers(len(SOURCES)))],
        "closed_at": None,
        "open_key": None,
    }


def _needs(con, rng, p: rules.Pipeline, accounts, end: pd.Timestamp, need_n: int, values) -> list[_Candidate]:
    """Candidates from needs voiced in interviews: `need_n` from needs that no start of the area
    followed within six months (voiced before the last three months), and open ones from recent
    needs; their value a month drawn from the first months' revenue of the products started in the
    area (`values`)."""
    needs = con.execute(
        """
        with voiced as (
            select i.account_id, unnest(i.needs_found)::varchar as area, i.occurred_at from interactions i
        ),
        firsts as (
            select b.account_id, pr.area::varchar as area, b.product_id, min(b.billing_month) as first_month
            from billing_monthly b join products pr using (product_id) group by all
        )
        select v.account_id, v.area, min(v.occurred_at) as voiced_at
        from voiced v
        where not exists (
            select 1 from firsts f where f.account_id = v.account_id and f.area = v.area
                and f.first_month between v.occurred_at - interval 1 month and v.occurred_at + interval 6 month
        )
        group by all order by voiced_at, account_id, area
        """
    ).df()
    products = con.execute("select product_id, area::varchar as area from products").df()
    by_area = {area: (frame, values.get(area, np.array([500.0]))) for area, frame in products.groupby("area")}
    recent = end - pd.DateOffset(months=3)
    old, new = needs[needs["voiced_at"] < recent], needs[needs["voiced_at"] >= recent]
    out: list[_Candidate] = []
    for row in old.iloc[np.sort(rng.choice(len(old), min(len(old), need_n), replace=False))].itertuples():
        stages, times = _path(rng, p, pd.Timestamp(row.voiced_at) + pd.Timedelta(days=float(rng.uniform(1, 10))), 3)
        out.append(_Candidate("need", _offer(rng, row, by_area, times[-1], accounts), times))
    open_n = min(len(new), OPEN_PER_MANAGER * accounts.nunique())
    for row in new.iloc[np.sort(rng.choice(len(new), open_n, replace=False))].itertuples():
        start = max(pd.Timestamp(row.voiced_at), end - pd.Timedelta(days=float(rng.uniform(5, 80))))
        stages, times, at = [], [], start
        for i in range(4):  # the stages entered by the end of the window
            if at >= end:
                break
            stages.append(p.stages[i])
            times.append(at)
            at = at + _days(rng, i)
        if not stages:
            continue
        record = _offer(rng, row, by_area, end + pd.DateOffset(months=int(rng.integers(1, 4))), accounts)
        record |= {
            "next_step": NEXT_STEPS[int(rng.integers(len(NEXT_STEPS)))],
            "next_step_on": (end + pd.Timedelta(days=int(rng.integers(-10, 25)))).date(),  # some overdue
            "open_key": f"{row.account_id}|{row.area}",
        }
        out.append(_Candidate("open", record, times, stages))
    return out


def _offer(rng, row, by_area, close, accounts) -> dict:
    catalogue, revenues = by_area[row.area]
    picked = catalogue.iloc[rng.choice(len(catalogue), min(len(catalogue), int(rng.integers(1, 3))), replace=False)]
    monthly = round(float(rng.choice(revenues)) * float(rng.uniform(0.7, 1.5)) * len(picked), -1)
    return _record(rng, row.account_id, row.area, sorted(picked["product_id"]), monthly, 0, close, accounts)


def _write(con: duckdb.DuckDBPyConnection, out: _Out) -> dict[str, int]:
    frames = {
        "opportunities": pd.DataFrame(out.opportunities),
        "opportunity_stage_changes": pd.DataFrame(out.changes),
        "opportunity_proposals": pd.DataFrame(out.proposals),
    }
    for table, frame in frames.items():
        if frame.empty:
            continue
        con.register("_pipeline", frame)
        con.execute(f"insert into {table} by name select * from _pipeline")
        con.unregister("_pipeline")
    return {table: len(frame) for table, frame in frames.items()}
