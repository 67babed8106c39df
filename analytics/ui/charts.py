"""The one way a page draws a chart: `plot`.

Plotly's own defaults speak English: a date axis reads "Jan 2025", a number axis "15k" or "1.2M".
`localised` gives every axis a language-neutral format before the chart is drawn, unless the
figure already chose one (a share axis of ".0%"): date axes as 2025-01 (hover 2025-01-31 where the
data has days), number axes with thousands separators and no SI suffixes (100,000; 0.25). An
axis's kind is read from the data of the traces drawn on it, as Plotly itself would guess it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import weakref
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.caching import cache_errors

from analytics.ui.language import lang

DATE_TICKS = "%Y-%m"
NUMBER_TICKS = ",~f"  # 1,234,567 and 0.25: thousands separated, trailing zeros dropped, no k/M
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}(-\d{2})?([ T]\d{2}:\d{2}(:\d{2})?)?$")


def kind(values: object) -> str | None:
    """ "date", "number" or "category" for an axis drawing `values` (None when there are none)."""
    if values is None:
        return None
    array = np.asarray(values, dtype=object).ravel()
    if array.size == 0:
        return None
    typed = np.asarray(values)
    if typed.dtype.kind == "M":
        return "date"
    if typed.dtype.kind in "iuf":
        return "number"
    first = next((v for v in array if v is not None and not (isinstance(v, float) and np.isnan(v))), None)
    if first is None:
        return None
    if isinstance(first, dt.date | np.datetime64 | pd.Timestamp):
        return "date"
    if isinstance(first, int | float | np.number) and not isinstance(first, bool):
        return "number"
    if isinstance(first, str) and _DATE_TEXT.match(first):
        return "date"
    return "category"


def _axes_of(trace) -> tuple[str, str]:
    """The layout names of the x and y axes a trace is drawn on ("xaxis", "yaxis2" …)."""
    x = getattr(trace, "xaxis", None) or "x"
    y = getattr(trace, "yaxis", None) or "y"
    return f"xaxis{x[1:]}", f"yaxis{y[1:]}"


def localised(fig: go.Figure) -> go.Figure:
    """`fig` with every axis that has no format of its own given a language-neutral one."""
    kinds: dict[str, set[str]] = {}
    for trace in fig.data:
        if trace.type in {"pie", "table", "indicator", "sunburst", "treemap", "sankey"}:
            continue
        x_axis, y_axis = _axes_of(trace)
        for axis, values in ((x_axis, getattr(trace, "x", None)), (y_axis, getattr(trace, "y", None))):
            found = kind(values)
            if found is None and values is None and trace.type in {"bar", "histogram"}:
                continue
            if found:
                kinds.setdefault(axis, set()).add(found)
        if trace.type == "histogram":  # the other axis counts
            counted = y_axis if getattr(trace, "orientation", None) != "h" else x_axis
            kinds.setdefault(counted, set()).add("number")
    fig.update_layout(separators=".,")
    for axis, found in kinds.items():
        if len(found) != 1:
            continue
        layout_axis = fig.layout[axis]
        if layout_axis.tickformat or layout_axis.type in {"log", "category", "multicategory"}:
            continue
        if found == {"date"}:
            fig.update_layout({axis: {"tickformat": DATE_TICKS, "hoverformat": DATE_TICKS}})
        elif found == {"number"}:
            fig.update_layout({axis: {"tickformat": NUMBER_TICKS}})
    return fig


# Figures built by a `cached` builder, localised already: drawn as they are (they are shared by
# every session, so never changed after they are built).
_READY: weakref.WeakValueDictionary[int, go.Figure] = weakref.WeakValueDictionary()


@st.cache_resource(show_spinner=False, max_entries=512)
def _built(name: str, language: str, _builder: Callable[..., go.Figure], args: tuple, kwargs: tuple) -> go.Figure:
    figure = localised(_builder(*args, **dict(kwargs)))
    _READY[id(figure)] = figure
    return figure


def cached(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """A figure builder whose figures are kept per server, by its arguments' values and the
    language: building a Plotly figure (plotly express, its validation, the layout updates) costs
    more than the rest of a page's run, and a rerun or another user with the same data and filters
    gets the same figure. Arguments the cache cannot hash: built every time, as before."""
    name = f"{builder.__module__}.{builder.__qualname__}"

    @functools.wraps(builder)
    def build(*args, **kwargs) -> go.Figure:
        try:
            return _built(name, lang(), builder, args, tuple(sorted(kwargs.items())))
        except cache_errors.UnhashableParamError:
            return builder(*args, **kwargs)

    return build


def plot(fig: go.Figure, where: DeltaGenerator | None = None, *, key: str | None = None) -> None:
    """Draw `fig` across the width of `where` (the page by default), its axes localised."""
    ready = _READY.get(id(fig)) is fig
    (where or st).plotly_chart(fig if ready else localised(fig), width="stretch", key=key)
