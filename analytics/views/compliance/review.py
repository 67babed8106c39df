"""One as-of day's review of every rule: the frames each check returns, the headline counts
(`needsmine compliance`), and the rules broken per manager and per district."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import duckdb
import pandas as pd

from analytics.common.filters import Filters
from analytics.common.rules import Rules
from analytics.views.compliance.profiles import profile_rates, profile_status
from analytics.views.compliance.reports import month_reports, report_managers
from analytics.views.compliance.retention import at_risk_accounts, score_month_for
from analytics.views.compliance.visits import visit_counts


@dataclass(frozen=True)
class Summary:
    """How many break each rule at `as_of` (reports: in `as_of`'s month up to that day)."""

    as_of: dt.date
    accounts_in_service: int
    profile_overdue_basic: int
    profile_overdue_personal: int
    managers: int
    managers_without_report: int
    urgent_reports: int
    late_urgent: int
    visits_under_quota: int
    score_month: dt.date | None
    at_risk: int
    at_risk_without_action: int

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "accounts_in_service": self.accounts_in_service,
            "profile_overdue": {"basic": self.profile_overdue_basic, "personal": self.profile_overdue_personal},
            "reports": {
                "managers": self.managers,
                "managers_without_report": self.managers_without_report,
                "urgent": self.urgent_reports,
                "late_urgent": self.late_urgent,
            },
            "visits_under_quota": self.visits_under_quota,
            "score_month": self.score_month.isoformat() if self.score_month else None,
            "at_risk": self.at_risk,
            "at_risk_without_action": self.at_risk_without_action,
        }


@dataclass(frozen=True)
class Review:
    """Read-only once made: the figures derived from the frames are computed once and kept (a
    page reruns on every click, and a province's review holds half a million rows)."""

    as_of: dt.date
    profiles: pd.DataFrame  # profile_status
    managers: pd.DataFrame  # report_managers
    reports: pd.DataFrame  # month_reports (judged)
    visits: pd.DataFrame  # visit_counts
    at_risk: pd.DataFrame  # at_risk_accounts
    score_month: dt.date | None

    @cached_property
    def late_urgent(self) -> pd.DataFrame:
        rows = self.reports[self.reports["is_urgent"] & self.reports["is_late"]]
        return rows.sort_values(["working_days_late", "reported_at"], ascending=[False, False]).reset_index(drop=True)

    @cached_property
    def managers_without_report(self) -> pd.DataFrame:
        return self.managers[~self.managers["has_enough_reports"]].reset_index(drop=True)

    @cached_property
    def at_risk_without_action(self) -> pd.DataFrame:
        return self.at_risk[~self.at_risk["has_action"].astype(bool)].reset_index(drop=True)

    def summary(self) -> Summary:
        return self._summary

    @cached_property
    def _summary(self) -> Summary:
        p = self.profiles
        return Summary(
            as_of=self.as_of,
            accounts_in_service=int(p["account_id"].nunique()),
            profile_overdue_basic=int((p["is_overdue"] & (p["kind"] == "basic")).sum()),
            profile_overdue_personal=int((p["is_overdue"] & (p["kind"] == "personal")).sum()),
            managers=len(self.managers),
            managers_without_report=len(self.managers_without_report),
            urgent_reports=int(self.reports["is_urgent"].sum()),
            late_urgent=len(self.late_urgent),
            visits_under_quota=int(self.visits["is_under_quota"].sum()),
            score_month=self.score_month,
            at_risk=len(self.at_risk),
            at_risk_without_action=len(self.at_risk_without_action),
        )

    def by_manager(self) -> pd.DataFrame:
        """Per manager with accounts in scope: each rule's figures (who breaks which rule)."""
        return self._by_manager

    @cached_property
    def _by_manager(self) -> pd.DataFrame:
        keys = ["manager_id", "manager_name", "district"]
        return self._by(keys).merge(
            self.managers[["manager_id", "report_count", "has_enough_reports"]], on="manager_id", how="left"
        )

    def by_district(self) -> pd.DataFrame:
        """Per district: each rule's figures over its accounts and managers."""
        return self._by_district

    @cached_property
    def _by_district(self) -> pd.DataFrame:
        out = self._by(["district"])
        managers = self.managers.groupby("district", dropna=False).agg(
            managers=("manager_id", "size"),
            managers_without_report=("has_enough_reports", lambda ok: int((~ok.astype(bool)).sum())),
        )
        return out.merge(managers.reset_index(), on="district", how="left")

    def _by(self, keys: list[str]) -> pd.DataFrame:
        rates = profile_rates(self.profiles, keys)
        visits = self.visits.groupby(keys, dropna=False).agg(under_quota=("is_under_quota", "sum")).reset_index()
        late = self.late_urgent.groupby(keys, dropna=False).size().rename("late_urgent").reset_index()
        no_action = self.at_risk_without_action.groupby(keys, dropna=False).size().rename("at_risk_without_action")
        out = rates.merge(visits, on=keys, how="outer").merge(late, on=keys, how="left")
        out = out.merge(no_action.reset_index(), on=keys, how="left")
        for column in (
            "account_count",
            "basic_overdue",
            "personal_overdue",
            "under_quota",
            "late_urgent",
            "at_risk_without_action",
        ):
            out[column] = out[column].fillna(0).astype("int64")
        return out.sort_values(keys).reset_index(drop=True)


def review(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    scope: Filters | None,
    rules: Rules,
    *,
    actions_through: dt.datetime | None = None,
) -> Review:
    """Every check of the guideline at `as_of` for the accounts in `scope` (None = all)."""
    return Review(
        as_of=as_of,
        profiles=profile_status(con, as_of, scope, rules),
        managers=report_managers(con, as_of, scope, rules),
        reports=month_reports(con, as_of, scope, rules),
        visits=visit_counts(con, as_of, scope, rules),
        at_risk=at_risk_accounts(con, as_of, scope, rules, actions_through=actions_through),
        score_month=score_month_for(con, as_of),
    )


def summary(con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: Filters | None, rules: Rules) -> Summary:
    """The headline counts of `review` (what `needsmine compliance` prints)."""
    return review(con, as_of, scope, rules).summary()
