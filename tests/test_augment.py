"""TabGANResampler: imbalanced-learn semantics, pandas and numpy inputs, pipelines, clone."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from tabgan import InvalidDataError, InvalidParameterError, TabGANResampler, ThinConditionWarning
from tabgan.augment import oversampling_plan
from tabgan.model import auto_batch_size
from tests.conftest import make_mixed_table

TINY = {"epochs": 1, "generator_dims": (16,), "discriminator_dims": (16,), "device": "cpu"}


def _imbalanced(n: int = 120, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    df = make_mixed_table(n, seed=seed)
    y = df.pop("group").rename("group")  # a: 60%, b: 30%, c: 10%
    return df, y


# ---------------------------------------------------------------------------- strategy


@pytest.mark.parametrize(
    "strategy",
    ["auto", "minority", "not minority", "not majority", "all", {1: 30, 2: 9}],
)
def test_plan_matches_imbalanced_learn(strategy) -> None:
    from imblearn.utils import check_sampling_strategy

    y = np.array([0] * 50 + [1] * 20 + [2] * 5)
    ours = oversampling_plan(strategy, y)
    theirs = check_sampling_strategy(strategy, y, "over-sampling")
    assert ours == {k: int(v) for k, v in theirs.items()}


def test_plan_float_and_callable() -> None:
    y = np.array(["no"] * 50 + ["yes"] * 20)
    assert oversampling_plan(0.6, y) == {"yes": 10}
    assert oversampling_plan(lambda labels: {"yes": 25}, y) == {"yes": 5}
    assert oversampling_plan(None, y) == {}


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        (0.2, "would remove rows"),
        ({"yes": 10}, "already has 20"),
        ({"maybe": 10}, "not in y"),
        ("most", "sampling_strategy must be one of"),
        ([1, 2], "must be a string"),
    ],
)
def test_plan_rejects_bad_strategies(strategy, message) -> None:
    y = np.array(["no"] * 50 + ["yes"] * 20)
    with pytest.raises(InvalidParameterError, match=message):
        oversampling_plan(strategy, y)


def test_float_needs_binary_target() -> None:
    with pytest.raises(InvalidParameterError, match="binary"):
        oversampling_plan(0.5, np.array([0, 1, 2, 2]))


def test_auto_batch_size_is_a_multiple_of_pac() -> None:
    sizes = (12, 100, 250, 1000, 5000)
    assert [auto_batch_size(n, pac=10) for n in sizes] == [10, 20, 60, 250, 500]
    assert [auto_batch_size(n) for n in sizes] == [10, 25, 62, 250, 500]
    assert auto_batch_size(12, pac=3) == 12


# ---------------------------------------------------------------------------- resampling


def test_resampler_critic_judges_packs_of_ten_unless_told() -> None:
    """The resampler keeps pac=10 (its augmentation evidence) while TabGAN defaults to 1."""
    X, y = _imbalanced()
    default = TabGANResampler(seed=0, **TINY).fit(X, y)
    assert default.model_.pac_ == 10
    single = TabGANResampler(seed=0, pac=1, **TINY).fit(X, y)
    assert single.model_.pac_ == 1


def test_dataframe_auto_balances_and_keeps_types() -> None:
    X, y = _imbalanced()
    res = TabGANResampler(seed=0, **TINY)
    X_res, y_res = res.fit_resample(X, y)
    counts = y.value_counts()
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert y_res.name == "group" and y_res.dtype == y.dtype
    assert list(X_res.columns) == list(X.columns)
    assert X_res.dtypes.astype(str).tolist() == X.dtypes.astype(str).tolist()
    assert (y_res.value_counts() == counts.max()).all()
    # originals first, unchanged
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    assert res.sampling_strategy_ == {
        c: int(counts.max() - k) for c, k in counts.items() if k < counts.max()
    }
    assert res.n_features_in_ == X.shape[1]
    assert list(res.feature_names_in_) == list(X.columns)


def _countries(n: int = 150, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """A sparse column (about 120 countries, one or two rows each) that fixes its region."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["north", "south", "east"], n)
    country = np.array([f"{r}-{rng.integers(0, 40)}" for r in region])
    y = pd.Series(np.where(rng.random(n) < 0.3, "rare", "common"), name="y")
    return pd.DataFrame({"country": country, "region": region, "x": rng.normal(size=n)}), y


