"""The proposal's charts as PNG images (matplotlib, no display needed).

Chinese labels need a font with CJK glyphs. The one used is, in order: Noto Sans CJK SC shipped
by the `mplfonts` package (SIL Open Font License; a PyPI dependency, so every machine that
installs the project has it), then any CJK font the system has (Debian `fonts-noto-cjk`,
`fonts-wqy-microhei`, …). Without any, the charts fall back to English labels and product codes
rather than print empty boxes.
"""

from __future__ import annotations

import importlib.util
import io
import math
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator, PercentFormatter

from analytics.common import i18n
from analytics.common.formats import percent, yuan
from analytics.config import AREAS
from analytics.views.account.view import AccountView, product_label

PACKAGED_FONT = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")
SYSTEM_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans CJK JP",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "PingFang SC",
)
AREA_COLOURS = {
    "basic_comm": "#1f77b4",
    "mobile_office": "#2ca02c",
    "production_control": "#ff7f0e",
    "service_marketing": "#9467bd",
}
DPI = 150
_LOCK = threading.Lock()  # rcParams are process-wide; one chart at a time


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes


@cache
def cjk_font() -> str | None:
    """The family name of a font that can set Chinese (registered with matplotlib), or None."""
    spec = importlib.util.find_spec(PACKAGED_FONT[0])
    if spec is not None and spec.origin:
        path = Path(spec.origin).parent / PACKAGED_FONT[1]
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    have = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in SYSTEM_FAMILIES if family in have), None)


def chart_language(lang: str) -> str:
    """The language the charts can be drawn in: Chinese only with a CJK font."""
    return lang if lang != "zh" or cjk_font() else "en"


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def _rc() -> dict[str, object]:
    font = cjk_font()
    return {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False}


NICE_STEPS = (1, 2, 2.5, 5, 10)  # tick steps (× a power of ten): 0.25 is a step, 0.3 is not


def nice_axis(axis: object) -> None:
    """Ticks at nice steps (1, 2, 2.5, 5 × 10^k), every label with the same number of decimals:
    the step's own (0.25 -> two), so quarter steps read 0.25 / 0.50 / 0.75, not 0.2 / 0.5 / 0.8."""
    axis.set_major_locator(MaxNLocator(nbins=5, steps=list(NICE_STEPS), min_n_ticks=3))

    def label(value: float, _position: int) -> str:
        ticks = axis.get_majorticklocs()
        step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
        decimals = 0
        while decimals < 4 and abs(round(step, decimals) - step) > 1e-9 * max(1.0, step):
            decimals += 1
        return f"{value:,.{decimals}f}"

    axis.set_major_formatter(FuncFormatter(label))


def as_text(label: object) -> str:
    """An imported name as a matplotlib label: `$` escaped, so that `$x^2$` is not set as a formula
    (mathtext), nor a lone `$` refused as a broken one."""
    return str(label).replace("$", r"\$")


def area_chart(v: AccountView, lang: str) -> Chart:
    """This month's revenue per area (horizontal bars, with each area's share)."""
    code = chart_language(lang)
    by_area = v.revenue_by_area()
    title = i18n.text("account.area_chart", code, month=f"{v.month:%Y-%m}")
    with _LOCK, matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(6.4, 2.8))
        ax = fig.add_subplot()
        labels = [i18n.label("area", a, code) for a in by_area["area"]]
        bars = ax.barh(labels, by_area["revenue_yuan"], color=[AREA_COLOURS[a] for a in by_area["area"]])
        for bar, share, value in zip(bars, by_area["share"], by_area["revenue_yuan"], strict=True):
            ax.annotate(
                f"{yuan(value)} ({percent(share, 0)})",
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.invert_yaxis()
        ax.set_xlabel(i18n.text("account.col.revenue", code))
        ax.set_title(title)
        ax.margins(x=0.25)
        ax.spines[["top", "right"]].set_visible(False)
        return Chart(title, _png(fig))


def trend_chart(v: AccountView, lang: str) -> Chart:
    """Monthly revenue per area over the last 24 months (stacked bars, 10k yuan)."""
    code = chart_language(lang)
    trend = v.trend()
    wide = trend.pivot_table(index="billing_month", columns="area", values="revenue_yuan", aggfunc="sum")
    wide = wide.reindex(columns=list(AREAS), fill_value=0.0).fillna(0.0)
    title = i18n.text("account.trend_chart", code)
    with _LOCK, matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(6.4, 3.0))
        ax = fig.add_subplot()
        months = [f"{m:%Y-%m}" for m in wide.index]
        bottom = [0.0] * len(months)
        in_wan = float(wide.sum(axis=1).max() if len(wide) else 0.0) >= 1e4  # 万元 from 10,000 yuan a month
        scale = 1e4 if in_wan else 1.0
        for area in AREAS:
            values = [x / scale for x in wide[area]]
            ax.bar(months, values, bottom=bottom, label=i18n.label("area", area, code), color=AREA_COLOURS[area])
            bottom = [b + x for b, x in zip(bottom, values, strict=True)]
        ax.set_ylabel(i18n.text("account.chart.wan_yuan" if in_wan else "account.col.revenue", code))
        nice_axis(ax.yaxis)
        ax.set_title(title)
        ax.tick_params(axis="x", labelrotation=90, labelsize=7)
        ax.legend(fontsize=7, ncols=4, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22))
        ax.spines[["top", "right"]].set_visible(False)
        return Chart(title, _png(fig))


def peers_chart(v: AccountView, lang: str, top: int = 10) -> Chart | None:
    """Peer adoption of the products peers buy most, marking those this account holds."""
    if v.peers.empty:
        return None
    code = chart_language(lang)
    peers = v.peers.head(top).iloc[::-1]
    if code == lang:
        pairs = zip(peers["product_id"], peers["product_name"], strict=True)
        names = [as_text(product_label(i, n, code)) for i, n in pairs]
    else:  # no CJK font: catalogue names may be Chinese
        names = [as_text(i) for i in peers["product_id"]]
    title = i18n.text("account.peer_chart", code)
    with _LOCK, matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(6.4, 0.3 * len(peers) + 1.2))
        ax = fig.add_subplot()
        colours = ["#1f77b4" if held else "#d62728" for held in peers["is_held"]]
        ax.barh(names, peers["adoption_rate"], color=colours)
        top = float(peers["adoption_rate"].max() or 0.0)
        ax.xaxis.set_major_locator(MultipleLocator(0.25 if top > 0.5 else 0.1))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(0, 1.0 if top > 0.5 else max(0.1, math.ceil(top * 10) / 10))
        ax.set_xlabel(i18n.text("account.col.adoption", code))
        ax.set_title(title)
        handles = [
            Patch(color="#1f77b4", label=i18n.text("account.legend.held", code)),
            Patch(color="#d62728", label=i18n.text("account.legend.lacking", code)),
        ]
        ax.legend(handles=handles, fontsize=7, frameon=False, loc="lower right")
        ax.spines[["top", "right"]].set_visible(False)
        return Chart(title, _png(fig))
