"""Needs found in interview notes: a multi-label text model mapping Chinese notes to the four
areas (SPEC §4 "Needs found in interviews"), plus the products and competitors they name.

The model learns from the warehouse's own tagged notes (`interactions.notes` → `needs_found`):
TF-IDF of per-clause character n-grams (2–3 characters, plus the area marks of the alias
lexicon), the n-grams of a clause that declines a need marked apart (see `text`) → one-vs-rest
logistic regression, with one decision threshold per area chosen on out-of-sample probabilities
(maximising F1, not 0.5): of held-out phrasing when the notes have phrase groups (the demo's),
else of grouped cross-validation on the training notes.
Products and competitors named are found by pattern (`mentions.mentions`, re-exported).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, GroupShuffleSplit
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from analytics.config import AREAS
from analytics.models.notes.mentions import mentions
from analytics.models.notes.text import LEXICON, NEGATION_CUES, ClauseNgramCounts, distinct_texts

__all__ = [
    "NotesModel",
    "best_f1_threshold",
    "evaluate",
    "fit_with_thresholds",
    "make_notes_pipeline",
    "held_out_phrasing",
    "mentions",
    "no_need_empty_rate",
    "phrase_folds",
    "read_tagged_notes",
    "score_interactions",
    "train_notes_model",
]

# Training beyond this many notes buys nothing measurable and costs minutes at province scale
# (2.8 M notes); whole accounts are sampled so that the split by account still holds.
MAX_TRAINING_NOTES = 150_000
PREDICT_CHUNK = 200_000


def make_notes_pipeline(
    *,
    ngram_range: tuple[int, int] = (1, 3),
    negation: str | None = NEGATION_CUES,
    min_df: int = 2,
    C: float = 10.0,
    class_weight: str | None = "balanced",
    lexicon: tuple[tuple[str, str], ...] | None = LEXICON,
) -> Pipeline:
    """Unfitted pipeline: counts of per-clause character n-grams → sublinear TF-IDF → one
    logistic regression per area. `predict_proba` gives (n, 4) independent probabilities; the
    decision thresholds live in NotesModel."""
    return Pipeline(
        [
            ("count", ClauseNgramCounts(ngram_range=ngram_range, negation=negation, min_df=min_df, lexicon=lexicon)),
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
            (
                "classify",
                OneVsRestClassifier(LogisticRegression(C=C, class_weight=class_weight, tol=1e-3, max_iter=1000)),
            ),
        ]
    )


@dataclass
class NotesModel:
    """A fitted notes pipeline with one decision threshold per area (in `areas` order)."""

    pipeline: Pipeline
    thresholds: np.ndarray
    areas: tuple[str, ...] = AREAS
    training: dict = field(default_factory=dict)

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Probability that each text voices a need in each area: float array (n, len(areas)).

        Each distinct text is scored once, PREDICT_CHUNK at a time so that memory stays bounded
        however many notes come in (the sparse n-gram matrix is ~1 KB per note)."""
        codes, distinct = distinct_texts(texts)
        probability = np.zeros((len(distinct), len(self.areas)), dtype=np.float32)
        for start in range(0, len(distinct), PREDICT_CHUNK):
            chunk = distinct[start : start + PREDICT_CHUNK]
            probability[start : start + len(chunk)] = self.pipeline.predict_proba(chunk)
        return probability[codes]

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """Whether each text voices a need in each area: bool array (n, len(areas))."""
        return self.predict_proba(texts) >= self.thresholds


def best_f1_threshold(y: np.ndarray, score: np.ndarray) -> float:
    """The cut on `score` that maximises F1 for the binary labels `y`, placed halfway between
    the lowest score kept and the highest one dropped (not at the edge of the winning range),
    so that a slightly lower score on new notes still passes. No positives: never predict."""
    positives = int(y.sum())
    if positives == 0:
        return float("inf")
    order = np.argsort(-score, kind="stable")
    s, hit = score[order], y[order].astype(bool)
    kept = np.arange(1, s.size + 1)  # predict the top k as positive
    f1 = 2 * np.cumsum(hit) / (kept + positives)
    f1[:-1][s[:-1] == s[1:]] = -1.0  # a cut cannot split tied scores
    k = int(np.argmax(f1))
    return float(s[k] if k == s.size - 1 else (s[k] + s[k + 1]) / 2)