def test_sparse_columns_come_from_real_rows_of_the_same_class() -> None:
    X, y = _countries()
    res = TabGANResampler(seed=0, **TINY)
    X_res, y_res = res.fit_resample(X, y)
    assert res.donor_columns_ == ["country"]  # region (3 values) and x are learned
    added = pd.concat([X_res, y_res], axis=1).iloc[len(X) :]
    assert len(added) == (y == "common").sum() - (y == "rare").sum()
    real_pairs = set(zip(X["country"], y, strict=True))
    assert all(p in real_pairs for p in zip(added["country"], added["y"], strict=True))
    # the donor agrees on the region where the class has a real row there (here always)
    assert (added["country"].str.split("-").str[0] == added["region"]).all()
    # without donors the generator's own countries: pairs no real row has
    plain = TabGANResampler(seed=0, donors=False, **TINY)
    X_plain, y_plain = plain.fit_resample(X, y)
    assert plain.donor_columns_ == []
    pairs = zip(X_plain["country"].iloc[len(X) :], y_plain.iloc[len(X) :], strict=True)
    assert not all(p in real_pairs for p in pairs)


def test_donors_under_auto_come_from_the_rows_the_gan_saw() -> None:
    X, y = _countries(200, seed=1)
    res = TabGANResampler(n_extra="auto", seed=0, **TINY)
    X_res, y_res = res.fit_resample(X, y)
    assert res.donor_columns_ == ["country"] and res.chosen_ is not None
    real_pairs = set(zip(X["country"], y, strict=True))
    pairs = zip(X_res["country"].iloc[len(X) :], y_res.iloc[len(X) :], strict=True)
    assert all(p in real_pairs for p in pairs)


def test_donors_leave_learnable_tables_alone() -> None:
    X, y = _imbalanced()
    on = TabGANResampler(seed=0, **TINY)
    off = TabGANResampler(seed=0, donors=False, **TINY)
    assert on.fit(X, y).donor_columns_ == []
    pd.testing.assert_frame_equal(on.fit_resample(X, y)[0], off.fit_resample(X, y)[0])


def test_nothing_to_add_returns_the_rows_unchanged_without_warnings() -> None:
    X, y = _imbalanced()
    keep = y.isin(["a", "b"])
    X, y = X[keep], y[keep]
    X, y = X.groupby(y).head(30), y.groupby(y).head(30)  # balanced: 30 of each
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. pandas' FutureWarning on an empty concat
        res = TabGANResampler(seed=0, **TINY)
        X_res, y_res = res.fit_resample(X, y)
    assert res.model_ is None and not any(res.sampling_strategy_.values()) and res.n_extra_ == 0
    pd.testing.assert_frame_equal(X_res, X.reset_index(drop=True))
    pd.testing.assert_series_equal(y_res, y.reset_index(drop=True))
    X_np, y_np = TabGANResampler(**TINY).fit_resample(X[["age", "income"]].to_numpy(), y.to_numpy())
    np.testing.assert_array_equal(X_np, X[["age", "income"]].to_numpy())
    np.testing.assert_array_equal(y_np, y.to_numpy())
    # with rows to add the GAN is trained as before
    assert TabGANResampler(n_extra=2, seed=0, **TINY).fit(X, y).model_ is not None


def test_a_thin_class_is_warned_about_by_its_name_once() -> None:
    X, y = _imbalanced(120)
    keep = (y != "c") | (np.arange(len(y)) < 40)  # class "c" keeps a handful of rows
    X, y = X[keep], y[keep]
    seen = int((y == "c").sum())
    assert seen < 10
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = TabGANResampler(seed=0, **TINY)
        res.fit_resample(X, y)
    thin = [str(w.message) for w in caught if issubclass(w.category, ThinConditionWarning)]
    k = res.sampling_strategy_["c"]
    assert thin == [f"class 'c' has only {seen} rows; its {k} synthetic rows rest on what the "
                    "model learned from them and may repeat or blur them"]  # fmt: skip
    assert not any("__target__" in str(w.message) for w in caught)


def test_numpy_inputs_stay_numpy_with_dict_strategy_and_extra_rows() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = (X[:, 0] > 0.7).astype(np.int64)
    before = np.bincount(y)
    res = TabGANResampler({1: before[1] + 15}, n_extra=9, seed=0, **TINY)
    X_res, y_res = res.fit_resample(X, y)
    assert isinstance(X_res, np.ndarray) and X_res.dtype == X.dtype
    assert isinstance(y_res, np.ndarray) and y_res.dtype == y.dtype
    assert X_res.shape == (100 + 15 + 9, 3) and len(y_res) == len(X_res)
    np.testing.assert_array_equal(X_res[:100], X)
    # the 15 class-1 rows are exact; the 9 extra rows carry whatever labels they were drawn with
    assert (y_res[100:115] == 1).all()
    assert set(np.unique(y_res[115:])) <= {0, 1}


