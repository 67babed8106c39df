"""What the projects page shows (信息化项目): the projects of a user's reach with their billing
followed and its status, the signed opportunities still without a project, and one project's
milestones, collaborators and billing by month — frames with words in the user's language."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from analytics.common import clock, i18n, rules
from analytics.common import project_terms as terms
from analytics.warehouse import db, queries

CANDIDATE_MONTHS = 12  # signed opportunities this recent are offered as projects


def _scope(scope_managers: tuple[str, ...] | None) -> list[str] | None:
    return None if scope_managers is None else list(scope_managers)


def status(months_due: int, expected_yuan: float, arrived_yuan: float) -> str:
    """Did the revenue arrive as expected (terms): not due yet, none, below NORMAL_SHARE, normal."""
    if months_due <= 0:
        return terms.NOT_DUE
    if arrived_yuan <= 0:
        return terms.NONE
    if arrived_yuan < terms.NORMAL_SHARE * expected_yuan:
        return terms.LOW
    return terms.NORMAL


def projects(
    con: duckdb.DuckDBPyConnection, scope_managers: tuple[str, ...] | None, *, today: dt.date | None = None
) -> pd.DataFrame:
    """The projects on accounts in reach (None: all), latest signed first, with `status` and
    `arrived_share` (arrived / expected; None when nothing is due)."""
    db.ensure_pipeline_tables(con)
    params = {
        "scope_managers": _scope(scope_managers),
        "contract": terms.CONTRACT,
        "milestones": list(terms.MILESTONES),
        "baseline_months": terms.BASELINE_MONTHS,
        "today": today or clock.today(),
    }
    frame = queries.run(con, "projects_followed", params)
    frame["status"] = [
        status(int(m), float(e), float(a))
        for m, e, a in zip(frame["months_due"], frame["expected_yuan"], frame["arrived_yuan"], strict=True)
    ]
    frame["arrived_share"] = [
        float(a) / float(e) if int(m) > 0 and float(e) > 0 else None
        for m, e, a in zip(frame["months_due"], frame["expected_yuan"], frame["arrived_yuan"], strict=True)
    ]
    return frame


def candidates(
    con: duckdb.DuckDBPyConnection,
    scope_managers: tuple[str, ...] | None,
    *,
    today: dt.date | None = None,
    pipeline: rules.Pipeline | None = None,
) -> pd.DataFrame:
    """Signed opportunities of a project area and value in reach, of the last CANDIDATE_MONTHS,
    that are not a project yet (待立项)."""
    db.ensure_pipeline_tables(con)
    p = pipeline or rules.load().pipeline
    today = today or clock.today()
    index = today.year * 12 + today.month - 1 - CANDIDATE_MONTHS
    params = {
        "scope_managers": _scope(scope_managers),
        "won": p.won,
        "areas": list(terms.KINDS),
        "min_first_year_yuan": terms.MIN_FIRST_YEAR_YUAN,
        "since": dt.datetime(index // 12, index % 12 + 1, 1),
    }
    return queries.run(con, "projects_candidates", params)


def milestones(con: duckdb.DuckDBPyConnection, project_id: str, scope_managers: tuple[str, ...] | None) -> pd.DataFrame:
    params = {"project_id": project_id, "scope_managers": _scope(scope_managers), "milestones": list(terms.MILESTONES)}
    return queries.run(con, "project_milestones", params)


def collaborators(
    con: duckdb.DuckDBPyConnection, project_id: str, scope_managers: tuple[str, ...] | None
) -> pd.DataFrame:
    params = {"project_id": project_id, "scope_managers": _scope(scope_managers)}
    return queries.run(con, "project_collaborators", params)


def billing_months(con: duckdb.DuckDBPyConnection, row: pd.Series) -> pd.DataFrame:
    """One project's (a row of `projects`) billed revenue by month from its contract month, with
    the expected monthly value from its first due month on."""
    params = {
        "account_id": row["account_id"],
        "product_ids": list(row["product_ids"]),
        "from_month": pd.Timestamp(row["contract_month"]).date(),
    }
    frame = queries.run(con, "project_billing_months", params)
    first_due = pd.Timestamp(row["first_due_month"])
    frame["expected_yuan"] = [
        float(row["expected_monthly_yuan"]) if pd.Timestamp(m) >= first_due else 0.0 for m in frame["billing_month"]
    ]
    return frame


# ---- words ------------------------------------------------------------------------------------

LIST_COLUMNS: tuple[str, ...] = (
    "project_name",
    "account_name",
    "kind",
    "products",
    "owner",
    "signed_on",
    "reached_milestone",
    "next_milestone",
    "expected_monthly_yuan",
    "months_due",
    "expected_yuan",
    "arrived_yuan",
    "arrived_share",
    "status",
)


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, list | tuple) and pd.isna(value)) else str(value)


def list_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The projects as the list shows them: kind, milestones and status in `lang`, dates as text."""
    shown = pd.DataFrame(index=frame.index)
    shown["project_name"] = frame["project_name"].astype(str)
    shown["account_name"] = (frame["account_id"].astype(str) + " " + frame["account_name"].astype(str)).str.strip()
    shown["kind"] = [i18n.text(f"project.kind.{k}", lang) for k in frame["kind"]]
    shown["products"] = ["、".join(str(n) for n in names if n) for names in frame["product_names"]]
    shown["owner"] = (frame["manager_id"].astype(str) + " " + frame["manager_name"].fillna("").astype(str)).str.strip()
    shown["signed_on"] = [f"{pd.Timestamp(d):%Y-%m-%d}" if pd.notna(d) else "" for d in frame["signed_at"]]
    shown["reached_milestone"] = [milestone_label(m, lang) if _text(m) else "—" for m in frame["reached_milestone"]]
    shown["next_milestone"] = [
        f"{milestone_label(m, lang)} {pd.Timestamp(d):%Y-%m-%d}" if _text(m) and pd.notna(d) else "—"
        for m, d in zip(frame["next_milestone"], frame["next_planned_on"], strict=True)
    ]
    shown["expected_monthly_yuan"] = frame["expected_monthly_yuan"].astype(float)
    shown["months_due"] = frame["months_due"].astype(int)
    shown["expected_yuan"] = frame["expected_yuan"].astype(float)
    shown["arrived_yuan"] = frame["arrived_yuan"].astype(float)
    shown["arrived_share"] = pd.to_numeric(frame["arrived_share"], errors="coerce").astype(float)
    shown["status"] = [i18n.text(f"project.status.{s}", lang) for s in frame["status"]]
    return shown[list(LIST_COLUMNS)].reset_index(drop=True)


