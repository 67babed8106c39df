"""Every chart's axes in a language-neutral format (analytics/ui/charts.py): no "Jan 2025", no "15k"."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from analytics.ui import charts


def _months(n: int) -> list[dt.date]:
    return [dt.date(2025 + m // 12, m % 12 + 1, 1) for m in range(n)]


def test_date_and_number_axes_get_neutral_formats() -> None:
    frame = pd.DataFrame({"month": pd.to_datetime(_months(6)), "revenue_yuan": [150_000.0 * (i + 1) for i in range(6)]})
    fig = charts.localised(px.line(frame, x="month", y="revenue_yuan"))
    assert fig.layout.xaxis.tickformat == charts.DATE_TICKS
    assert fig.layout.yaxis.tickformat == charts.NUMBER_TICKS
    assert fig.layout.separators == ".,"


def test_dates_as_text_and_python_dates_are_dates() -> None:
    as_text = go.Figure(go.Scatter(x=[m.isoformat() for m in _months(3)], y=[1, 2, 3]))
    as_dates = go.Figure(go.Bar(x=_months(3), y=[1, 2, 3]))
    for fig in (as_text, as_dates):
        assert charts.localised(fig).layout.xaxis.tickformat == charts.DATE_TICKS


def test_a_format_of_its_own_and_categories_are_kept() -> None:
    fig = go.Figure(go.Bar(x=[0.1, 0.5], y=["基础通信", "移动办公"], orientation="h"))
    fig.update_layout(xaxis_tickformat=".0%")
    charts.localised(fig)
    assert fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.yaxis.tickformat is None  # a category axis has no number format


def test_second_axes_of_subplots() -> None:
    fig = go.Figure([go.Scatter(x=_months(3), y=[1, 2, 3]), go.Scatter(x=_months(3), y=[4, 5, 6], yaxis="y2")])
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right"})
    charts.localised(fig)
    assert fig.layout.yaxis2.tickformat == charts.NUMBER_TICKS


def test_mixed_kinds_on_one_axis_are_left_to_plotly() -> None:
    fig = go.Figure([go.Scatter(x=_months(2), y=[1, 2]), go.Scatter(x=["a", "b"], y=[1, 2])])
    assert charts.localised(fig).layout.xaxis.tickformat is None


def test_a_cached_builder_builds_once_per_data_and_language(monkeypatch) -> None:
    from analytics.ui import language

    built: list[int] = []

    @charts.cached
    def bars(frame: pd.DataFrame, title: str) -> go.Figure:
        built.append(1)
        return px.bar(frame, x="month", y="revenue_yuan", title=title)

    frame = pd.DataFrame({"month": pd.to_datetime(_months(3)), "revenue_yuan": [1.0, 2.0, 3.0]})
    monkeypatch.setattr(language, "lang", lambda: "zh")
    monkeypatch.setattr(charts, "lang", lambda: "zh")
    first = bars(frame, "收入")
    assert bars(frame.copy(), "收入") is first and len(built) == 1  # the same values: built once
    assert first.layout.xaxis.tickformat == charts.DATE_TICKS  # localised when built
    assert bars(frame.assign(revenue_yuan=[1.0, 2.0, 4.0]), "收入") is not first and len(built) == 2
    monkeypatch.setattr(charts, "lang", lambda: "en")
    assert bars(frame, "收入") is not first and len(built) == 3  # another language: built again


def test_a_builder_of_what_the_cache_cannot_hash_still_draws() -> None:
    class Unhashable:
        def __reduce__(self):
            raise TypeError("no")

    @charts.cached
    def empty(thing: object) -> go.Figure:
        return go.Figure(go.Bar(x=[1], y=[2]))

    assert isinstance(empty(Unhashable()), go.Figure)
