"""What each retention action kind does to churn: per account, and on average.

Rows are the churn model's (an account as of the end of month t, labelled by churn within the
window after t). A row is *treated* with kind k when an action of kind k was recorded in month t
(its effect falls in the window the label reads); rows with an action in the window's months
before (still in force) are left out of both arms.

Per account — a T-learner whose arms share one model of the churn without action:

* control arm μ0(x): the churn model family (`family.make_pipeline`, additive) fitted on the
  untreated rows, with the churn model's penalty;
* treated arm of kind k: μ0's logit shifted by a + a_k + b_k·z_k(x) — a shared by every kind
  (any action), a_k the kind's own and b_k·z_k(x) its variation with the traits the kind is
  meant to act on (`KIND_MODERATORS`: price offers on the price-sensitive smaller classes and
  accounts being poached or losing revenue, visits on key and large accounts, upgrades on the
  products held, service recovery on complaints, renewal on an agreement running out) —
  fitted together on every treated row by penalised maximum likelihood, a_k and b_k shrunk
  (penalties by 3-fold CV) so that a kind with few churns leans on what all actions do. A kind is taken a few
  thousand times at most and leads to a few dozen churns: an arm model of its own would learn
  noise; a shift of the control model learns only how the kind changes it.

The expected effect of kind k is τ_k(x) = μ0(x) − μ_k(x): the fall of the churn-window
probability (positive: fewer churns).

On average — for each kind, the effect on the rows it was taken for (ATT), doubly robust: μ0
cross-fitted by account (two folds), the odds of being treated with k rather than not from a
multinomial logistic regression on μ0's basis, and an interval from the influence function,
summed per account (an account's months are not independent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, log_expit, logit
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from analytics.models.family import make_pipeline

KINDS = ("price_offer", "visit", "solution_upgrade", "service_recovery", "renewal")
CONTROL = ""  # the treatment column's value for a row without an action
MIN_TREATED = 30  # rows (and 3 churns) a kind needs before its effect is estimated
SHIFT_PENALTIES = (1.0, 10.0, 100.0)  # tried for the kinds' own shifts and for their moderators
MAX_ODDS = 50.0  # cap of a control row's weight in the average effect
Z = 1.959964  # 95% interval


# What each kind is meant to act on (the retention playbook): a kind's effect may vary with these
# traits only. Fewer moderators per kind keep the few dozen churns a kind leads to from being
# spent on noise (all nine for every kind: Qini / truth Qini 0.31 on the 5,000-account demo; the shaped ones
# below, capped complaints, products short of four, large non-key, an agreement's anniversary,
# 0.77 pooled against 0.72 for the linear ones).
MODERATORS = (
    "complaints_3m",
    "urgent_reports_2m",
    "revenue_trend_3m",
    "product_count",
    "expiring",
    "is_key_account",
    "class_ab",
    "class_cd",
    "log_employees",
    "complaints_capped",
    "products_short",
    "large_not_key",
    "anniversary",
)
KIND_MODERATORS: dict[str, tuple[str, ...]] = {
    "price_offer": ("class_cd",),  # the price-sensitive smaller classes
    "visit": ("is_key_account", "large_not_key"),  # key and large accounts
    "solution_upgrade": ("products_short",),  # few products: room for a fuller solution
    "service_recovery": ("complaints_capped",),  # something to recover
    "renewal": ("expiring", "anniversary"),  # an agreement running out, or at its anniversary
}


def moderators(frame: pd.DataFrame) -> pd.DataFrame:
    """The effect moderators z(x) of each row (unscaled), MODERATORS' columns."""

    def col(name: str, lo: float, hi: float) -> np.ndarray:
        values = pd.to_numeric(frame[name], errors="coerce") if name in frame else pd.Series(0.0, index=frame.index)
        return np.clip(values.astype(float).fillna(0.0).to_numpy(dtype=float), lo, hi)

    months_left = (
        pd.to_numeric(frame["months_to_agreement_end"], errors="coerce").astype(float).fillna(-1.0)
        if "months_to_agreement_end" in frame
        else pd.Series(-1.0, index=frame.index)
    )
    value_class = frame["value_class"].astype(str) if "value_class" in frame else pd.Series("", index=frame.index)
    return pd.DataFrame(
        {
            "complaints_3m": col("complaints_3m", 0, 5),
            "urgent_reports_2m": col("urgent_reports_2m", 0, 3),
            "revenue_trend_3m": col("revenue_trend_3m", -1, 1),
            "product_count": col("product_count", 0, 10),
            "expiring": ((months_left >= 1) & (months_left <= 3)).to_numpy(dtype=float),
            "is_key_account": col("is_key_account", 0, 1),
            "class_ab": value_class.isin(["A", "B"]).to_numpy(dtype=float),
            "class_cd": value_class.isin(["C", "D"]).to_numpy(dtype=float),
            "log_employees": np.log1p(col("employee_count", 0, 1e7)),
            # Shapes of the playbook's reasoning: a few complaints are enough to recover from,
            # a fuller solution has room below four products, a visit counts for the key and
            # the large accounts, an agreement at its anniversary month is being renewed.
            "complaints_capped": col("complaints_3m", 0, 3),
            "products_short": np.clip(4 - col("product_count", 0, 10), 0, 3),
            "large_not_key": (value_class.isin(["A", "B"]).to_numpy() & (col("is_key_account", 0, 1) == 0)).astype(
                float
            ),
            "anniversary": ((months_left > 0) & (months_left % 12 == 0)).to_numpy(dtype=float),
        },
        index=frame.index,
    )


