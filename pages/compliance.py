"""规范执行 (department head): for the selected month, which managers and accounts break which rule
of the guideline — profiles overdue, managers without a competitor report, late urgent reports,
accounts under their visit quota, accounts at risk without a retention action — by manager, by
district and over time."""

import streamlit as st

from analytics.ui import charts, routing, tables
from analytics.ui import compliance as ui
from analytics.ui.connection import db_path
from analytics.ui.filters import current_filters
from analytics.ui.language import t

routing.require_app(__file__)
filters = current_filters()
rules = ui.current_rules()
as_of = ui.as_of_for(filters.month)

st.title(t("compliance.title"))
st.caption(t("compliance.caption", as_of=as_of, rules=rules.path.name))
review = ui.review(filters, as_of, rules)
s = review.summary()

c = st.columns(6)
c[0].metric(
    t("compliance.basic_overdue"),
    f"{s.profile_overdue_basic:,}",
    help=t("compliance.of_accounts", n=s.accounts_in_service),
)
c[1].metric(
    t("compliance.personal_overdue"),
    f"{s.profile_overdue_personal:,}",
    help=t("compliance.of_accounts", n=s.accounts_in_service),
)
c[2].metric(t("compliance.without_report"), f"{s.managers_without_report:,} / {s.managers:,}")
c[3].metric(t("compliance.late_urgent"), f"{s.late_urgent:,} / {s.urgent_reports:,}")
c[4].metric(t("compliance.under_quota"), f"{s.visits_under_quota:,}", help=ui.quota_text(rules))
c[5].metric(t("compliance.at_risk_without_action"), f"{s.at_risk_without_action:,} / {s.at_risk:,}")

# One section at a time: only the one shown is computed (the trend reads a year of updates).
section = ui.section_picker("compliance_section")
if section == "managers":
    tables.table(
        review.by_manager(),
        "compliance",
        key="compliance_managers",
        worded=ui.worded("managers"),
        file_name="compliance_managers.csv",
    )
elif section == "districts":
    districts = review.by_district()
    if not districts.empty:
        charts.plot(ui.rates_chart(districts, "district"))
    tables.table(
        districts,
        "compliance",
        key="compliance_districts",
        worded=ui.worded("districts"),
        file_name="compliance_districts.csv",
    )
elif section == "profiles":
    kind = ui.profile_kind_picker("compliance_kind")
    tables.table(
        ui.overdue(review, kind),
        "compliance",
        key="compliance_overdue",
        worded=ui.worded("overdue"),
        file_name="compliance_overdue.csv",
    )
elif section == "reports":
    st.markdown(f"**{t('compliance.without_report')}**")
    tables.table(
        review.managers_without_report,
        "compliance",
        key="compliance_without_report",
        worded=ui.worded("without_report"),
        file_name="compliance_without_report.csv",
    )
    st.markdown(f"**{t('compliance.late_urgent')}**")
    tables.table(
        review.late_urgent,
        "compliance",
        key="compliance_late",
        worded=ui.worded("late_urgent"),
        file_name="compliance_late.csv",
    )
elif section == "visits":
    tables.table(
        ui.under_served(review),
        "compliance",
        key="compliance_under",
        worded=ui.worded("under_served"),
        file_name="compliance_under.csv",
    )
elif section == "retention":
    tables.table(
        review.at_risk_without_action,
        "compliance",
        key="compliance_no_action",
        worded=ui.worded("at_risk_without_action"),
        file_name="compliance_no_action.csv",
    )
else:
    charts.plot(ui.trend_chart(ui.trend(db_path(), filters, as_of, rules)))
