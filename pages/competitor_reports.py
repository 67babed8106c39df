"""竞争信息: file a competitor report (市场竞争信息), and see the month's reports with the two rules
— at least one report per manager a month, urgent poaching reports (争抢) within the Chinese
working-day deadline."""

import streamlit as st

from analytics.ui import compliance as ui
from analytics.ui import forms, routing, tables
from analytics.ui.connection import db_path
from analytics.ui.filters import current_filters
from analytics.ui.language import label, t
from analytics.views import compliance

routing.require_app(__file__)
filters = current_filters()
rules = ui.current_rules()

st.title(t("competitor_reports.title"))
as_of = ui.period_picker("reports_period")
urgent = label("report_kind", rules.urgent_kind)
st.caption(
    t(
        "competitor_reports.caption",
        as_of=as_of,
        kind=urgent,
        n=rules.urgent_deadline_working_days,
        per_month=rules.reports_per_manager_per_month,
    )
)

with st.expander(t("competitor_reports.form"), expanded=True):
    forms.competitor_report_form(filters, rules)

reports = ui.reports(filters, as_of, rules)
managers = ui.report_managers(db_path(), filters, as_of, rules)
without = compliance.managers_short_of_reports(managers)
late = compliance.late_reports(reports)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("competitor_reports.count"), f"{len(reports):,}")
c2.metric(t("competitor_reports.urgent", kind=urgent), f"{int(reports['is_urgent'].sum()):,}")
c3.metric(
    t("competitor_reports.late"),
    f"{len(late):,}",
    help=t("competitor_reports.late_help", n=rules.urgent_deadline_working_days),
)
c4.metric(t("competitor_reports.without"), f"{len(without):,} / {len(managers):,}")

st.subheader(t("competitor_reports.list"))
f1, f2, f3 = st.columns([2, 2, 1])
kinds = f1.multiselect(
    t("forms.kind"),
    sorted(reports["kind"].unique()),
    key="reports_kinds",
    format_func=lambda k: label("report_kind", k),
    placeholder=t("filter.all"),
)
rivals = f2.multiselect(
    t("forms.competitor"),
    sorted(reports["competitor"].unique()),
    key="reports_competitors",
    format_func=lambda c: label("competitor", c),
    placeholder=t("filter.all"),
)
only_late = f3.toggle(t("competitor_reports.only_late"), key="reports_only_late")
shown = compliance.select_reports(reports, kinds=kinds, competitors=rivals, only_late=only_late)
tables.table(shown, "compliance", key="reports_table", worded=ui.worded("reports"), file_name="reports_table.csv")

st.subheader(t("competitor_reports.without_title", month=f"{as_of:%Y-%m}"))
tables.table(
    without, "compliance", key="reports_without", worded=ui.worded("without_report"), file_name="reports_without.csv"
)