def test_float_strategy_on_binary_target() -> None:
    X, y = _imbalanced()
    binary = (y == "c").map({True: "yes", False: "no"})
    counts = binary.value_counts()
    _, y_res = TabGANResampler(0.9, seed=0, **TINY).fit_resample(X, binary)
    after = y_res.value_counts()
    assert after[counts.idxmax()] == counts.max()
    assert after[counts.idxmin()] == int(counts.max() * 0.9)


def test_integer_column_labels_and_object_arrays() -> None:
    X, y = _imbalanced(100, seed=1)
    frame = X[["age", "income", "color"]].set_axis([0, 1, 2], axis=1)
    X_res, _ = TabGANResampler("minority", seed=0, **TINY).fit_resample(frame, y.to_numpy())
    assert list(X_res.columns) == [0, 1, 2]
    arr = X[["age", "color"]].to_numpy(dtype=object)
    X_res, y_res = TabGANResampler("minority", seed=0, **TINY).fit_resample(arr, list(y))
    assert X_res.dtype == object and X_res.shape[1] == 2 and isinstance(y_res, np.ndarray)


def test_seeded_resampling_is_reproducible() -> None:
    X, y = _imbalanced()
    a = TabGANResampler(seed=3, **TINY).fit_resample(X, y)
    b = TabGANResampler(seed=3, **TINY).fit_resample(X, y)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_series_equal(a[1], b[1])


@pytest.mark.parametrize(
    ("y", "message"),
    [
        (None, "requires y"),
        (np.linspace(0, 1, 120), "Unknown label type"),
        (np.array(["a"] * 119), "119"),
    ],
)
def test_bad_labels(y, message) -> None:
    X, _ = _imbalanced()
    with pytest.raises(InvalidDataError, match=message):
        TabGANResampler(**TINY).fit_resample(X, y)


@pytest.mark.parametrize("n_extra", [-1, "lots", 2.5, True])
def test_bad_n_extra(n_extra) -> None:
    X, y = _imbalanced()
    with pytest.raises(InvalidParameterError, match="n_extra"):
        TabGANResampler(n_extra=n_extra, **TINY).fit_resample(X, y)


def test_label_filter_keeps_the_counts_and_rejects_contradicted_labels(monkeypatch) -> None:
    X, y = _imbalanced()
    res = TabGANResampler(seed=0, **TINY)
    X_res, y_res = res.fit_resample(X, y)
    assert (y_res.value_counts() == y.value_counts().max()).all()  # the counts asked hold
    judge = res.label_model_
    synth = X_res.iloc[len(X) :]
    passed = judge.plausibility(synth, y_res.iloc[len(X) :].to_numpy()) >= 0
    # a 1-epoch GAN: its rows' labels rarely fit their features, yet the filtered ones mostly
    # do (the rest fill up from the least implausible rejects)
    raw = TabGANResampler(seed=0, label_filter=False, **TINY).fit_resample(X, y)
    raw_passed = judge.plausibility(raw[0].iloc[len(X) :], raw[1].iloc[len(X) :].to_numpy()) >= 0
    assert passed.mean() > raw_passed.mean()
    assert TabGANResampler(label_filter=False, **TINY).fit(X, y).label_model_ is None


def test_label_filter_quantile_sets_the_thresholds() -> None:
    from tabgan.augment_select import LABEL_QUANTILE

    X, y = _imbalanced()
    default = TabGANResampler(seed=0, **TINY).fit(X, y).label_model_
    loose = TabGANResampler(seed=0, label_filter=0.1, **TINY).fit(X, y).label_model_
    assert default.quantile == LABEL_QUANTILE == 0.5 and loose.quantile == 0.1
    # the same out-of-fold probabilities: a lower quantile, a threshold no higher
    assert all(loose.thresholds_[c] <= default.thresholds_[c] for c in default.thresholds_)
    assert any(loose.thresholds_[c] < default.thresholds_[c] for c in default.thresholds_)


@pytest.mark.parametrize("value", [0, 1, 1.5, -0.2, "strict", None])
def test_bad_label_filter_fails_before_training(monkeypatch, value) -> None:
    from tabgan import TabGAN

    monkeypatch.setattr(TabGAN, "fit", lambda *a, **k: pytest.fail("trained"))
    X, y = _imbalanced()
    with pytest.raises(InvalidParameterError, match="label_filter"):
        TabGANResampler(label_filter=value, **TINY).fit(X, y)