def area_thresholds(y: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """One F1-maximising threshold per area (column) from out-of-sample probabilities."""
    return np.array([best_f1_threshold(y[:, j], probability[:, j]) for j in range(y.shape[1])])


def out_of_fold_proba(
    estimator: Pipeline, X: object, y: np.ndarray, groups: np.ndarray, *, folds: int, seed: int
) -> np.ndarray:
    """Probabilities (n, 4) of each row of X from a copy of `estimator` fitted without the rows
    of its account (GroupKFold on account_id)."""
    splitter = GroupKFold(min(folds, len(np.unique(groups))), shuffle=True, random_state=seed)
    probability = np.zeros(y.shape)
    for fit_rows, score_rows in splitter.split(y, y, groups):
        fold_model = clone(estimator).fit(X[fit_rows], y[fit_rows])
        probability[score_rows] = fold_model.predict_proba(X[score_rows])
    return probability


def fit_with_thresholds(
    texts: np.ndarray, y: np.ndarray, groups: np.ndarray, *, folds: int = 3, seed: int = 0
) -> tuple[NotesModel, np.ndarray]:
    """Fit the notes pipeline on these notes, with per-area thresholds chosen by grouped CV on
    them. Returns the model and the out-of-fold probabilities (n, 4) the thresholds came from."""
    pipeline = make_notes_pipeline()
    probability = out_of_fold_proba(pipeline, texts, y, groups, folds=folds, seed=seed)
    return NotesModel(pipeline.fit(texts, y), area_thresholds(y, probability)), probability


def read_tagged_notes(
    con: duckdb.DuckDBPyConnection, *, max_notes: int | None = MAX_TRAINING_NOTES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(notes, true tags bool (n, 4) in AREAS order, account ids) of the interactions; at most
    `max_notes` notes, taken as whole accounts sampled at random."""
    # A cursor is a connection of its own: a pending result of the caller stays intact, and
    # `sql` (unlike `execute`) hands Arrow over without an extra copy.
    with con.cursor() as cursor:
        table = cursor.sql(
            "select account_id, notes, needs_found::varchar[] as needs_found from interactions order by interaction_id"
        ).to_arrow_table()
    if max_notes is not None and table.num_rows > max_notes:
        account, accounts = pd.factorize(table["account_id"].to_numpy(zero_copy_only=False))
        shuffled = np.random.default_rng(seed).permutation(accounts.size)
        keep = shuffled[np.cumsum(np.bincount(account)[shuffled]) <= max_notes]
        table = table.filter(pa.array(np.isin(account, keep)))
    needs = table["needs_found"].combine_chunks()
    area_index = pc.index_in(pc.list_flatten(needs), value_set=pa.array(AREAS)).to_numpy(zero_copy_only=False)
    y = np.zeros((table.num_rows, len(AREAS)), dtype=bool)
    y[pc.list_parent_indices(needs).to_numpy(), area_index] = True
    notes = table["notes"].to_numpy(zero_copy_only=False)
    return notes, y, table["account_id"].to_numpy(zero_copy_only=False)


def evaluate(y: np.ndarray, predicted: np.ndarray, areas: tuple[str, ...] = AREAS) -> dict:
    """Precision, recall, F1 and support per area, and macro / micro F1, of bool predictions."""
    precision, recall, f1, support = precision_recall_fscore_support(y, predicted, average=None, zero_division=0)
    return {
        "macro_f1": float(np.mean(f1)),
        "micro_f1": float(f1_score(y, predicted, average="micro", zero_division=0)),
        "per_area": {
            area: {
                "precision": float(precision[j]),
                "recall": float(recall[j]),
                "f1": float(f1[j]),
                "support": int(support[j]),
            }
            for j, area in enumerate(areas)
        },
    }


def phrase_folds(phrase_groups: np.ndarray, *, folds: int = 3, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train rows, test rows) of a GroupKFold over phrase groups (shuffled with `seed`): no phrase
    group, hence no phrase family or template, is on both sides of any fold."""
    groups = np.asarray(phrase_groups)
    splitter = GroupKFold(min(folds, len(np.unique(groups))), shuffle=True, random_state=seed)
    return list(splitter.split(groups, groups, groups))


def held_out_phrasing(
    texts: np.ndarray, y: np.ndarray, phrase_groups: np.ndarray, *, folds: int = 3, seed: int = 0
) -> tuple[dict, np.ndarray, np.ndarray]:
    """Figures on phrasing training never saw: each note is scored by a model fitted without its
    phrase group (`phrase_folds`). The thresholds of a fold are chosen on the other folds'
    out-of-phrasing probabilities (their notes, their labels: never the fold's own), so a fold
    costs one fit. Returns (report, out-of-phrasing probabilities (n, 4), bool predictions)."""
    splits = phrase_folds(phrase_groups, folds=folds, seed=seed)
    probability = np.zeros(y.shape)
    for fit_rows, score_rows in splits:
        fold_model = make_notes_pipeline().fit(texts[fit_rows], y[fit_rows])
        probability[score_rows] = fold_model.predict_proba(texts[score_rows])
    predicted = np.zeros(y.shape, dtype=bool)
    for _, score_rows in splits:
        others = np.ones(y.shape[0], dtype=bool)
        others[score_rows] = False
        thresholds = area_thresholds(y[others], probability[others]) if others.any() else np.full(y.shape[1], 0.5)
        predicted[score_rows] = probability[score_rows] >= thresholds
    report = {
        **evaluate(y, predicted),
        "no_need_empty_rate": no_need_empty_rate(y, predicted),
        "test_rows": int(y.shape[0]),
        "folds": len(splits),
        "split": f"GroupKFold on phrase group, {len(splits)} folds, seed={seed}",
        "test_groups": [sorted(int(g) for g in np.unique(phrase_groups[rows])) for _, rows in splits],
    }
    return report, probability, predicted


def no_need_empty_rate(y: np.ndarray, predicted: np.ndarray) -> float | None:
    """Share of the notes voicing no need (no true area) that are predicted no area either."""
    none = ~y.any(axis=1)
    return float((~predicted[none].any(axis=1)).mean()) if none.any() else None


def train_notes_model(
    con: duckdb.DuckDBPyConnection,
    *,
    test_share: float = 0.2,
    seed: int = 0,
    folds: int = 3,
    max_notes: int | None = MAX_TRAINING_NOTES,
    phrase_group_of: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[NotesModel, dict]:
    """Train the notes model on the warehouse's tagged interactions.

    Two held-out figures. Same phrasing: `test_share` of the *accounts* held out
    (GroupShuffleSplit on account_id), the model fitted on the rest with thresholds chosen on the
    rest's out-of-phrasing probabilities (without phrase groups: by grouped `folds`-fold CV on
    the rest); test notes share phrasing with training ones. Held-out phrasing (when `phrase_group_of` maps
    account ids to the phrase group their notes are written in, as the demo's do): every note
    scored by a model that never saw its phrase group (`held_out_phrasing`) — the figure that
    says how the model reads notes phrased in new ways. Without phrase groups (real notes: their
    phrasing is unknown), the held-out phrasing figure is the same-phrasing one, and says so.

    Then refits on all notes (at most `max_notes`, whole accounts sampled), with thresholds from
    out-of-phrasing probabilities when there are phrase groups. Returns the refitted model and
    the report: macro_f1 (held-out phrasing), micro_f1, per_area {precision, recall, f1,
    support}, no_need_empty_rate, held_out_phrasing {…, split, test_groups}, macro_f1_same_phrasing,
    same_phrasing {macro_f1, micro_f1, per_area, no_need_empty_rate}, train_rows, test_rows,
    split, thresholds (same-phrasing run), unseen_text {test_rows, macro_f1}, refit_rows,
    refit_thresholds.
    """
    texts, y, account_ids = read_tagged_notes(con, max_notes=max_notes, seed=seed)
    groups, distinct_accounts = pd.factorize(account_ids)  # integer groups split much faster
    accounts = distinct_accounts.size
    if accounts < 2 * folds:
        raise ValueError(f"too few accounts with notes to train the notes model: {accounts}")
    split = GroupShuffleSplit(n_splits=1, test_size=test_share, random_state=seed)
    train, test = next(split.split(texts, y, groups))

    phrasing = None
    if phrase_group_of is not None:
        phrase_groups = np.asarray(phrase_group_of(account_ids))
        if np.unique(phrase_groups).size >= 2:
            phrasing, phrasing_proba, _ = held_out_phrasing(texts, y, phrase_groups, folds=folds, seed=seed)

    if phrasing is not None:
        # Thresholds for new phrasing, chosen on the training accounts' out-of-phrasing
        # probabilities (no test account's label): the kind the refit gets too. One fit, not four.
        thresholds = area_thresholds(y[train], phrasing_proba[train])
        held_out = NotesModel(make_notes_pipeline().fit(texts[train], y[train]), thresholds)
        test_proba = held_out.predict_proba(texts[test])
    else:
        held_out, train_proba = fit_with_thresholds(texts[train], y[train], groups[train], folds=folds, seed=seed)
        test_proba = held_out.predict_proba(texts[test])
    same_predicted = test_proba >= held_out.thresholds
    same = {**evaluate(y[test], same_predicted), "no_need_empty_rate": no_need_empty_rate(y[test], same_predicted)}
    report = {
        "train_rows": int(train.size),
        "test_rows": int(test.size),
        "split": f"GroupShuffleSplit on account_id, test_size={test_share}, seed={seed}",
        "thresholds": _by_area(held_out.thresholds),
    }
    # Demo notes recombine phrases, so many held-out texts also occur in training.
    unseen = ~pd.Series(texts[test]).isin(texts[train]).to_numpy()
    report["unseen_text"] = {
        "test_rows": int(unseen.sum()),
        "macro_f1": evaluate(y[test][unseen], same_predicted[unseen])["macro_f1"],
    }
    # The refit's thresholds come from out-of-sample probabilities of every note: out of
    # phrasing when there are phrase groups; else out-of-fold for the training notes and the
    # held-out model's for the test notes.
    if phrasing is not None:
        probability = phrasing_proba
    else:
        probability = np.empty(y.shape)
        probability[train], probability[test] = train_proba, test_proba
        phrasing = {**same, "split": "none (no phrase groups): same-phrasing figures", "test_rows": int(test.size)}
    report = {
        "macro_f1": phrasing["macro_f1"],
        "micro_f1": phrasing["micro_f1"],
        "per_area": phrasing["per_area"],
        "no_need_empty_rate": phrasing["no_need_empty_rate"],
        "held_out_phrasing": phrasing,
        "macro_f1_same_phrasing": same["macro_f1"],
        "same_phrasing": same,
        **report,
    }

    pipeline = make_notes_pipeline().fit(texts, y)
    model = NotesModel(pipeline, area_thresholds(y, probability))
    model.training = {"rows": int(texts.size), "accounts": accounts, "heldout": report["macro_f1"]}
    report["refit_rows"] = int(texts.size)
    report["refit_thresholds"] = _by_area(model.thresholds)
    return model, report


def _by_area(values: np.ndarray) -> dict[str, float]:
    return {area: round(float(value), 4) for area, value in zip(AREAS, values, strict=True)}


def score_interactions(con: duckdb.DuckDBPyConnection, model: NotesModel) -> pd.DataFrame:
    """Per interaction: interaction_id, account_id, occurred_at, the area probabilities
    `need_<area>` and flags `has_need_<area>` (model thresholds), ordered by interaction_id.

    Notes repeat a lot, so only the distinct notes are scored; DuckDB joins the scores back.
    """
    # A cursor is a connection of its own: the registered view stays private to this call and
    # a pending result of the caller intact.
    with con.cursor() as cursor:
        distinct = cursor.sql("select distinct notes from interactions").to_arrow_table()
        probability = model.predict_proba(distinct["notes"].to_numpy(zero_copy_only=False))
        flags = probability >= model.thresholds
        columns: dict[str, object] = {"notes": distinct["notes"]}
        for j, area in enumerate(model.areas):
            columns[f"need_{area}"] = probability[:, j]
        for j, area in enumerate(model.areas):
            columns[f"has_need_{area}"] = flags[:, j]
        cursor.register("note_scores", pa.table(columns))
        return cursor.sql(
            "select i.interaction_id, i.account_id, i.occurred_at, s.* exclude (notes) "
            "from interactions as i join note_scores as s using (notes) "
            "order by i.interaction_id"
        ).df()
