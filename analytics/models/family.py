"""The model family of the churn, upsell and bring-your-own-features models.

`kind="additive"` (the default) is a GAM-like calibrated logistic regression: each numeric
column becomes a cubic-spline basis with a missing indicator (`basis.NumericBasis`), each
categorical column a one-hot code, and the logit is a sum of one learned shape per column.
Its probability is calibrated (Platt, see `calibrated.py`), and because the calibrated logit is
still a sum over columns, `contributions` splits every row's score exactly into the columns'
shares — the model's own reasons ("近3个月收入下降32%"), not a post-hoc explanation.

`kind="boosted"` is a HistGradientBoostingClassifier (categorical columns target-encoded),
offered for comparison. It has no exact per-column split of its score; `contributions` refuses it.

Model files are written and read by `persistence.py`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import sklearn
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, TargetEncoder

from analytics.models.basis import CategoryCodes, NumericBases, as_category_text, as_float
from analytics.models.calibrated import CalibratedLogit

KINDS = ("additive", "boosted")
BASELINE = "baseline"

# Categories seen fewer times than this share one "infrequent" level, which is also where a
# category never seen in training goes.
MIN_CATEGORY_ROWS = 10


def make_pipeline(
    numeric: list[str],
    categorical: list[str],
    *,
    kind: str = "additive",
    seed: int = 0,
    n_knots: int = 6,
) -> Pipeline:
    """An unfitted binary classifier on the named DataFrame columns.

    additive: per column a spline basis (numeric) or one-hot code (categorical), then
    `CalibratedLogit` — calibrated probabilities with exact per-column contributions.
    boosted: HistGradientBoostingClassifier, numeric columns as they are (missing values are
    routed by the trees), categorical columns target-encoded with cross-fitting.
    Both steps are named "features" and "classifier".
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if not numeric and not categorical:
        raise ValueError("make_pipeline needs at least one column")
    overlap = set(numeric) & set(categorical)
    if overlap:
        raise ValueError(f"columns both numeric and categorical: {sorted(overlap)}")
    if kind == "additive":
        # One encoder per column inside each block: `output_indices_` and the blocks' `groups_`
        # then map basis columns to input columns.
        blocks = []
        if numeric:
            blocks.append(("numeric", NumericBases(n_knots=n_knots), list(numeric)))
        if categorical:
            blocks.append(("categorical", CategoryCodes(min_frequency=MIN_CATEGORY_ROWS), list(categorical)))
        features = ColumnTransformer(blocks, remainder="drop", sparse_threshold=1.0)
        classifier = CalibratedLogit(random_state=seed)
    else:
        to_text = FunctionTransformer(as_category_text, feature_names_out="one-to-one")
        steps = []
        if numeric:
            steps.append(("numeric", FunctionTransformer(as_float), list(numeric)))
        if categorical:
            # Target encoding (cross-fitted) rather than native categorical splits: native
            # splits over hundreds of levels overfit (measured: CV AUC −0.02 on an Orange-like
            # table), and for a few levels the two order categories the same way.
            steps.append(
                ("categorical", Pipeline([("text", to_text), ("target", _target_encoder(seed))]), list(categorical))
            )
        features = ColumnTransformer(steps, remainder="drop", sparse_threshold=0)
        # Small trees, slow learning and half the columns per split, stopped on a held-out
        # 15%: churn signals are weak and noisy; deeper, faster trees stopped too early or
        # overfitted on the benchmark tables.
        classifier = HistGradientBoostingClassifier(
            learning_rate=0.04,
            max_iter=1500,
            max_leaf_nodes=12,
            min_samples_leaf=50,
            l2_regularization=1.0,
            max_features=0.5,
            early_stopping=True,
            validation_fraction=0.15,
            n_iter_no_change=50,
            random_state=seed,
        )
    return Pipeline([("features", features), ("classifier", classifier)])


def _target_encoder(seed: int) -> TargetEncoder:
    major, minor = (int(v) for v in re.match(r"(\d+)\.(\d+)", sklearn.__version__).groups())
    if (major, minor) >= (1, 9):  # 1.9 deprecates random_state in favour of a splitter
        return TargetEncoder(cv=KFold(5, shuffle=True, random_state=seed))
    return TargetEncoder(cv=5, shuffle=True, random_state=seed)


def feature_columns(model: Pipeline) -> list[tuple[str, slice]]:
    """(input column, slice of basis columns) for each input column of a fitted additive model."""
    features = model.named_steps["features"]
    groups = []
    for name, block, _ in features.transformers_:
        if name == "remainder":
            continue
        offset = features.output_indices_[name].start
        groups += [(column, slice(offset + cols.start, offset + cols.stop)) for column, cols in block.groups_]
    return groups


def contributions(model: Pipeline, X: pd.DataFrame) -> pd.DataFrame:
    """Each input column's share of each row's calibrated logit, plus `baseline` (first).

    `baseline + contributions.sum(axis=1)` equals logit(predict_proba(X)[:, 1]) (up to float
    rounding). A column's share is Σ over its basis columns of coef × (value − training mean),
    times the Platt slope — its missing indicator included — so a share is positive when the
    row's value of that column raises the probability above that of a "typical" row.
    """
    classifier = model.named_steps["classifier"]
    if not isinstance(classifier, CalibratedLogit):
        raise TypeError(
            "contributions are exact only for kind='additive' models; "
            f"this model's classifier is {type(classifier).__name__}"
        )
    Z = model.named_steps["features"].transform(X)
    groups = feature_columns(model)
    coef = classifier.coef_
    # W[j, f] = coef_j when basis column j belongs to input column f, so Z·W sums each
    # column's terms in one product (dense or sparse Z alike).
    W = np.zeros((coef.size, len(groups)))
    for f, (_, cols) in enumerate(groups):
        W[cols, f] = coef[cols]
    raw = Z @ W
    raw = raw.toarray() if sparse.issparse(raw) else np.asarray(raw)
    centre = classifier.column_means_ @ W
    shares = classifier.slope_ * (raw - centre)
    out = pd.DataFrame(shares, columns=[g[0] for g in groups], index=X.index)
    baseline = classifier.slope_ * (classifier.intercept_ + centre.sum()) + classifier.offset_
    out.insert(0, BASELINE, baseline, allow_duplicates=True)  # a column may be called so
    return out
