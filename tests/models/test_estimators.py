"""The project's own estimators keep scikit-learn's conventions, checked by scikit-learn itself.

`parametrize_with_checks` runs the full list of common checks on the estimators that take a 2-D
table (`CalibratedLogit`, `NumericBases`, `CategoryCodes`), each with its true tags and without
expected failures. It has nothing to run on the rest: `NumericBasis` and `CategoryCode` encode
exactly one column (the common checks feed several), and `ClauseNgramCounts` takes a 1-D sequence
of notes (tagged `two_d_array=False`, as scikit-learn tags its CountVectorizer, whose checks it
skips for the same reason). Those get the common checks that feed no data, and the conventions
the data-fed checks would have tested, here on the data they do take.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from analytics.models.basis import CategoryCode, CategoryCodes, NumericBases, NumericBasis
from analytics.models.calibrated import CalibratedLogit
from analytics.models.notes.text import ClauseNgramCounts

TABLE_ESTIMATORS = [CalibratedLogit(), NumericBases(), CategoryCodes()]


@parametrize_with_checks(TABLE_ESTIMATORS)
def test_scikit_learn_common_checks(estimator: BaseEstimator, check) -> None:
    check(estimator)


# Common checks scikit-learn runs on its own estimators (sklearn/tests/test_common.py) beyond the
# list above: feature names of DataFrame input, and names of the output columns.
@pytest.mark.parametrize("estimator", TABLE_ESTIMATORS, ids=lambda e: type(e).__name__)
def test_feature_names_are_kept_and_checked(estimator: BaseEstimator) -> None:
    name = type(estimator).__name__
    checks.check_dataframe_column_names_consistency(name, estimator)
    if hasattr(estimator, "transform"):
        checks.check_get_feature_names_out_error(name, estimator)
        checks.check_transformer_get_feature_names_out(name, estimator)
        checks.check_transformer_get_feature_names_out_pandas(name, estimator)


DATA_FREE_CHECKS = [
    checks.check_estimator_cloneable,
    checks.check_estimator_repr,
    checks.check_estimator_tags_renamed,
    checks.check_valid_tag_types,
    checks.check_no_attributes_set_in_init,
    checks.check_do_not_raise_errors_in_init_or_set_params,
    checks.check_mixin_order,
    checks.check_parameters_default_constructible,
    checks.check_get_params_invariance,
    checks.check_set_params,
    checks.check_get_feature_names_out_error,
]
OTHER_ESTIMATORS = [NumericBasis(), CategoryCode(), ClauseNgramCounts()]


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("estimator", OTHER_ESTIMATORS, ids=lambda e: type(e).__name__)
def test_scikit_learn_checks_that_feed_no_data(estimator: BaseEstimator, check) -> None:
    check(type(estimator).__name__, estimator)


def _one_column(n: int, seed: int) -> dict[str, pd.DataFrame]:
    """One numeric and one categorical column of `n` rows, with missing values and a rare level."""
    rng = np.random.default_rng(seed)
    amount = pd.DataFrame({"amount": rng.gamma(2.0, 10.0, n)})
    amount.loc[rng.random(n) < 0.1, "amount"] = np.nan
    industry = pd.DataFrame(
        {"industry": rng.choice(["制造业", "教育", "金融业", "罕见", None], n, p=[0.5, 0.3, 0.15, 0.01, 0.04])}
    )
    return {"NumericBasis": amount, "CategoryCode": industry}


NOTES = np.array(
    [
        "客户想开视频会议，预算充足",
        "客户说暂不需要视频会议",
        "门禁不稳定，无法通知家长",
        "没有统一号码的计划",
        "ＷＩＦＩ覆盖差；想升级专线",
        "",
        "客户想开视频会议，预算充足",
        "需要定位和视频监控",
    ]
    * 4,
    dtype=object,
)


def _cases() -> list[tuple[BaseEstimator, object, object]]:
    """(unfitted estimator, data to fit on, new data of the same shape) for each estimator that
    scikit-learn's data-fed checks cannot reach."""
    train, new = _one_column(400, seed=1), _one_column(50, seed=2)
    return [
        (NumericBasis(n_knots=5), train["NumericBasis"], new["NumericBasis"]),
        (CategoryCode(min_frequency=5), train["CategoryCode"], new["CategoryCode"]),
        (ClauseNgramCounts(min_df=1, chunk_size=3), NOTES, NOTES[::-1][:11]),
    ]


