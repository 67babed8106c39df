"""`needsmine score`: churn risk with reasons, revenue at risk, and each area's propensity and
opportunity for every account in service, written to tables the pages read:

- `scores`: account × as-of month — churn_probability, churn_reasons (top 3, Chinese words),
  revenue_at_risk_yuan (probability × trailing 12-month revenue), propensity_<area> and
  opportunity_value_<area>_yuan;
- `score_reasons`: the reasons with the model's contribution behind each;
- `score_history`: the churn and area probabilities as made, for months on or after the models'
  test month (`history.record_scoring`; a month already held is left as it was);
- `score_recommendations`: per area, the products to propose (`sql/queries/score_candidates.sql`):
  the account's whitespace (products its peer group holds and it lacks; the peer group falls back
  from industry × size band to wider groups when it is small, see `mart_peer_benchmarks`) and
  the products of an area its interviews voiced a need of (or named), each with the probability
  the account starts it within 6 months (area propensity × its share of the area's candidates by
  weight: peer adoption, at least NEED_WEIGHT for a voiced area and NAMED_WEIGHT for a named
  product) and the expected annual value (that probability × what a holder typically pays a
  year). An area's opportunity value is the sum over the products recommended in it, so a card
  and its products agree.

Before the features are read, the scope model (when its file was saved: `registry.OPTIONAL`) scores
the business scope of every account without a scope score yet (imported after training) or whose
scope changed since (`scope.score_accounts`). Without the file (a models folder of before it was
saved), the scope scores stay as training wrote them: an account imported since has none and the
upsell models' imputer gives it the median, until `needsmine train` runs again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import expit

from analytics.common import logs
from analytics.common.months import add_months
from analytics.config import AREAS, SQL_DIR
from analytics.models import features as feats
from analytics.models import history, scope, win
from analytics.models.family import contributions
from analytics.models.reasons import top_reasons
from analytics.models.training import Trained, write_interaction_needs
from analytics.warehouse import queries

Progress = Callable[[str, float], None]
RECOMMENDATIONS_PER_AREA = 3
# Weights of a candidate within its area (besides its peer adoption): a product of an area an
# interview voiced a need of counts at least as a product 5 % of peers hold (the whitespace's own
# floor); a product the customer named, at least as one half of them hold.
NEED_WEIGHT, NAMED_WEIGHT = 0.05, 0.5
OUTPUT_SQL = SQL_DIR / "outputs"


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, as_of: dt.date) -> None:
    """Replace `table`'s rows of this as-of month by `frame` (creating the table if needed)."""
    data = pa.Table.from_pandas(frame, preserve_index=False)
    with con.cursor() as cur:
        cur.execute((OUTPUT_SQL / f"{table}.sql").read_text(encoding="utf-8"))
        cur.register("_frame", data)
        cur.execute("begin")
        cur.execute(f"delete from {table} where as_of_month = ?", [as_of])
        cur.execute(f"insert into {table} by name select * from _frame")
        cur.execute("commit")


