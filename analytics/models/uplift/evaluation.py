"""The uplift step of `needsmine train`: rolling-origin evaluation and the per-account scores.

At each origin T (the churn model's test month and the backtest origins three months apart) the
learner trains on the rows whose labels were complete by T (as-of ≤ T − window) of half the
accounts and estimates the other half's effects at T, and the other way round, so that every
account's estimate is out of sample. Where the demo's truth is there, each kind's per-account
estimates are judged by their Qini against the true effects (the area between the cumulative
true effect of the accounts taken in the order of the estimate and that of a random order),
relative to the truth's own Qini (the accounts taken in the order of their true effect):
1 is a perfect ranking, 0 no better than chance. `qini_ratio` pools every (account, kind) pair:
which account, and which kind for it. The average effect of each kind (on the rows it was taken
for, `estimator.average_effects`) is measured at T against the mean true effect on the same rows.

The learner then trains on every complete row and scores every account of the last month into
`uplift_scores`: per kind the expected effect (fall of the churn-window probability) and the
expected revenue saved (the effect × the account's revenue of the last 12 months).

Measured on `needsmine demo --accounts 5000 --seed 7` (test month 2026-07): Qini / truth Qini
0.77 pooled (backtest origins 2026-01 0.70, 2026-04 0.76); per kind price_offer 0.74, visit
0.41, solution_upgrade 0.88, service_recovery 0.91, renewal 0.70 — with the moderators shaped
as the playbook reasons (`estimator.KIND_MODERATORS`); with linear ones 0.72 pooled. Each kind's truth inside its
95% interval, 5 of 5 — but the intervals are wide (±0.04 to ±0.10 on effects of 0.01-0.04):
a kind is taken 600-1,800 times and leads to a few dozen churns. The step took 26 s of a
87 s training run (45 s of 180 s on a loaded machine).
"""

from __future__ import annotations

import time

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics import config
from analytics.models.uplift.estimator import CONTROL, KINDS, UpliftModel, average_effects, fit_uplift, fittable

ORIGINS = 3  # the test origin and two earlier ones, three months apart (as the other models)


