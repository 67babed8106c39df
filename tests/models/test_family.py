"""The model family: exact contributions, their direction, calibration, model files, metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sklearn
from scipy.special import expit, logit
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from analytics.models.basis import CategoryCode, as_category_text
from analytics.models.family import BASELINE, contributions, feature_columns, make_pipeline
from analytics.models.metrics import evaluate
from analytics.models.persistence import ModelFileError, ModelVersionError, load_model, read_metadata, save_model

NUMERIC = ["revenue_drop", "tenure_months", "complaints", "is_key_account"]
CATEGORICAL = ["industry", "district"]


def synthetic(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Accounts whose churn log-odds are known: rising with the revenue drop, falling with
    tenure (non-linearly), plus a categorical effect; some values missing."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "revenue_drop": rng.uniform(-0.5, 1.0, n),
            "tenure_months": rng.gamma(2.0, 18.0, n),
            "complaints": rng.poisson(0.6, n).astype(float),
            "is_key_account": (rng.random(n) < 0.2).astype(float),
            "industry": rng.choice(["制造业", "教育", "金融业", "建筑业"], n),
            "district": rng.choice(["浦东", "黄浦", "静安", None], n),
        }
    )
    z = (
        -1.2
        + 2.0 * X["revenue_drop"]
        - 0.9 * np.log1p(X["tenure_months"] / 6)
        + 0.35 * X["complaints"]
        + 0.8 * (X["industry"] == "建筑业")
    ).to_numpy()
    X.loc[rng.random(n) < 0.1, "tenure_months"] = np.nan
    p = expit(z)
    y = (rng.random(n) < p).astype(int)
    return X, y, p


@pytest.fixture(scope="module")
def fitted():
    X, y, _ = synthetic(4000, seed=1)
    model = make_pipeline(NUMERIC, CATEGORICAL, kind="additive", seed=0).fit(X, y)
    return model, X


def test_contributions_add_up_to_the_calibrated_logit(fitted):
    model, X = fitted
    new, _, _ = synthetic(300, seed=2)
    # What scoring meets in practice: unseen categories, missing values where training had
    # none, values far outside the training range.
    new.loc[:10, "industry"] = "从未见过的行业"
    new.loc[10:20, "revenue_drop"] = np.nan
    new.loc[20:30, "tenure_months"] = 10_000.0
    for frame in (X, new):
        shares = contributions(model, frame)
        assert list(shares.columns) == [BASELINE, *NUMERIC, *CATEGORICAL]
        p = model.predict_proba(frame)[:, 1]
        np.testing.assert_allclose(shares.sum(axis=1), logit(p), atol=1e-6)
        assert shares[BASELINE].nunique() == 1


def test_contributions_follow_the_known_direction_of_an_effect(fitted):
    model, X = fitted
    shares = contributions(model, X)
    order = X["revenue_drop"].rank().corr(shares["revenue_drop"].rank())
    assert order > 0.95  # churn log-odds rise with the revenue drop
    low, high = X["revenue_drop"].quantile([0.1, 0.9])
    assert (shares.loc[X["revenue_drop"] >= high, "revenue_drop"] > 0).all()
    assert (shares.loc[X["revenue_drop"] <= low, "revenue_drop"] < 0).all()
    tenure = X["tenure_months"].notna()
    falling = X.loc[tenure, "tenure_months"].rank().corr(shares.loc[tenure, "tenure_months"].rank())
    assert falling < -0.9  # and fall with tenure
    construction = shares.loc[X["industry"] == "建筑业", "industry"]
    assert (construction > 0).all() and (shares.loc[X["industry"] != "建筑业", "industry"] < 0).all()
    # columns without effect move scores far less than those with one
    assert shares["is_key_account"].abs().mean() < 0.2 * shares["revenue_drop"].abs().mean()


def test_probabilities_are_calibrated_on_new_data(fitted):
    model, _ = fitted
    X, y, p_true = synthetic(6000, seed=3)
    p = model.predict_proba(X)[:, 1]
    figures = evaluate(y, p)
    assert figures["ece"] < 0.03
    bayes_brier = float(np.mean((p_true - y) ** 2))
    assert figures["brier"] < bayes_brier + 0.01
    assert figures["auc"] > evaluate(y, p_true)["auc"] - 0.02


def test_category_code_matches_scikit_learns_one_hot_encoder():
    """CategoryCode replaced OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency)
    for speed; its columns must be the same: rare levels and unseen ones in the last column."""
    rng = np.random.default_rng(3)
    train = pd.DataFrame(
        {
            "industry": rng.choice(
                ["制造业", "教育", "金融业", " 教育 ", None, "罕见"], 600, p=[0.4, 0.3, 0.2, 0.05, 0.04, 0.01]
            )
        }
    )
    new = pd.DataFrame({"industry": ["教育", "从未见过", None, "罕见", "制造业", ""]})
    reference = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10)
    reference.fit(as_category_text(train))
    ours = CategoryCode(min_frequency=10).fit(train)
    assert ours.infrequent_.size  # the case that matters: "罕见" is rare
    for frame in (train, new):
        np.testing.assert_array_equal(
            ours.transform(frame).toarray(), reference.transform(as_category_text(frame)).toarray()
        )
    # Without rare levels an unseen one is all zeros, as in OneHotEncoder.
    common = CategoryCode(min_frequency=1).fit(train)
    assert common.transform(pd.DataFrame({"industry": ["从未见过"]})).nnz == 0


def test_feature_columns_cover_the_basis_in_order(fitted):
    """Contributions sum each input column's basis columns: the map must cover every basis
    column exactly once, numeric columns first, in the order given."""
    model, X = fitted
    basis = model.named_steps["features"]
    groups = feature_columns(model)
    width = basis.transform(X).shape[1]
    assert [name for name, _ in groups] == [*NUMERIC, *CATEGORICAL]
    assert groups[0][1].start == 0 and groups[-1][1].stop == width
    assert all(a[1].stop == b[1].start for a, b in zip(groups, groups[1:], strict=False))
    names = basis.get_feature_names_out()
    assert len(names) == width and names[groups[1][1].start].startswith("numeric__tenure_months")
    # A missing value is an all-zero spline row plus its indicator.
    tenure = dict(groups)["tenure_months"]
    row = basis.transform(X.assign(tenure_months=np.nan).head(1))[:, tenure].toarray()[0]
    assert row[:-1].sum() == 0 and row[-1] == 1
    with pytest.raises(ValueError, match="tenure_months"):
        basis.transform(X.drop(columns=["tenure_months"]))


def test_boosted_kind_predicts_but_refuses_contributions():
    X, y, _ = synthetic(1500, seed=4)
    # OpenMP threads on small data only wait for each other on a busy machine (30x slower).
    with threadpool_limits(limits=1):
        model = make_pipeline(NUMERIC, CATEGORICAL, kind="boosted", seed=0).fit(X, y)
    assert evaluate(y, model.predict_proba(X)[:, 1])["auc"] > 0.7
    with pytest.raises(TypeError, match="additive"):
        contributions(model, X)


def test_model_file_round_trip_and_refusal_of_another_sklearn_version(fitted, tmp_path):
    model, X = fitted
    path = save_model(model, tmp_path / "models" / "churn.joblib", {"kind": "additive", "auc": 0.8})
    loaded, metadata = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert metadata["kind"] == "additive" and metadata["sklearn_version"] == sklearn.__version__
    assert {"python_version", "created_at"} <= metadata.keys()
    assert read_metadata(path) == metadata

    # The same file as written by an older scikit-learn: only the header differs.
    raw = path.read_bytes()
    header = f'"sklearn_version": "{sklearn.__version__}"'.encode()
    assert raw.count(header) == 1
    path.write_bytes(raw.replace(header, b'"sklearn_version": "1.2.0"'))
    with pytest.raises(ModelVersionError) as err:
        load_model(path)
    message = str(err.value)
    assert "1.2.0" in message and sklearn.__version__ in message and "needsmine train" in message

    # A file of an older format (before the format was written, or another one): refused too.
    path.write_bytes(raw.replace(b'"format": 2, ', b""))
    with pytest.raises(ModelVersionError, match="needsmine train"):
        load_model(path)

    (tmp_path / "other.joblib").write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        load_model(tmp_path / "other.joblib")


def test_evaluate_figures_on_a_known_case():
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0] * 10)
    p = np.where(y == 1, 0.8, 0.1)
    p[0] = 0.05  # one positive scored low
    figures = evaluate(y, p)
    assert figures["rows"] == 100 and figures["positives"] == 20
    assert figures["auc"] == pytest.approx(1 - 80 / (20 * 80))
    # top decile = 10 of the 19 positives at 0.8: rate 1.0 against 0.2 overall
    assert figures["lift_top_decile"] == pytest.approx(5.0)
    assert figures["brier"] == pytest.approx(np.mean((p - y) ** 2))
    assert sum(b["count"] for b in figures["calibration"]) == 100
    assert len(figures["calibration"]) == 10


def test_lift_does_not_depend_on_the_order_of_tied_scores():
    y = np.array([1] * 10 + [0] * 90)
    flat = np.full(100, 0.5)  # a model that knows nothing
    assert evaluate(y, flat)["lift_top_decile"] == pytest.approx(1.0)
    assert evaluate(y[::-1], flat)["lift_top_decile"] == pytest.approx(1.0)


def test_evaluate_with_one_class_returns_none_and_a_note():
    figures = evaluate(np.zeros(50), np.linspace(0, 0.5, 50))
    assert figures["auc"] is None and figures["pr_auc"] is None
    assert figures["lift_top_decile"] is None
    assert "one class" in figures["note"]
    assert figures["brier"] == pytest.approx(np.mean(np.linspace(0, 0.5, 50) ** 2))
