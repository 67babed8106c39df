"""`train-table`'s reasons: an additive model's own contributions (`family.contributions`) as
"column=value (+0.42)" text, and which columns move scores most."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from analytics.models.basis import MISSING_CATEGORY
from analytics.models.family import contributions

TOP_REASONS = 3


def top_reasons(
    model: Pipeline, X: pd.DataFrame, shown: pd.DataFrame | None = None, top: int = TOP_REASONS
) -> pd.DataFrame:
    """The `top` columns that raise each row's score most, as text "column=value (+0.42)": the
    value as in `shown` (default `X`, e.g. the cells as the file wrote them) and the column's
    contribution in log-odds against a typical row. Blank where fewer columns raise the score.
    """
    shares = contributions(model, X).iloc[:, 1:]  # without the baseline
    values = shares.to_numpy()
    names = list(shares.columns)
    shown = (X if shown is None else shown)[names]
    cells = shown.astype(object).where(shown.notna(), "").to_numpy(dtype=object)
    order = np.argsort(-values, axis=1, kind="stable")[:, :top]
    out = {}
    for k in range(order.shape[1]):
        texts = []
        for r, c in enumerate(order[:, k]):
            share = values[r, c]
            if share <= 0:
                texts.append("")
                continue
            value = str(cells[r, c]).strip() or MISSING_CATEGORY
            texts.append(f"{names[c]}={value} (+{share:.2f})")
        out[f"reason_{k + 1}"] = texts
    return pd.DataFrame(out, index=X.index)


def importance(model: Pipeline, X: pd.DataFrame, top: int = 10) -> list[dict]:
    """Columns by mean |contribution| over the rows: how much each moves scores."""
    shares = contributions(model, X).iloc[:, 1:].abs().mean()
    return [
        {"column": c, "mean_abs_contribution": round(float(v), 4)}
        for c, v in shares.sort_values(ascending=False).head(top).items()
    ]