def test_auto_amount_chooses_among_candidates_and_reports_scores() -> None:
    X, y = _imbalanced(160, seed=2)
    res = TabGANResampler(n_extra="auto", seed=0, **TINY)
    X_res, y_res = res.fit_resample(X, y)
    assert set(res.selection_) == {"none", "balance", "joint-0.5", "joint-1"}
    assert res.chosen_ in res.selection_
    assert res.selection_["none"]["gain"] == 0.0
    best = res.selection_[res.chosen_]
    assert res.chosen_ == "none" or best["gain"] > best["se"]
    added = sum(res.sampling_strategy_.values()) + res.n_extra_
    assert len(X_res) == len(X) + added == len(y_res)
    if res.chosen_ != "balance":
        assert res.sampling_strategy_ == {}
    held = sum(int(k * 0.25) for k in y.value_counts())  # a quarter of each class judged
    assert res.model_.n_rows_ == 160 - held
    with pytest.raises(InvalidDataError, match="quarter of each class"):
        TabGANResampler(n_extra="auto", **TINY).fit(X.iloc[:10], ["a"] * 7 + ["b"] * 3)


def test_clone_keeps_params_and_drops_fitted_state() -> None:
    X, y = _imbalanced()
    res = TabGANResampler({"c": 40}, n_extra=3, seed=5, **TINY)
    res.fit_resample(X, y)
    twin = clone(res)
    assert twin.get_params() == res.get_params()
    assert not hasattr(twin, "model_")


def test_inside_imblearn_pipeline_with_cross_validation() -> None:
    pytest.importorskip("imblearn")
    from imblearn.pipeline import make_pipeline
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score, cross_validate
    from sklearn.preprocessing import OrdinalEncoder

    X, y = _imbalanced(150, seed=4)
    X = X[["age", "income", "color", "flag"]].assign(color=lambda d: d["color"].fillna("none"))
    encode = make_column_transformer(
        (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["color"]),
        remainder="passthrough",
    )
    pipe = make_pipeline(
        TabGANResampler(seed=0, **TINY),
        encode,
        HistGradientBoostingClassifier(max_iter=10),
    )
    scores = cross_val_score(
        pipe, X, y, cv=StratifiedKFold(2, shuffle=True, random_state=0), scoring="f1_macro"
    )
    assert scores.shape == (2,) and np.isfinite(scores).all()
    auto = clone(pipe).set_params(tabganresampler__n_extra="auto")
    out = cross_validate(
        auto, X, y, cv=StratifiedKFold(2, shuffle=True, random_state=0), return_estimator=True
    )
    assert np.isfinite(out["test_score"]).all()
    for fitted in out["estimator"]:
        assert fitted.steps[0][1].chosen_ in fitted.steps[0][1].selection_
    # resampling happens in fit only: predict sees the rows it is given
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (len(X),)
    assert pipe.steps[0][1].model_.n_rows_ == len(X)


def test_auto_epochs_and_max_time_inside_a_cross_validated_pipeline(monkeypatch) -> None:
    """epochs="auto" (the default) holds out rows of each training fold, scores and stops by
    itself; max_time reaches every fold's TabGAN."""
    pytest.importorskip("imblearn")
    from imblearn.pipeline import make_pipeline
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_validate

    from tabgan import autofit

    monkeypatch.setattr(autofit, "AUTO_MAX_EPOCHS", 4)
    monkeypatch.setattr(autofit, "AUTO_EVERY", 2)
    monkeypatch.setattr(autofit, "VALIDATION_ROWS", 200)
    monkeypatch.setattr(autofit, "HOLDOUT_MIN", 30)
    monkeypatch.setattr(autofit, "AUTO_MIN_STEPS", 0)
    monkeypatch.setattr(autofit, "AUTO_PATIENCE_STEPS", 0)
    X, y = _imbalanced(660, seed=5)
    X = X[["age", "income", "score"]]
    tiny = {k: v for k, v in TINY.items() if k != "epochs"}
    pipe = make_pipeline(
        TabGANResampler(seed=0, max_time="10m", refine=False, **tiny),
        HistGradientBoostingClassifier(max_iter=10),
    )
    assert pipe.steps[0][1].get_params()["epochs"] == "auto"
    out = cross_validate(
        pipe,
        X,
        y,
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="f1_macro",
        return_estimator=True,
    )
    assert np.isfinite(out["test_score"]).all()
    for fitted in out["estimator"]:
        gan = fitted.steps[0][1].model_
        assert gan.n_rows_ == 330 and gan.max_time == "10m"
        assert [e for e, _ in gan.validation_] == [2, 4]  # 33 held-out rows of the fold
        assert gan.best_epoch_ in (2, 4) and gan.epochs_ == 4
