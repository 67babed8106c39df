"""消费趋势 (consumption trends) for analysts: revenue, quantity and billed accounts over time by a
dimension, the shift in revenue structure, year on year and opening-year cohorts, within the
sidebar's filters; each chart's data downloads as CSV."""

import streamlit as st

from analytics.common.months import add_months
from analytics.ui import charts, routing, tables
from analytics.ui import trends as ui
from analytics.ui.connection import db_path
from analytics.ui.filters import current_filters
from analytics.ui.language import t
from analytics.views import trends

routing.require_app(__file__)
path = db_path()
filters = current_filters()
catalogue = ui.products(path)

st.title(t("trends.title"))
st.caption(t("trends.caption", month=f"{filters.month:%Y-%m}"))

c1, c2, c3 = st.columns(3)
dimension = c1.selectbox(
    t("trends.dimension"), trends.DIMENSIONS, key="trends_dimension", format_func=ui.option_text("trends.dimension")
)
product = c2.selectbox(
    t("trends.product"),
    [None, *catalogue["product_id"]],
    key="trends_product",
    format_func=ui.product_text(catalogue),
    help=t("trends.product_help"),
)
metrics = ui.metrics_for(dimension, product)
metric = (
    c3.selectbox(
        t("trends.metric"),
        metrics,
        key="trends_metric",
        help=t("trends.metric_help"),
        format_func=ui.option_text("trends.metric"),
    )
    or metrics[0]
)
if not trends.reads_summary(filters):
    st.caption(t("trends.manager_note"))

data = ui.monthly(path, filters, dimension, product)
cohort = ui.cohorts(path, filters)
if data.empty:
    st.info(t("app.no_rows"))
    st.stop()
months = trends.months_of(data)
month = filters.month if filters.month in months else months[-1]
shown = ui.with_labels(data, dimension, catalogue)

accounts = data if trends.partitions_accounts(dimension, product) else cohort
h = trends.headline(data, accounts, month)
ui.headline_metrics(st.columns(4), h, shown)

tab_trend, tab_structure, tab_yoy, tab_cohort = st.tabs(
    [t("trends.tab_trend"), t("trends.tab_structure"), t("trends.tab_yoy"), t("trends.tab_cohort")]
)

with tab_trend:
    charts.plot(ui.trend_figure(shown, metric, dimension))
    exported = ui.monthly_export(shown, metrics)
    tables.download(
        exported, "trends", file_name=ui.file_name(f"monthly_{dimension}", filters), key="trends_download_monthly"
    )

with tab_structure:
    charts.plot(ui.share_figure(shown, dimension))
    shares = ui.share_months(shown)
    tables.download(
        shares, "trends", file_name=ui.file_name(f"shares_{dimension}", filters), key="trends_download_share_months"
    )
    s1, s2 = st.columns(2)
    default_from = add_months(month, -12)
    start = s1.selectbox(
        t("trends.from_month"),
        months,
        key="trends_from_month",
        format_func=lambda m: f"{m:%Y-%m}",
        index=months.index(default_from) if default_from in months else 0,
    )
    end = s2.selectbox(
        t("trends.to_month"),
        months,
        key="trends_to_month",
        format_func=lambda m: f"{m:%Y-%m}",
        index=months.index(month),
    )
    changes = ui.with_labels(trends.share_change(data, start, end), dimension, catalogue)
    charts.plot(ui.share_change_figure(changes, start, end))
    tables.table(ui.without_codes(changes), "trends", key="trends_share_change")
    tables.download(
        changes, "trends", file_name=ui.file_name(f"share_change_{dimension}", filters), key="trends_download_shares"
    )

with tab_yoy:
    yoy = ui.with_labels(trends.year_on_year(data, month, accounts), dimension, catalogue)
    charts.plot(ui.yoy_figure(yoy, month))
    tables.table(ui.without_codes(yoy), "trends", key="trends_yoy_table")
    tables.download(yoy, "trends", file_name=ui.file_name(f"yoy_{dimension}", filters), key="trends_download_yoy")

with tab_cohort:
    st.caption(t("trends.cohort_caption"))
    measures = ui.COHORT_MEASURES
    measure = st.segmented_control(
        t("trends.cohort_measure"),
        measures,
        key="trends_cohort_measure",
        default=measures[0],
        format_func=ui.option_text("trends.cohort"),
    )
    if cohort.empty:
        st.info(t("app.no_rows"))
    else:
        charts.plot(ui.cohort_figure(cohort, measure or measures[0]))
        tables.download(
            ui.with_labels(cohort, trends.COHORT, catalogue, "opened_year"),
            "trends",
            file_name=ui.file_name("cohorts", filters),
            key="trends_download_cohorts",
        )
