"""The scope → needs model: per area, which business scopes hold the area's products.

Rows: every account billed in the 12 months up to a label month with a scope
(`sql/features/scope_accounts.sql`); label per area: it held a product of the area in those
months. Training passes the upsell models' test month (the last month less one adoption window),
so that nothing the scope features learn comes from the months those models are tested on;
`needsmine train` reports it as `label_end`.

Features: TF-IDF of character 2–3-grams within each item (as char_wb reads words, so that
道路货物运输 and 道路普通货物运输 share most of their grams) and of whole items; one L2 logistic regression per
area. Judged on held-out accounts: stratified K-fold over accounts, each account scored by the
fold that never saw it (`auc`), and, where the demo keeps the latent needs (`truth_needs`), how
well those held-out scores rank the accounts with a need of the area (latent need > 0) above the
others (`truth_auc`). The same out-of-fold scores go to `scope_scores` (one column per area, and
the scope they were read from), the upsell models' scope features: an account's own holdings
never shape its own score.

The fitted model is saved with the others (`scope.joblib`, see `registry`) and scoring calls
`score_accounts`: an account imported after training, or whose registered scope changed since,
gets the fitted model's score of its scope; the others keep theirs from training.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from functools import lru_cache

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from analytics import config
from analytics.config import AREAS
from analytics.models.scope.text import document

ROWS_SQL = config.SQL_DIR / "features" / "scope_accounts.sql"
FOLDS = 5
MAX_ACCOUNTS = 50_000  # a province trains on a random sample of this many accounts
MIN_ACCOUNTS = 50  # fewer accounts with a scope: no model
PENALTY = 0.3  # C of the logistic regressions (held-out AUC on the demo: 0.3 ≥ 1 ≥ 3 ≥ 10)
MIN_DF = 3  # an n-gram or item of fewer accounts is not learned from
TOP_ITEMS = 8


ITEM = "item:"  # the prefix of a whole item among the n-grams


@lru_cache(maxsize=200_000)
def _item_terms(item: str) -> tuple[str, ...]:
    """The terms of one item: its character 2- and 3-grams padded with a space at each end (as
    sklearn's char_wb reads a word) and the whole item. Items repeat across thousands of scopes,
    so each is read once."""
    padded = f" {item} "
    grams = [padded[i : i + n] for n in (2, 3) for i in range(len(padded) - n + 1)]
    return (*grams, ITEM + item)


def scope_terms(doc: str) -> list[str]:
    """The terms of a document (`text.document`: items joined by spaces): n-grams never run
    across two items."""
    return [term for item in doc.split(" ") if item for term in _item_terms(item)]


def make_features() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=scope_terms, min_df=MIN_DF, sublinear_tf=True)


def make_classifier() -> LogisticRegression:
    return LogisticRegression(C=PENALTY, solver="liblinear")


def make_pipeline() -> Pipeline:
    """The model of one area as one scikit-learn pipeline (the fit below shares the features'
    vocabulary between the areas, which is the same thing four times faster)."""
    return Pipeline([("features", make_features()), ("classifier", make_classifier())])


@dataclass
class ScopeModel:
    """The fitted features, one classifier per area (None where the area had a single class)
    and each area's share of holders, the score of an account without a scope."""

    features: TfidfVectorizer
    classifiers: dict[str, LogisticRegression | None]
    prior: dict[str, float]
    areas: tuple[str, ...] = field(default=AREAS)

    def pipeline(self, area: str) -> Pipeline | None:
        """The area's model as one pipeline (scope document in, probability out)."""
        classifier = self.classifiers.get(area)
        return None if classifier is None else Pipeline([("features", self.features), ("classifier", classifier)])

    def predict(self, scopes: pd.Series | list) -> np.ndarray:
        """(n, areas) probabilities that an account of each scope holds the area."""
        docs = pd.Series([document(s) for s in scopes], dtype=object)
        out = np.tile(np.array([self.prior[a] for a in self.areas]), (len(docs), 1))
        has = (docs != "").to_numpy()
        if has.any():
            X = self.features.transform(docs[has])
            for j, area in enumerate(self.areas):
                classifier = self.classifiers.get(area)
                if classifier is not None:
                    out[has, j] = classifier.predict_proba(X)[:, 1]
        return out


def _truth_needs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    have = con.execute("select count(*) from duckdb_tables() where table_name = 'truth_needs'").fetchone()[0]
    if not have:
        return None
    rows = con.execute("select account_id, area::varchar as area, latent_need from truth_needs").df()
    if rows.empty:
        return None
    return rows.pivot(index="account_id", columns="area", values="latent_need")


def _top_items(features: TfidfVectorizer, classifier: LogisticRegression) -> list[str]:
    """The whole items that raise the area's score most."""
    vocab = features.get_feature_names_out()
    whole = np.flatnonzero(np.char.startswith(vocab.astype(str), ITEM))
    coef = classifier.coef_[0][whole]
    order = np.argsort(-coef)[:TOP_ITEMS]
    return [str(vocab[whole[i]]).removeprefix(ITEM) for i in order if coef[i] > 0]


def _out_of_fold(X, labels: np.ndarray, fit: np.ndarray, seed: int) -> np.ndarray:
    """Each account's scores from the classifiers of the fold that never saw its labels (columns:
    areas; areas not in `fit` stay 0). The TF-IDF is read once from every scope (it reads no
    label); folds stratified on the rarest area's label."""
    oof = np.zeros(labels.shape)
    rarest = int(np.argmin(np.minimum(labels.sum(axis=0), len(labels) - labels.sum(axis=0))))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(np.zeros(len(labels)), labels[:, rarest]):
        X_train, X_test = X[train], X[test]
        for j in np.flatnonzero(fit):
            y = labels[train, j]
            if y.min() == y.max():
                oof[test, j] = y[0]
                continue
            oof[test, j] = make_classifier().fit(X_train, y).predict_proba(X_test)[:, 1]
    return oof


def train_scope_model(
    con: duckdb.DuckDBPyConnection, *, seed: int = 0, label_end: dt.date | None = None
) -> tuple[ScopeModel | None, dict]:
    """Fit and judge the scope model on a built warehouse and write `scope_scores` (account_id,
    scope_<area>: out-of-fold for the accounts trained on, the fitted model's for other accounts
    with a scope, the area's share of holders for accounts without one); labels from the 12
    months up to label_end (default: the last billing month). Returns (model or None when too
    few accounts have a scope, report)."""
    t0 = time.perf_counter()
    if label_end is None:
        label_end = con.execute("select max(billing_month) from stg_billing_monthly").fetchone()[0]
    rows = con.execute(ROWS_SQL.read_text(encoding="utf-8"), {"label_end": label_end}).df()
    report: dict = {"accounts": len(rows), "folds": FOLDS, "label_end": f"{label_end:%Y-%m}", "areas": {}}
    if len(rows) < MIN_ACCOUNTS:
        con.execute("drop table if exists scope_scores")
        report["skipped"] = "too few accounts with a business scope"
        return None, report
    if len(rows) > MAX_ACCOUNTS:
        rows = rows.sample(MAX_ACCOUNTS, random_state=seed).sort_values("account_id", ignore_index=True)
        report["accounts"] = len(rows)
    docs = rows["business_scope"].map(document)
    labels = rows[[f"holds_{area}" for area in AREAS]].to_numpy().astype(int)
    positives = labels.sum(axis=0)
    fit = np.minimum(positives, len(rows) - positives) >= FOLDS
    features = make_features()
    X = features.fit_transform(docs)
    oof = _out_of_fold(X, labels, fit, seed)
    classifiers: dict[str, LogisticRegression | None] = {}
    prior = {area: float(labels[:, j].mean()) for j, area in enumerate(AREAS)}
    truth = _truth_needs(con)
    need = truth.reindex(rows["account_id"]) if truth is not None else None
    for j, area in enumerate(AREAS):
        entry: dict = {"auc": None, "truth_auc": None, "rows": len(rows), "positives": int(positives[j])}
        if not fit[j]:
            classifiers[area], oof[:, j] = None, prior[area]
            report["areas"][area] = entry
            continue
        classifiers[area] = make_classifier().fit(X, labels[:, j])
        entry["auc"] = float(roc_auc_score(labels[:, j], oof[:, j]))
        if need is not None:
            latent = need[area].to_numpy()
            known = ~np.isnan(latent)
            # How well the held-out scope scores find the accounts with a latent need of the area,
            # and, for scale, how well the latent need itself ranks the holders.
            entry["truth_auc"] = float(roc_auc_score(latent[known] > 0, oof[known, j]))
            entry["need_auc"] = float(roc_auc_score(labels[known, j], latent[known]))
        entry["top_items"] = _top_items(features, classifiers[area])
        report["areas"][area] = entry
    model = ScopeModel(features, classifiers, prior)
    _write_scores(con, model, rows["account_id"], oof)
    report["seconds"] = time.perf_counter() - t0
    return model, report


SCORE_COLUMNS = tuple(f"scope_{area}" for area in AREAS)


def _frame(accounts: pd.DataFrame, scores: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame({"account_id": accounts["account_id"].to_numpy()})
    for j, column in enumerate(SCORE_COLUMNS):
        out[column] = scores[:, j]
    out["business_scope"] = accounts["business_scope"].to_numpy()  # what the scores were read from
    return out


def _store(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    with con.cursor() as cur:
        cur.register("_scope", pa.Table.from_pandas(frame, preserve_index=False))
        cur.execute(
            "create or replace table scope_scores as "
            "select * exclude (business_scope), business_scope::varchar as business_scope from _scope"
        )


def _write_scores(con: duckdb.DuckDBPyConnection, model: ScopeModel, trained: pd.Series, oof: np.ndarray) -> None:
    accounts = con.execute("select account_id, business_scope from stg_accounts order by account_id").df()
    position = pd.Series(np.arange(len(trained)), index=trained.to_numpy())
    at = position.reindex(accounts["account_id"]).to_numpy()
    mine = ~np.isnan(at)
    scores = np.zeros((len(accounts), len(AREAS)))
    scores[mine] = oof[at[mine].astype(int)]
    scores[~mine] = model.predict(accounts.loc[~mine, "business_scope"])
    _store(con, _frame(accounts, scores))


def score_accounts(con: duckdb.DuckDBPyConnection, model: ScopeModel) -> int:
    """Bring `scope_scores` up to date with the accounts: score with `model` every account that has
    no row yet (imported after training) or whose business scope differs from the one its row was
    read from; keep the others' rows (the out-of-fold scores the upsell models were trained on).
    A `scope_scores` of before the scope column was kept gets it (the current scopes, since its
    scores were read from them, less the accounts it lacks). Returns how many accounts were scored."""
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    accounts = con.execute("select account_id, business_scope from stg_accounts order by account_id").df()
    if "scope_scores" in tables:
        stored = con.execute("select * from scope_scores").df()
        if "business_scope" not in stored.columns:
            stored = stored.merge(accounts, on="account_id", how="left")
        stored = stored.set_index("account_id").reindex(accounts["account_id"])
        had = stored[SCORE_COLUMNS[0]].notna().to_numpy()
        before = stored["business_scope"].reset_index(drop=True)
        now = accounts["business_scope"].reset_index(drop=True)
        same = (before.eq(now) | (before.isna() & now.isna())).to_numpy(dtype=bool)
        fresh = ~(had & same)
        scores = stored[list(SCORE_COLUMNS)].to_numpy(dtype=float, copy=True)
    else:
        fresh = np.ones(len(accounts), dtype=bool)
        scores = np.zeros((len(accounts), len(AREAS)))
    if not fresh.any():
        return 0
    scores[fresh] = model.predict(accounts.loc[fresh, "business_scope"])
    _store(con, _frame(accounts, scores))
    return int(fresh.sum())