def _penalised_logit(base: np.ndarray, X: np.ndarray, y: np.ndarray, ridge: np.ndarray) -> np.ndarray:
    """w maximising Σ log P(y | logit = base + X·w) − ½ Σ ridge·w², by Newton's method (a few
    dozen parameters: a few exact steps)."""
    w = np.zeros(X.shape[1])
    for _ in range(50):
        p = expit(base + X @ w)
        grad = X.T @ (p - y) + ridge * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + np.diag(ridge)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w


def _design(kind_of: np.ndarray, z: pd.DataFrame, kinds: list[str]) -> tuple[np.ndarray, list[tuple[str, slice]]]:
    """Columns of the shift: one shared by every kind, one per kind, then each kind's moderators
    (zero on the other kinds' rows); and where each kind's moderators are."""
    blocks = [np.ones((kind_of.size, 1)), (kind_of[:, None] == np.arange(len(kinds))[None, :]).astype(float)]
    where, start = [], 1 + len(kinds)
    for j, kind in enumerate(kinds):
        names = list(KIND_MODERATORS[kind])
        blocks.append(z[names].to_numpy() * (kind_of == j)[:, None])
        where.append((kind, slice(start, start + len(names))))
        start += len(names)
    return np.hstack(blocks), where


def _ridge(n_kinds: int, n_columns: int, kind_penalty: float, moderator_penalty: float) -> np.ndarray:
    ridge = np.full(n_columns, moderator_penalty)
    ridge[0] = 1e-3  # the shared shift: barely penalised
    ridge[1 : 1 + n_kinds] = kind_penalty
    return ridge


@dataclass
class UpliftModel:
    """The fitted learner: `effects(X)` is the (rows, kinds) expected effect τ_k(x)."""

    control: object  # the family pipeline μ0
    columns: list[str]
    z_mean: pd.Series
    z_scale: pd.Series
    shifts: dict[str, np.ndarray]  # kind → (a, b…) on KIND_MODERATORS[kind]; kinds with too few rows are absent
    penalties: tuple[float, float]  # (kinds' own shifts, moderators), chosen by CV

    def control_probability(self, X: pd.DataFrame) -> np.ndarray:
        return self.control.predict_proba(X[self.columns])[:, 1]

    def effects(self, X: pd.DataFrame) -> pd.DataFrame:
        p0 = np.clip(self.control_probability(X), 1e-6, 1 - 1e-6)
        z = (moderators(X) - self.z_mean) / self.z_scale
        out = {}
        for kind in KINDS:
            w = self.shifts.get(kind)
            zk = z[list(KIND_MODERATORS[kind])].to_numpy()
            out[kind] = p0 - expit(logit(p0) + w[0] + zk @ w[1:]) if w is not None else np.full(p0.size, np.nan)
        return pd.DataFrame(out, index=X.index)


def _arms(data: pd.DataFrame, target: str) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    control = data[data["treatment"] == CONTROL]
    treated = {kind: data[data["treatment"] == kind] for kind in KINDS}
    return control, {k: rows for k, rows in treated.items() if len(rows) >= MIN_TREATED and rows[target].sum() >= 3}


def fittable(data: pd.DataFrame, target: str = "is_churn") -> bool:
    """Whether `data` holds enough to fit the learner: untreated rows with churns and non-churns,
    and at least one kind taken often enough, with churns among its accounts (`_arms`)."""
    control, treated = _arms(data, target)
    return control[target].nunique() == 2 and bool(treated)