def candidate_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_name": (frame["account_id"].astype(str) + " " + frame["account_name"].astype(str)).str.strip(),
            "kind": [i18n.text(f"project.kind.{terms.KINDS[a]}", lang) for a in frame["area"]],
            "products": ["、".join(str(n) for n in names if n) for names in frame["product_names"]],
            "expected_monthly_yuan": frame["expected_monthly_yuan"].astype(float),
            "expected_one_off_yuan": frame["expected_one_off_yuan"].astype(float),
            "signed_on": [f"{pd.Timestamp(d):%Y-%m-%d}" for d in frame["signed_at"]],
        }
    )


def milestone_label(milestone: str, lang: str) -> str:
    return i18n.label("milestone", milestone, lang)


def milestone_table(frame: pd.DataFrame, lang: str, today: dt.date | None = None) -> pd.DataFrame:
    """Milestones in words: planned, actual, and whether a planned date passed with none actual."""
    today = today or clock.today()

    def day(value: object) -> str:
        return f"{pd.Timestamp(value):%Y-%m-%d}" if value is not None and pd.notna(value) else "—"

    late = [
        i18n.text("project.overdue", lang) if pd.notna(p) and pd.isna(a) and pd.Timestamp(p).date() < today else ""
        for p, a in zip(frame["planned_on"], frame["actual_on"], strict=True)
    ]
    return pd.DataFrame(
        {
            "milestone": [milestone_label(m, lang) for m in frame["milestone"]],
            "planned_on": [day(v) for v in frame["planned_on"]],
            "actual_on": [day(v) for v in frame["actual_on"]],
            "overdue": late,
            "updated_by": frame["updated_by"].astype(str),
        }
    )


def collaborator_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_name": frame["person_name"].astype(str),
            "role": [i18n.label("project_role", r, lang) for r in frame["role"]],
            "added_by": frame["added_by"].astype(str),
        }
    )


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Projects per status, every status named (0 when none)."""
    counts = frame["status"].value_counts() if len(frame) else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in terms.STATUSES}
