"""Benchmark of issue 16 item 3: does ranking by expected revenue saved (the uplift estimate of
the best action kind × revenue) recover more *true* saved revenue than ranking by churn risk ×
revenue? Measured with the demo's truth (`truth_retention_effects`), which real data has not —
the 客户挽留 page shows the *expected* figures only.

For each ranking, the top K accounts each get the kind the uplift estimate recommends; the true
saved revenue of an account is the demo's true effect of that kind (fall of the churn-window
probability) × the account's revenue of the last 12 months (as uplift_scores' own). The oracle
line takes the top K by the true best kind's saved revenue: the most any ranking could recover.
Two populations: the accounts at risk (the lists' own, rules threshold) and every scored account.

    python benchmarks/bench_retention_ranking.py                  # demo 5,000 accounts, seed 7 (≈ 3 min)
    python benchmarks/bench_retention_ranking.py --db W.duckdb    # a demo warehouse already trained
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.common import rules  # noqa: E402
from analytics.views.compliance.uplift_ranking import rank_at_risk, saved_revenue_by_ranking  # noqa: E402
from analytics.warehouse import db  # noqa: E402

KS = (50, 100, 200)


def prepared(accounts: int, seed: int, folder: Path) -> Path:
    path = folder / "demo.duckdb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "demo",
            "--accounts",
            str(accounts),
            "--seed",
            str(seed),
            "--db",
            str(path),
            "--quiet",
        ],
        cwd=ROOT,
        check=True,
    )
    from analytics.models import preparation

    preparation.prepare(path)
    return path


def measure(path: Path) -> dict:
    with db.connect(path, read_only=True) as con:
        month = con.execute("select max(score_month) from uplift_scores").fetchone()[0]
        uplift = con.execute("select * from uplift_scores where score_month = ?", [month]).df()
        scores = con.execute(
            "select account_id, churn_probability, revenue_at_risk_yuan from scores where as_of_month = ?", [month]
        ).df()
        truth = con.execute(
            "select account_id, action_kind::varchar as action_kind, effect from truth_retention_effects"
            " where billing_month = ?",
            [month],
        ).df()
        revenue = (
            con.execute(
                "select account_id, revenue_avg_12m_yuan * 12 as revenue from mart_account_features"
                " where billing_month = ?",
                [month],
            )
            .df()
            .set_index("account_id")["revenue"]
            .fillna(0.0)
        )
    threshold = rules.load().churn_probability_at_least
    true_saved_by_kind = truth.assign(saved=truth["effect"] * revenue.reindex(truth["account_id"]).to_numpy())
    oracle = true_saved_by_kind.groupby("account_id")["saved"].max()
    out = {"score_month": f"{month:%Y-%m}", "threshold": threshold}
    for name, population in (
        ("at_risk", scores[scores["churn_probability"] >= threshold]),
        ("all_scored", scores),
    ):
        ranked = rank_at_risk(population, uplift[uplift["account_id"].isin(population["account_id"])])
        kinds = ranked[["account_id", "action_kind"]]
        chosen = kinds.merge(true_saved_by_kind, on=["account_id", "action_kind"], how="left")
        true_saved = chosen.set_index("account_id")["saved"].fillna(0.0)
        rows = []
        for k in KS:
            figures = saved_revenue_by_ranking(ranked, true_saved, k)
            best = float(oracle.reindex(population["account_id"]).fillna(0.0).nlargest(k).sum())
            rows.append({"k": min(k, len(ranked)), **figures, "oracle": best})
        with_estimate = int((ranked["ranked_by"] == "uplift").sum())
        out[name] = {"accounts": len(ranked), "with_estimate": with_estimate, "top_k": rows}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a trained demo warehouse (default: generate one)")
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or prepared(args.accounts, args.seed, Path(folder))
        result = measure(path)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"True saved revenue of the top K (yuan), scores of {result['score_month']}, demo truth:")
    for name in ("at_risk", "all_scored"):
        block = result[name]
        print(f"  {name}: {block['accounts']} accounts, {block['with_estimate']} with an uplift estimate")
        print(f"    {'K':>5} {'uplift':>14} {'risk':>14} {'uplift/risk':>12} {'oracle':>14}")
        for row in block["top_k"]:
            ratio = row["uplift"] / row["risk"] if row["risk"] else float("nan")
            figures = f"{row['uplift']:>14,.0f} {row['risk']:>14,.0f} {ratio:>12.2f} {row['oracle']:>14,.0f}"
            print(f"    {row['k']:>5} {figures}")


if __name__ == "__main__":
    pd.set_option("display.width", 160)
    main()
