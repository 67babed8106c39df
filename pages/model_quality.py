"""模型质量 (model quality) for analysts: how well each model ranks and how far its probabilities
can be trusted, per rolling origin, what drives it, and on demo data how close it comes to the
truth — all as recorded by the last training run. The notes model shows its held-out-phrasing and
same-phrasing figures; the business scope model its per-area AUC on held-out accounts."""

import streamlit as st

from analytics.ui import charts, routing, tables
from analytics.ui import model_quality as ui
from analytics.ui import monitoring as watch
from analytics.ui.connection import db_path
from analytics.ui.language import t
from analytics.views import model_quality

routing.require_app(__file__)
path = db_path()
stamp = ui.report_stamp(path)
report = ui.report(path, stamp)

st.title(t("model_quality.title"))
st.caption(t("model_quality.caption"))
if report is None:
    st.info(t("model_quality.not_trained"))
    st.stop()

run = ui.training(path, stamp)
st.caption(
    t("model_quality.trained", trained_at=run.trained_at or "—", warehouse=run.warehouse or "—", folder=run.models_dir)
)
st.caption(
    t(
        "model_quality.versions",
        sklearn=run.sklearn_version or "—",
        python=run.python_version or "—",
        seed=run.seed if run.seed is not None else "—",
    )
)

st.subheader(t("model_quality.summary"))
st.caption(t("model_quality.summary_caption"))
tables.table(
    ui.shown_models(model_quality.summary(report)), "model_quality", key="mq_summary", file_name=ui.file_name("summary")
)

model = st.selectbox(t("model_quality.model"), model_quality.MODELS, key="mq_model", format_func=ui.model_text())
own = model_quality.model_report(report, model)

if model == "notes":
    headline = model_quality.notes_headline(report)
    st.caption(
        t(
            "model_quality.notes_caption",
            test_rows=headline["test_rows"] or 0,
            same_rows=headline["same_test_rows"] or 0,
        )
    )
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("model_quality.macro_f1"), ui.number(headline["macro_f1"]), help=t("model_quality.macro_f1_help"))
    c2.metric(
        t("model_quality.macro_f1_same"),
        ui.number(headline["macro_f1_same_phrasing"]),
        help=t("model_quality.macro_f1_same_help"),
    )
    c3.metric(
        t("model_quality.no_need_empty"),
        ui.number(headline["no_need_empty_rate"], "{:.1%}"),
        help=t("model_quality.no_need_empty_help"),
    )
    c4.metric(t("model_quality.micro_f1"), ui.number(headline["micro_f1"]))
    tables.table(
        ui.shown_models(model_quality.notes_summary(report)),
        "model_quality",
        key="mq_notes",
        file_name=ui.file_name("notes"),
    )
    st.subheader(t("model_quality.notes_terms"))
    terms = ui.notes_terms(path, stamp)
    if terms.empty:
        st.info(t("model_quality.no_terms"))
    else:
        tables.table(ui.shown_models(terms), "model_quality", key="mq_terms", file_name=ui.file_name("notes_terms"))
    st.stop()

if model == "scope":
    ui.scope_view(report)
    st.stop()

ui.headline(st.columns(5), own)
st.caption(ui.test_line(own))
tab_calibration, tab_backtest, tab_drivers, tab_history = st.tabs(
    [t(f"model_quality.{tab}") for tab in ("tab_calibration", "tab_backtest", "tab_drivers", "tab_history")]
)

with tab_calibration:
    bins = model_quality.calibration(report, model)
    st.caption(t("model_quality.calibration_caption"))
    if not bins.empty:
        charts.plot(ui.calibration_figure(bins))
    tables.table(bins, "model_quality", key="mq_calibration", file_name=ui.file_name(f"calibration_{model}"))

with tab_backtest:
    origins = model_quality.backtest(report, model)
    st.caption(t("model_quality.backtest_caption"))
    metric = (
        st.segmented_control(
            t("model_quality.backtest_metric"),
            ui.BACKTEST_METRICS,
            key="mq_backtest_metric",
            default="auc",
            format_func=ui.column_text(),
        )
        or "auc"
    )
    if not origins.empty:
        charts.plot(ui.backtest_figure(origins, metric))
    tables.table(origins, "model_quality", key="mq_backtest", file_name=ui.file_name(f"backtest_{model}"))

with tab_drivers:
    drivers = model_quality.drivers(report, model)
    if drivers is None:
        st.info(t("model_quality.no_drivers"))
    else:
        st.caption(t("model_quality.drivers_caption"))
        top = st.slider(t("model_quality.top_n"), 5, len(drivers), min(15, len(drivers)), key="mq_top_n")
        shown = ui.shown_drivers(drivers.head(top))
        charts.plot(ui.drivers_figure(shown))
        tables.table(shown, "model_quality", key="mq_drivers", file_name=ui.file_name(f"drivers_{model}"))

with tab_history:
    st.caption(t("model_quality.history_caption"))
    tables.table(ui.shown_models(ui.runs(path, stamp)), "model_quality", key="mq_runs", file_name=ui.file_name("runs"))

watch.section(path, stamp, report, model)  # 模型监控: realised figures, drift, the retrain flag