CASES = _cases()
CASE_IDS = [type(case[0]).__name__ for case in CASES]


@pytest.mark.parametrize(("estimator", "X", "X_new"), CASES, ids=CASE_IDS)
def test_transforming_before_fit_raises_not_fitted(estimator: BaseEstimator, X, X_new) -> None:
    with pytest.raises(NotFittedError):
        clone(estimator).transform(X_new)
    with pytest.raises(NotFittedError):
        clone(estimator).get_feature_names_out()


@pytest.mark.parametrize(("estimator", "X", "X_new"), CASES, ids=CASE_IDS)
def test_fit_keeps_params_returns_self_and_sets_only_trailing_underscore_attributes(
    estimator: BaseEstimator, X, X_new
) -> None:
    unfitted = clone(estimator)
    params = pickle.dumps(unfitted.get_params())
    before = set(vars(unfitted))
    assert unfitted.fit(X) is unfitted
    assert pickle.dumps(unfitted.get_params()) == params  # fit did not change a parameter
    added = set(vars(unfitted)) - before
    assert added and all(name.endswith("_") and not name.startswith("_") for name in added), added
    # A clone is unfitted again, with the same parameters.
    copy = clone(unfitted)
    assert copy.get_params() == unfitted.get_params()
    with pytest.raises(NotFittedError):
        copy.transform(X_new)


@pytest.mark.parametrize(("estimator", "X", "X_new"), CASES, ids=CASE_IDS)
def test_fit_is_idempotent_pickles_and_rows_are_independent(estimator: BaseEstimator, X, X_new) -> None:
    fitted = clone(estimator).fit(X)
    expected = fitted.transform(X_new).toarray()
    assert expected.shape[0] == len(X_new) and expected.any()
    np.testing.assert_array_equal(clone(estimator).fit(X).fit(X).transform(X_new).toarray(), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fitted)).transform(X_new).toarray(), expected)
    # Each row's output depends on that row alone: on a subset and in reverse order alike.
    np.testing.assert_array_equal(fitted.transform(X_new[:3]).toarray(), expected[:3])
    np.testing.assert_array_equal(fitted.transform(X_new[::-1]).toarray(), expected[::-1])
    assert len(fitted.get_feature_names_out()) == expected.shape[1]


@pytest.mark.parametrize("encoder", [NumericBasis(), CategoryCode(min_frequency=5)], ids=lambda e: type(e).__name__)
def test_a_one_column_encoder_refuses_other_columns(encoder: BaseEstimator) -> None:
    X = _one_column(200, seed=3)[type(encoder).__name__]
    (column,) = X.columns
    two = X.assign(other=X[column])
    with pytest.raises(ValueError, match="encodes one column, got 2"):
        clone(encoder).fit(two)
    with pytest.raises(ValueError, match="X has 2 features, but .* is expecting 1 features"):
        clone(encoder).fit(X.to_numpy()).transform(two.to_numpy())
    fitted = clone(encoder).fit(X)
    with pytest.raises(ValueError, match="Feature names unseen at fit time:\n- other"):
        fitted.transform(two)
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        fitted.transform(X.rename(columns={column: "renamed"}))
    with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
        fitted.get_feature_names_out(["renamed"])
    assert all(name.startswith(f"{column}_") for name in fitted.get_feature_names_out())


def test_the_notes_counter_refuses_what_is_not_one_note_per_row() -> None:
    counts = ClauseNgramCounts(min_df=1).fit(NOTES)
    with pytest.raises(ValueError, match="single string"):
        counts.transform("客户想开视频会议")  # would otherwise be 8 notes of one character
    with pytest.raises(ValueError, match=r"1-D.*\(16, 2\)"):
        counts.transform(NOTES.reshape(-1, 2))
    with pytest.raises(ValueError, match="1-D"):
        ClauseNgramCounts().fit(pd.DataFrame({"notes": NOTES}))  # iterating it gives "notes"