def fit_uplift(
    data: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    *,
    target: str = "is_churn",
    C: float = 0.1,
    seed: int = 0,
) -> UpliftModel:
    """Fit the learner on `data` (feature columns, `target`, `treatment`: a kind or CONTROL)."""
    columns = [*numeric, *categorical]
    control, treated = _arms(data, target)
    if control[target].nunique() < 2:
        raise ValueError("uplift: the untreated rows need churns and non-churns")
    if not treated:
        raise ValueError(f"uplift: no action kind was taken {MIN_TREATED} times with churns among its accounts")
    pipeline = make_pipeline(numeric, categorical, seed=seed).set_params(classifier__Cs=(C,), classifier__cv=3)
    mu0 = clone(pipeline).fit(control[columns], control[target].astype(int))
    z_all = moderators(data)
    z_mean, z_scale = z_all.mean(), z_all.std().clip(lower=1e-6)
    kinds = list(treated)
    rows = pd.concat(treated.values())
    base = logit(np.clip(mu0.predict_proba(rows[columns])[:, 1], 1e-6, 1 - 1e-6))
    kind_of = pd.Categorical(rows["treatment"], categories=kinds).codes
    X, where = _design(kind_of, (moderators(rows) - z_mean) / z_scale, kinds)
    y = rows[target].to_numpy(dtype=float)
    folds = np.random.default_rng(seed).integers(0, 3, y.size)
    best = None
    for kind_penalty in SHIFT_PENALTIES:
        for moderator_penalty in SHIFT_PENALTIES:
            ridge = _ridge(len(kinds), X.shape[1], kind_penalty, moderator_penalty)
            loss = 0.0
            for f in range(3):
                w = _penalised_logit(base[folds != f], X[folds != f], y[folds != f], ridge)
                eta = base[folds == f] + X[folds == f] @ w
                loss -= (y[folds == f] * log_expit(eta) + (1 - y[folds == f]) * log_expit(-eta)).sum()
            if best is None or loss < best[0]:
                best = (loss, (kind_penalty, moderator_penalty))
    penalties = best[1]
    w = _penalised_logit(base, X, y, _ridge(len(kinds), X.shape[1], *penalties))
    shifts = {kind: np.concatenate([[w[0] + w[1 + j]], w[where[j][1]]]) for j, kind in enumerate(kinds)}
    return UpliftModel(mu0, columns, z_mean, z_scale, shifts, penalties)


def average_effects(
    data: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    *,
    target: str = "is_churn",
    C: float = 0.1,
    seed: int = 0,
) -> dict[str, dict]:
    """Per kind, the doubly robust effect on the rows treated with it (ATT) and its 95% interval:
    {kind: {effect, low, high, se, treated_rows, treated_accounts}} (None figures for a kind
    with too few rows). `data` as for fit_uplift, plus account_id."""
    columns = [*numeric, *categorical]
    data = data.reset_index(drop=True)
    accounts = data["account_id"].drop_duplicates()
    fold_of = pd.Series(np.random.default_rng(seed).integers(0, 2, len(accounts)), index=accounts.to_numpy())
    fold = fold_of.loc[data["account_id"]].to_numpy()
    y = data[target].to_numpy(dtype=float)
    labels = [CONTROL, *KINDS]
    arm = pd.Categorical(data["treatment"], categories=labels).codes  # 0 control, 1… the kinds
    mu0 = np.zeros(len(data))
    odds = np.zeros((len(data), len(KINDS)))
    pipeline = make_pipeline(numeric, categorical, seed=seed).set_params(classifier__Cs=(C,), classifier__cv=3)
    for f in (0, 1):
        train, test = fold != f, fold == f
        control = train & (arm == 0)
        model = clone(pipeline).fit(data.loc[control, columns], y[control].astype(int))
        mu0[test] = model.predict_proba(data.loc[test, columns])[:, 1]
        basis = model.named_steps["features"]
        propensity = LogisticRegression(C=C, max_iter=500).fit(basis.transform(data.loc[train, columns]), arm[train])
        p = np.zeros((int(test.sum()), len(labels)))
        p[:, propensity.classes_] = propensity.predict_proba(basis.transform(data.loc[test, columns]))
        odds[test] = np.minimum(p[:, 1:] / np.maximum(p[:, [0]], 1e-9), MAX_ODDS)
    residual = mu0 - y  # positive where fewer churned than expected without action
    out = {}
    for j, kind in enumerate(KINDS, start=1):
        treated = arm == j
        n_treated = int(treated.sum())
        if n_treated < MIN_TREATED or y[treated].sum() < 3:
            out[kind] = {"effect": None, "low": None, "high": None, "se": None, "treated_rows": n_treated}
            continue
        use = treated | (arm == 0)
        share = n_treated / use.sum()
        w = np.where(arm == 0, odds[:, j - 1], 0.0)
        effect = (residual[treated].sum() - (w * residual)[arm == 0].sum()) / n_treated
        phi = np.where(use, (treated * (residual - effect) - (arm == 0) * w * residual) / share, 0.0)
        per_account = pd.Series(phi[use]).groupby(data.loc[use, "account_id"].to_numpy()).sum().to_numpy()
        se = float(np.sqrt((per_account**2).sum()) / use.sum())
        out[kind] = {
            "effect": float(effect),
            "low": float(effect - Z * se),
            "high": float(effect + Z * se),
            "se": se,
            "treated_rows": n_treated,
            "treated_accounts": int(data.loc[treated, "account_id"].nunique()),
        }
    return out