def treatments(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """account_id, as_of_month, treatment: the kind of the month's first action
    (`sql/labels/retention_treatments.sql`)."""
    return con.execute((config.SQL_DIR / "labels" / "retention_treatments.sql").read_text(encoding="utf-8")).df()


def _with_treatment(data: pd.DataFrame, acts: pd.DataFrame, window: int) -> pd.DataFrame:
    """`data` with its treatment (CONTROL when none) and without rows under an earlier action."""
    acts = acts.assign(as_of_month=pd.to_datetime(acts["as_of_month"]))
    out = data.merge(acts, on=["account_id", "as_of_month"], how="left")
    out["treatment"] = out["treatment"].fillna(CONTROL)
    in_force = pd.concat(
        [acts.assign(as_of_month=acts["as_of_month"] + pd.DateOffset(months=k)) for k in range(1, window)]
    )[["account_id", "as_of_month"]].drop_duplicates()
    flag = out.merge(in_force.assign(_in_force=True), on=["account_id", "as_of_month"], how="left")["_in_force"]
    return out[~flag.eq(True).to_numpy()].reset_index(drop=True)


def qini(score: np.ndarray, effect: np.ndarray) -> float:
    """Area between the cumulative true effect in the order of `score` (highest first) and that
    of a random order, per row."""
    if effect.size == 0:  # nothing to rank (an origin whose accounts the truth does not hold)
        return 0.0
    order = np.argsort(-score, kind="stable")
    gained = np.cumsum(effect[order])
    chance = effect.sum() * np.arange(1, effect.size + 1) / effect.size
    return float((gained - chance).mean())


def _truth(con: duckdb.DuckDBPyConnection, month: pd.Timestamp) -> pd.DataFrame | None:
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    if "truth_retention_effects" not in have:
        return None
    rows = con.execute(
        "select account_id, action_kind::varchar as kind, effect from truth_retention_effects where billing_month = ?",
        [month.date()],
    ).df()
    return rows.pivot(index="account_id", columns="kind", values="effect") if len(rows) else None


def _folds(accounts: pd.Series, seed: int) -> pd.Series:
    distinct = accounts.drop_duplicates().sort_values()
    return pd.Series(np.random.default_rng(seed).integers(0, 2, len(distinct)), index=distinct.to_numpy())


def _out_of_sample(rows: pd.DataFrame, target: pd.DataFrame, numeric, categorical, C: float, seed: int) -> pd.DataFrame:
    """The learner fitted on `rows`, its effects for `target` (indexed by account)."""
    model = fit_uplift(rows, numeric, categorical, C=C, seed=seed)
    return model.effects(target).set_index(target["account_id"].to_numpy())


def _origin_tasks(data, frame, origins, window, seed) -> list[tuple[pd.Timestamp, pd.DataFrame, pd.DataFrame]]:
    """(origin, training rows of one fold of accounts, the other fold's rows at the origin)."""
    fold_of = _folds(frame["account_id"], seed)
    tasks = []
    for origin in origins:
        cutoff = origin - pd.DateOffset(months=window)
        train = data[data["is_complete"] & (data["as_of_month"] <= cutoff)]
        test = frame[frame["billing_month"] == origin]
        if train.empty or test.empty:
            continue
        for f in (0, 1):
            rows = train[fold_of.loc[train["account_id"]].to_numpy() != f]
            if not fittable(rows):  # an early origin with too few actions before it
                continue
            tasks.append((origin, rows, test[fold_of.loc[test["account_id"]].to_numpy() == f]))
    return tasks


def _judge(con, origin: pd.Timestamp, estimate: pd.DataFrame, train_rows: int) -> dict | None:
    """The out-of-sample estimates at `origin` against the truth (None without a truth)."""
    truth = _truth(con, origin)
    if truth is None:
        return None
    kinds = [k for k in KINDS if k in truth and estimate[k].notna().all()]
    joined = estimate[kinds].join(truth[kinds].add_suffix("_truth"), how="inner")
    if joined.empty or not kinds:
        return None
    by_kind = {}
    for kind in kinds:
        est, true = joined[kind].to_numpy(), joined[f"{kind}_truth"].to_numpy()
        q, q_truth = qini(est, true), qini(true, true)
        by_kind[kind] = {"qini": q, "truth_qini": q_truth, "ratio": q / q_truth if q_truth > 0 else None}
    est = joined[kinds].to_numpy().ravel()
    true = joined[[f"{k}_truth" for k in kinds]].to_numpy().ravel()
    q, q_truth = qini(est, true), qini(true, true)
    return {
        "as_of": f"{origin:%Y-%m}",
        "rows": len(joined),
        "train_rows": train_rows,
        "qini": q,
        "truth_qini": q_truth,
        "qini_ratio": q / q_truth if q_truth > 0 else None,
        "qini_by_kind": by_kind,
        "mean_effect": {k: float(joined[k].mean()) for k in kinds},
        "truth_mean_effect": {k: float(joined[f"{k}_truth"].mean()) for k in kinds},
    }


def _true_att(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> dict[str, float]:
    """Mean true effect of the kind taken on the treated `rows` (the demo's truth)."""
    treated = rows.loc[rows["treatment"] != CONTROL, ["account_id", "as_of_month", "treatment"]]
    with con.cursor() as cur:
        cur.register("_treated", pa.Table.from_pandas(treated.assign(as_of_month=treated["as_of_month"].dt.date)))
        out = cur.execute(
            "select t.treatment, avg(e.effect) from _treated t join truth_retention_effects e "
            "on e.account_id = t.account_id and e.billing_month = t.as_of_month "
            "and e.action_kind::varchar = t.treatment "
            "group by all"
        ).fetchall()
    return dict(out)


def write_scores(con: duckdb.DuckDBPyConnection, model: UpliftModel, latest: pd.DataFrame) -> int:
    """Replace `uplift_scores` with the estimates of every account in `latest` (one month's rows)."""
    effects = model.effects(latest)
    revenue = pd.to_numeric(latest["revenue_avg_12m_yuan"], errors="coerce").fillna(0.0).to_numpy() * 12
    kinds = [k for k in KINDS if effects[k].notna().all()]
    n = len(latest)
    table = pd.DataFrame(
        {
            "account_id": np.repeat(latest["account_id"].to_numpy(), len(kinds)),
            "score_month": np.repeat(pd.to_datetime(latest["billing_month"]).dt.date.to_numpy(), len(kinds)),
            "action_kind": np.tile(np.array(kinds, dtype=object), n),
            "expected_effect": effects[kinds].to_numpy().ravel(),
            "expected_revenue_saved": (effects[kinds].to_numpy() * revenue[:, None]).ravel(),
        }
    )
    with con.cursor() as cur:
        cur.register("_uplift", pa.Table.from_pandas(table, preserve_index=False))
        cur.execute("begin")
        cur.execute((config.SQL_DIR / "outputs" / "uplift_scores.sql").read_text(encoding="utf-8"))
        cur.execute("insert into uplift_scores by name select * from _uplift")
        cur.execute("commit")
    return len(table)


def train_uplift(
    con: duckdb.DuckDBPyConnection,
    frame: pd.DataFrame,
    churn: pd.DataFrame,
    numeric: tuple[str, ...],
    categorical: tuple[str, ...],
    *,
    window: int,
    test_month: pd.Timestamp,
    C: float,
    seed: int = 0,
    executor=None,
) -> tuple[UpliftModel | None, dict]:
    """Evaluate the learner by rolling origin, fit it on every complete row and write
    `uplift_scores`. `frame`: the churn features; `churn`: its labels. Returns (model, report);
    (None, {"status": …}) where no action with a kind is recorded."""
    t0 = time.perf_counter()
    acts = treatments(con)
    if acts.empty:  # nothing to learn from: no estimate is better than a stale one
        con.execute("drop table if exists uplift_scores")
        return None, {"status": "no_actions"}
    numeric, categorical = list(numeric), list(categorical)
    keys = ["account_id", "billing_month"]
    data = frame[[*keys, *numeric, *categorical]].merge(
        churn[["account_id", "as_of_month", "is_complete", "is_churn"]],
        left_on=keys,
        right_on=["account_id", "as_of_month"],
    )
    data["as_of_month"] = pd.to_datetime(data["as_of_month"])
    data = _with_treatment(data, acts, window)
    complete = data[data["is_complete"]]
    if not fittable(complete):  # a small or new warehouse: too few actions to measure anything
        con.execute("drop table if exists uplift_scores")
        return None, {"status": "too_few_actions", "actions": int(len(acts))}
    frame = frame.assign(billing_month=pd.to_datetime(frame["billing_month"]))
    origins = [test_month - pd.DateOffset(months=3 * k) for k in range(ORIGINS)]
    tasks = _origin_tasks(data, frame, origins, window, seed)
    # The fits are independent: on the executor's workers when given one (training's).
    if executor is None:
        estimates = [_out_of_sample(rows, target, numeric, categorical, C, seed) for _, rows, target in tasks]
    else:
        futures = [
            executor.submit(_out_of_sample, rows, target, numeric, categorical, C, seed) for _, rows, target in tasks
        ]
        estimates = [future.result() for future in futures]
    backtest = []
    for origin in origins:
        parts = [e for (o, _, _), e in zip(tasks, estimates, strict=True) if o == origin]
        rows = sum(len(r) for o, r, _ in tasks if o == origin) // 2 if parts else 0
        judged = _judge(con, origin, pd.concat(parts), rows) if parts else None
        if judged:
            backtest.append(judged)
    report: dict = {"status": "ok", "test_as_of": f"{test_month:%Y-%m}", "window_months": window}
    test = backtest[0] if backtest and backtest[0]["as_of"] == f"{test_month:%Y-%m}" else None
    if test is not None:
        report.update({k: test[k] for k in ("qini", "truth_qini", "qini_ratio", "qini_by_kind", "rows")})
    report["backtest"] = sorted(
        ({"as_of": r["as_of"], "qini_ratio": r["qini_ratio"], "rows": r["rows"]} for r in backtest),
        key=lambda r: r["as_of"],
    )

    # The average effect of each kind with what was known at the test month.
    known = data[data["is_complete"] & (data["as_of_month"] <= test_month - pd.DateOffset(months=window))]
    # (none where too few actions came before it: a warehouse with a short history of them)
    averages = average_effects(known, numeric, categorical, C=C, seed=seed) if fittable(known) else {}
    truth = _true_att(con, known) if _truth(con, test_month) is not None else {}
    for kind, figures in averages.items():
        if kind in truth and figures["effect"] is not None:
            figures["truth"] = float(truth[kind])
            figures["covered"] = bool(figures["low"] <= truth[kind] <= figures["high"])
    report["average_effects"] = averages
    if truth:
        report["kinds_covered"] = sum(bool(f.get("covered")) for f in averages.values())
    report["treated_rows"] = {k: int((known["treatment"] == k).sum()) for k in KINDS}

    model = fit_uplift(complete, numeric, categorical, C=C, seed=seed)
    latest = frame[frame["billing_month"] == frame["billing_month"].max()]
    report["scored_rows"] = write_scores(con, model, latest)
    report["score_month"] = f"{latest['billing_month'].max():%Y-%m}"
    report["fit_seconds"] = time.perf_counter() - t0
    return model, report
