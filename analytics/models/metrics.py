"""Quality figures of a binary probability model (SPEC §4): AUC, PR-AUC, top-decile lift, Brier
score and calibration."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

CALIBRATION_BINS = 10
TOP_SHARE = 0.10


def evaluate(y_true, p) -> dict[str, Any]:
    """Figures of probabilities `p` against 0/1 outcomes `y_true`.

    Returns auc, pr_auc (average precision), lift_top_decile (positive rate among the 10%
    highest scores over the overall rate; tied scores at the cut count fractionally, so the
    order of tied rows does not matter), brier, ece (count-weighted mean |predicted − observed|
    over the calibration bins), calibration (10 equal-count bins of rows sorted by p: bin,
    mean_predicted, observed_rate, count — equal-count rather than fixed-width bins because
    churn probabilities crowd near 0 and fixed bins would leave most of them empty), rows,
    positives, positive_rate and note. With one class only, auc, pr_auc and lift are None and
    note says why.
    """
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(p, dtype=float).ravel()
    if y.shape != p.shape:
        raise ValueError(f"y_true has {y.size} values, p has {p.size}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("y_true must be 0/1")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p must be probabilities in [0, 1]")
    n = y.size
    positives = int(y.sum())
    result: dict[str, Any] = {
        "auc": None,
        "pr_auc": None,
        "lift_top_decile": None,
        "brier": float(np.mean((p - y) ** 2)) if n else None,
        "ece": None,
        "calibration": [],
        "rows": int(n),
        "positives": positives,
        "positive_rate": positives / n if n else None,
        "note": None,
    }
    if n == 0:
        result["note"] = "没有数据 no rows"
        return result
    bins = calibration_bins(y, p)
    result["calibration"] = bins
    result["ece"] = float(sum(b["count"] * abs(b["mean_predicted"] - b["observed_rate"]) for b in bins) / n)
    if positives in (0, n):
        only = "正类 positive" if positives else "负类 negative"
        result["note"] = f"只有{only}一类，AUC 无定义 / only one class in y_true: AUC, PR-AUC and lift are undefined"
        return result
    result["auc"] = float(roc_auc_score(y, p))
    result["pr_auc"] = float(average_precision_score(y, p))
    result["lift_top_decile"] = top_share_lift(y, p, TOP_SHARE)
    return result


def top_share_lift(y: np.ndarray, p: np.ndarray, share: float = TOP_SHARE) -> float:
    """Positive rate among the `share` highest-scored rows over the overall positive rate."""
    n = y.size
    k = max(1, int(np.ceil(share * n)))
    order = np.argsort(-p, kind="stable")
    cut = p[order[k - 1]]
    above = p > cut
    tied = p == cut
    # Of the rows tied at the cut, k − #above enter the top share; their expected positives
    # are that many times the tied rows' positive rate.
    expected = y[above].sum() + (k - above.sum()) * y[tied].mean()
    return float((expected / k) / y.mean())


def calibration_bins(y: np.ndarray, p: np.ndarray, bins: int = CALIBRATION_BINS) -> list[dict]:
    """Equal-count bins of rows sorted by predicted probability."""
    order = np.argsort(p, kind="stable")
    out = []
    for i, chunk in enumerate(np.array_split(order, min(bins, y.size))):
        out.append(
            {
                "bin": i + 1,
                "mean_predicted": float(p[chunk].mean()),
                "observed_rate": float(y[chunk].mean()),
                "count": int(chunk.size),
            }
        )
    return out
