"""规范执行 (department head): for the selected month, which managers and accounts break which rule
of the guideline — profiles overdue, managers without a competitor report, late urgent reports,
accounts under their visit quota, accounts at risk without a retention action — by manager, by
district and over time."""

import streamlit as st

from analytics.ui import compliance as ui
from analytics.ui import frame
from analytics.ui.frame import current_filters, db_path, t

frame.require_frame(__file__)
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
    help=t("compliance.of_accounts", n=s.accounts_on_books),
)
c[1].metric(
    t("compliance.personal_overdue"),
    f"{s.profile_overdue_personal:,}",
    help=t("compliance.of_accounts", n=s.accounts_on_books),
)
c[2].metric(t("compliance.without_report"), f"{s.managers_without_report:,} / {s.managers:,}")
c[3].metric(t("compliance.late_urgent"), f"{s.late_urgent:,} / {s.urgent_reports:,}")
c[4].metric(t("compliance.under_quota"), f"{s.visits_under_quota:,}", help=ui.quota_text(rules))
c[5].metric(t("compliance.at_risk_without_action"), f"{s.at_risk_without_action:,} / {s.at_risk:,}")

# One section at a time: only the one shown is computed (the trend reads a year of updates).
section = ui.section_picker("compliance_section")
if section == "managers":
    ui.table(review.by_manager(), ui.COLUMNS["managers"], key="compliance_managers")
elif section == "districts":
    districts = review.by_district()
    if not districts.empty:
        st.plotly_chart(ui.rates_chart(districts, "district"), width="stretch")
    ui.table(districts, ui.COLUMNS["districts"], key="compliance_districts")
elif section == "profiles":
    kind = ui.profile_kind_picker("compliance_kind")
    ui.table(ui.overdue(review, kind), ui.COLUMNS["overdue"], key="compliance_overdue")
elif section == "reports":
    st.markdown(f"**{t('compliance.without_report')}**")
    ui.table(review.managers_without_report, ui.COLUMNS["without_report"], key="compliance_without_report")
    st.markdown(f"**{t('compliance.late_urgent')}**")
    ui.table(review.late_urgent, ui.COLUMNS["late_urgent"], key="compliance_late")
elif section == "visits":
    ui.table(ui.under_served(review), ui.COLUMNS["under_served"], key="compliance_under")
elif section == "retention":
    ui.table(review.at_risk_without_action, ui.COLUMNS["at_risk_without_action"], key="compliance_no_action")
else:
    st.plotly_chart(ui.trend_chart(ui.trend(db_path(), filters, as_of, rules)), width="stretch")
