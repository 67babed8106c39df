"""The guideline's rules (SPEC §6) checked on the warehouse, for any as-of day: profile
freshness, competitor reports, service contacts against quota, retention of accounts at risk.

Every check takes a connection (or cursor), the as-of day, the accounts' scope (the sidebar's
`Filters`, or None for everything) and the `Rules` of `analytics.common.rules`, and returns a
DataFrame; `review` runs them all and `Review.summary()` gives the headline counts.
"""

from analytics.views.compliance.profiles import overdue, profile_rates, profile_status, profile_trend
from analytics.views.compliance.reports import (
    competitor_reports,
    judge_lateness,
    late_reports,
    managers_short_of_reports,
    month_reports,
    report_managers,
    select_reports,
)
from analytics.views.compliance.retention import (
    RetentionOutcomes,
    actions_through_for,
    at_risk_accounts,
    retention_actions,
    retention_outcomes,
    score_month_for,
    without_action,
)
from analytics.views.compliance.review import Review, Summary, review, summary
from analytics.views.compliance.uplift_ranking import best_kinds, in_holdout, rank_at_risk, saved_revenue_by_ranking
from analytics.views.compliance.visits import interactions, under_served, visit_counts

__all__ = [
    "best_kinds",
    "in_holdout",
    "rank_at_risk",
    "saved_revenue_by_ranking",
    "RetentionOutcomes",
    "Review",
    "Summary",
    "actions_through_for",
    "at_risk_accounts",
    "competitor_reports",
    "interactions",
    "judge_lateness",
    "late_reports",
    "managers_short_of_reports",
    "month_reports",
    "overdue",
    "profile_rates",
    "profile_status",
    "profile_trend",
    "report_managers",
    "retention_actions",
    "retention_outcomes",
    "review",
    "score_month_for",
    "without_action",
    "select_reports",
    "summary",
    "under_served",
    "visit_counts",
]
