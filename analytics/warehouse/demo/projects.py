"""The demo's informatization projects (信息化项目, issue 15 item 2), drawn from the pipeline the
demo already wrote (`pipeline.py`), so that they agree with it:

- every signed opportunity that makes a project (`analytics/common/project_terms.py`: a
  移动办公 or 生产控制 one worth at least the first-year minimum) is one, made a few days after
  signing — except about `LEFT_OPEN` of those signed in the last `RECENT_MONTHS` months, left for
  the manager to make in one click (待立项);
- its milestones follow the opportunity's own stage history: 立项 soon after solution design began,
  方案评审 after the proposal went out, 合同 on the signing day, 实施 a few days to weeks later,
  验收 after one to three months (longer on site, 生产控制); planned dates lie near the actual ones,
  a quarter of them missed by a week or more; a milestone whose day falls after the window's end
  has its plan only;
- collaborators: an industry manager per industry from a small pool, a solution manager and,
  for most projects, a pre-sales or implementation engineer;
- billing needs nothing new: the opportunity's products were started by the mechanism itself
  (their first bill follows the signing), so most revenue arrives; the opportunity's expected
  value was drawn around the first month's revenue, so some arrive below expectation.

A generator of its own (`[seed, 7702]`) leaves the demo's other draws as they were.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analytics.common import project_terms as terms
from analytics.common import rules
from analytics.warehouse.demo.catalogue import GIVEN_CHARS, SURNAMES

LEFT_OPEN = 0.3
RECENT_MONTHS = 6
LATE_SHARE = 0.25  # milestones missed against their plan by a week or more
INDUSTRY_MANAGERS = 8
SOLUTION_TEAM = 10


def _names(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = str(rng.choice(SURNAMES)) + "".join(rng.choice(GIVEN_CHARS, int(rng.integers(1, 3))))
        if name not in names:
            names.append(name)
    return names


def _day(at: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(at).normalize()


def generate(con: duckdb.DuckDBPyConnection, seed: int, window_end: np.datetime64) -> dict[str, int]:
    """Write projects, project_milestones and project_collaborators; rows written per table."""
    rng = np.random.default_rng([seed, 7702])
    p = rules.DEFAULT_PIPELINE
    end = pd.Timestamp(window_end)
    signed = con.execute(
        """
        select o.opportunity_id, o.account_id, a.account_name, a.industry::varchar as industry, o.area::varchar as area,
            o.owner_id, o.closed_at,
            max(s.changed_at) filter (where s.to_stage = ?) as designed_at,
            max(s.changed_at) filter (where s.to_stage = ?) as proposed_at
        from opportunities o join accounts a using (account_id)
        left join opportunity_stage_changes s using (opportunity_id)
        where o.stage = ? and list_contains(?, o.area::varchar)
            and o.expected_monthly_yuan * 12 + o.expected_one_off_yuan >= ?
        group by all order by o.closed_at, o.opportunity_id
        """,
        [p.stages[1], p.stages[2], p.won, list(terms.KINDS), terms.MIN_FIRST_YEAR_YUAN],
    ).df()
    industry_pool = _names(rng, INDUSTRY_MANAGERS)
    team_pool = _names(rng, SOLUTION_TEAM)
    industries = sorted(signed["industry"].unique())
    industry_manager = {name: industry_pool[i % INDUSTRY_MANAGERS] for i, name in enumerate(industries)}
    recent = end - pd.DateOffset(months=RECENT_MONTHS)
    projects, milestones, people = [], [], []
    for row in signed.itertuples():
        closed = pd.Timestamp(row.closed_at)
        if closed >= recent and rng.random() < LEFT_OPEN:
            continue
        project_id = f"J-demo-{len(projects) + 1:06d}"
        kind = terms.KINDS[row.area]
        created = min(closed + pd.Timedelta(days=float(rng.uniform(0.5, 5))), end - pd.Timedelta(hours=1))
        actual = _actual_days(rng, row, closed, kind)
        for milestone, day in zip(terms.MILESTONES, actual, strict=True):
            planned = day
            if milestone != terms.CONTRACT:
                early = rng.uniform(7, 30) if rng.random() < LATE_SHARE else rng.uniform(-3, 5)
                planned = day - pd.Timedelta(days=round(early))
            milestones.append(
                {
                    "project_id": project_id,
                    "milestone": milestone,
                    "planned_on": planned.date(),
                    "actual_on": day.date() if day < end else None,
                    "updated_at": min(max(created, day if day < end else created), end - pd.Timedelta(hours=1)),
                    "updated_by": row.owner_id,
                }
            )
        projects.append(
            {
                "project_id": project_id,
                "opportunity_id": row.opportunity_id,
                "account_id": row.account_id,
                "kind": kind,
                "project_name": f"{row.account_name}{kind}项目",
                "created_at": created.floor("s"),
                "created_by": row.owner_id,
                "updated_at": max(m["updated_at"] for m in milestones[-len(terms.MILESTONES) :]).floor("s"),
                "version": 1 + sum(1 for m in milestones[-len(terms.MILESTONES) :] if m["actual_on"] is not None),
            }
        )
        projects[-1]["updated_at"] = max(projects[-1]["updated_at"], projects[-1]["created_at"])
        team = [(industry_manager[row.industry], "行业经理"), (str(rng.choice(team_pool)), "解决方案经理")]
        if rng.random() < 0.7:
            engineer = str(rng.choice([n for n in team_pool if n != team[1][0]]))
            team.append((engineer, "实施工程师" if kind == "行业应用" else "售前工程师"))
        for name, role in team:
            people.append(
                {
                    "collaborator_id": f"C-demo-{len(people) + 1:07d}",
                    "project_id": project_id,
                    "person_name": name,
                    "role": role,
                    "added_at": created.floor("s"),
                    "added_by": row.owner_id,
                }
            )
    frames = {
        "projects": pd.DataFrame(projects),
        "project_milestones": pd.DataFrame(milestones),
        "project_collaborators": pd.DataFrame(people),
    }
    for table, frame in frames.items():
        if frame.empty:
            continue
        con.register("_projects", frame)
        con.execute(f"insert into {table} by name select * from _projects")
        con.unregister("_projects")
    return {table: len(frame) for table, frame in frames.items()}


def _actual_days(rng: np.random.Generator, row, closed: pd.Timestamp, kind: str) -> list[pd.Timestamp]:
    """The five milestones' actual days, in order: 立项 after design began, 方案评审 after the
    proposal, 合同 the signing day, 实施 and 验收 after it (longer for on-site applications)."""
    contract = _day(closed)
    designed = pd.Timestamp(row.designed_at) if pd.notna(row.designed_at) else closed - pd.Timedelta(days=40)
    proposed = pd.Timestamp(row.proposed_at) if pd.notna(row.proposed_at) else closed - pd.Timedelta(days=15)
    start = min(_day(designed) + pd.Timedelta(days=int(rng.integers(0, 4))), contract)
    review = min(max(_day(proposed) + pd.Timedelta(days=int(rng.integers(1, 6))), start), contract)
    build = contract + pd.Timedelta(days=int(rng.integers(3, 21)))
    weeks = rng.uniform(6, 14) if kind == "行业应用" else rng.uniform(3, 9)
    accept = build + pd.Timedelta(days=round(weeks * 7))
    return [start, review, contract, build, accept]