def candidates(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """The products that may be recommended in `as_of` (one row per account and product it lacks):
    account_id, product_id, product_name, area, peer_adoption_rate, typical_monthly_revenue_yuan,
    basis (peers / need / named) and weight (the product's weight within its area)."""
    rows = queries.run(con, "score_candidates", {"month": as_of})
    adoption = rows["peer_adoption_rate"].astype(float).fillna(0.0)
    floor = rows["basis"].map({"named": NAMED_WEIGHT, "need": NEED_WEIGHT}).fillna(0.0)
    rows["weight"] = np.maximum(adoption, floor)
    return rows[rows["typical_monthly_revenue_yuan"].notna()].reset_index(drop=True)


def score(
    con: duckdb.DuckDBPyConnection,
    models: dict[str, object],
    *,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Score every account in service at `as_of` (default: the latest month). Returns row counts."""
    say = progress or (lambda message, fraction: None)
    first, last = feats.month_bounds(con)
    as_of = as_of or last
    if not first <= as_of <= last:
        raise ValueError(f"as-of month {as_of:%Y-%m} is outside the data ({first:%Y-%m} – {last:%Y-%m})")
    say("走访纪要 / reading interview notes", 0.05)
    # Only the interviews the features look back on (6 months) need reading.
    write_interaction_needs(con, models["notes"], only_new=True, since=add_months(as_of, -6))
    if models.get("scope") is not None:
        scope.score_accounts(con, models["scope"])
    else:
        logs.logger("models").info("no scope model: accounts imported since training get the median scope score")
    say("特征 / features", 0.25)
    frame = feats.load_frame(con, as_of, as_of)
    frame = frame[frame["revenue_yuan"] > 0].reset_index(drop=True)

    say("离网风险 / churn risk", 0.45)
    churn: Trained = models["churn"]
    X = frame[[*churn.numeric, *churn.categorical]]
    parts = contributions(churn.model, X)
    probability = expit(parts.to_numpy().sum(axis=1))  # the parts add up to the calibrated logit
    reasons = top_reasons(parts, X)
    reasons["account_id"] = frame["account_id"].to_numpy()[reasons["row"]]
    reasons["as_of_month"] = as_of
    out = pd.DataFrame(
        {
            "account_id": frame["account_id"],
            "as_of_month": as_of,
            "churn_probability": probability,
            "revenue_12m_yuan": frame["revenue_12m_yuan"],
            "revenue_at_risk_yuan": probability * frame["revenue_12m_yuan"],
        }
    )
    # reasons is sorted by row then rank: split it into one list per account.
    counts = np.bincount(reasons["row"].to_numpy(), minlength=len(out))
    out["churn_reasons"] = [list(chunk) for chunk in np.split(reasons["reason"].to_numpy(), np.cumsum(counts)[:-1])]

    say("提升机会 / upsell", 0.65)
    whitespace = candidates(con, as_of)
    recommendations = []
    for area in AREAS:
        model: Trained = models[area]
        p = model.model.predict_proba(frame[[*model.numeric, *model.categorical]])[:, 1]
        out[f"propensity_{area}"] = p
        rows = whitespace[whitespace["area"] == area].merge(
            pd.DataFrame({"account_id": frame["account_id"], "propensity": p}), on="account_id"
        )
        share = rows["weight"] / rows.groupby("account_id")["weight"].transform("sum")
        rows["probability"] = rows["propensity"] * share
        rows["annual_value_yuan"] = rows["typical_monthly_revenue_yuan"] * 12
        rows["expected_value_yuan"] = rows["probability"] * rows["annual_value_yuan"]
        rows = rows.sort_values(["account_id", "expected_value_yuan", "product_id"], ascending=[True, False, True])
        rows["rank"] = rows.groupby("account_id").cumcount() + 1
        rows = rows[rows["rank"] <= RECOMMENDATIONS_PER_AREA]
        value = rows.groupby("account_id")["expected_value_yuan"].sum()
        out[f"opportunity_value_{area}_yuan"] = out["account_id"].map(value).fillna(0.0)
        recommendations.append(rows)
    out["opportunity_value_yuan"] = out[[f"opportunity_value_{a}_yuan" for a in AREAS]].sum(axis=1)
    recs = pd.concat(recommendations, ignore_index=True)
    recs["as_of_month"] = as_of
    recs = recs[
        [
            "account_id",
            "as_of_month",
            "area",
            "rank",
            "product_id",
            "product_name",
            "probability",
            "annual_value_yuan",
            "expected_value_yuan",
            "basis",
        ]
    ]

    say("写入 / writing scores", 0.9)
    out["scored_at"] = pd.Timestamp.now().floor("s")
    _replace(con, "scores", out, as_of)
    _replace(
        con, "score_reasons", reasons[["account_id", "as_of_month", "rank", "feature", "contribution", "reason"]], as_of
    )
    _replace(con, "score_recommendations", recs, as_of)
    # The scores as made, kept to be judged once their window has elapsed (模型监控).
    made = {"churn": (churn, probability), **{area: (models[area], out[f"propensity_{area}"]) for area in AREAS}}
    history.record_scoring(con, as_of, out["account_id"], made)
    if models.get("win") is not None:  # 商机: the open opportunities' win probability (issue 15 item 5)
        win.write_scores(con, models["win"])
    say("完成 / done", 1.0)
    return {
        "scores": len(out),
        "score_reasons": len(reasons),
        "score_recommendations": len(recs),
        "mean_churn_probability": float(np.mean(probability)) if len(out) else 0.0,
    }
