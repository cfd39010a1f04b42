"""The resampler's judges: the label check, the held-out split and the choice of amount."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tabgan.augment_select import FeatureCodes, LabelModel, choose, holdout_split, keep_plausible


def _two_classes(n: int, seed: int) -> pd.DataFrame:
    """Class "hi" lives at x > 0, "lo" at x < 0; a colour that says nothing."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "colour": rng.choice(["red", "blue"], size=n),
            "y": np.where(x > 0, "hi", "lo"),
        }
    )


def test_feature_codes_keep_numbers_and_code_categories() -> None:
    frame = pd.DataFrame({"a": [1.5, None, 3.0], "b": ["x", "y", None], "c": [True, False, True]})
    codes = FeatureCodes.fit(frame)
    out = codes.transform(pd.DataFrame({"a": [2.0], "b": ["never seen"], "c": [False]}))
    assert out.shape == (1, 3) and out[0, 0] == 2.0 and np.isnan(out[0, 1]) and out[0, 2] == 0
    assert codes.native_mask().tolist() == [False, True, False]
    # numbers written as text are read as the numbers, including ones never seen
    money = FeatureCodes.fit(pd.DataFrame({"p": ["$1,200.00", "$3.50", None]}))
    got = money.transform(pd.DataFrame({"p": ["$99.99", None]}))
    assert got[0, 0] == 99.99 and np.isnan(got[1, 0]) and money.native_mask().tolist() == [False]


def test_label_model_rejects_rows_whose_features_say_the_other_class() -> None:
    real = _two_classes(400, 0)
    judge = LabelModel(0.1, seed=0).fit(real[["x", "colour"]], real["y"].to_numpy())
    assert set(judge.thresholds_) == {"hi", "lo"}
    fresh = _two_classes(200, 1)
    right = judge.plausibility(fresh[["x", "colour"]], fresh["y"].to_numpy())
    flipped = np.where(fresh["y"] == "hi", "lo", "hi")
    wrong = judge.plausibility(fresh[["x", "colour"]], flipped)
    assert (right >= 0).mean() > 0.8  # about 90% of real rows pass by construction
    assert (wrong >= 0).mean() < 0.1
    assert (judge.plausibility(fresh[["x", "colour"]], np.full(200, "new")) == -1).all()


def test_the_default_threshold_passes_about_half_the_real_rows() -> None:
    real = _two_classes(400, 0)
    judge = LabelModel(seed=0).fit(real[["x", "colour"]], real["y"].to_numpy())
    fresh = _two_classes(400, 1)
    passed = judge.plausibility(fresh[["x", "colour"]], fresh["y"].to_numpy()) >= 0
    assert 0.3 < passed.mean() < 0.7  # the median of the real rows' out-of-fold probabilities


def test_keep_plausible_returns_the_count_asked_and_prefers_good_rows() -> None:
    real = _two_classes(400, 0)
    judge = LabelModel(seed=0).fit(real[["x", "colour"]], real["y"].to_numpy())
    calls = []

    def draw(count: int, r: int) -> pd.DataFrame:  # half the rows carry the wrong label
        calls.append(count)
        rows = _two_classes(count, 10 + r)
        flip = np.arange(count) % 2 == 1
        rows.loc[flip, "y"] = np.where(rows.loc[flip, "y"] == "hi", "lo", "hi")
        return rows

    rows, drawn = keep_plausible(draw, 100, "y", judge)
    assert len(rows) == 100 and drawn == sum(calls) and len(calls) >= 2
    score = judge.plausibility(rows[["x", "colour"]], rows["y"].to_numpy())
    assert (score >= 0).mean() > 0.95
    # a draw that never passes still yields the count asked, the least implausible first
    rows, _ = keep_plausible(lambda n, r: draw(n, r).assign(y="new"), 30, "y", judge, rounds=2)
    assert len(rows) == 30


def test_holdout_split_takes_a_share_of_each_class_and_spares_tiny_ones() -> None:
    y = np.array(["a"] * 40 + ["b"] * 12 + ["c"] * 3)
    kept, held = holdout_split(y, 0.25, seed=0)
    assert sorted(np.concatenate([kept, held]).tolist()) == list(range(len(y)))
    counts = pd.Series(y[held]).value_counts().to_dict()
    assert counts == {"a": 10, "b": 3}  # "c" (3 rows) stays whole in the kept part
    again = holdout_split(y, 0.25, seed=0)
    assert (again[1] == held).all()


def test_choose_adds_rows_that_help_and_refuses_rows_that_do_not() -> None:
    kept = _two_classes(16, 0)
    held = _two_classes(400, 1)
    more_real = _two_classes(400, 2)  # rows from the same law: they help a 16-row model
    noise = more_real.assign(y=np.where(more_real["y"] == "hi", "lo", "hi"))  # labels flipped
    choice = choose(kept, held, "y", {"more": more_real, "noise": noise}, seed=0)
    assert choice.chosen == "more"
    assert choice.scores["more"]["gain"] > choice.scores["more"]["se"] > 0
    assert choice.scores["noise"]["gain"] < 0
    assert choose(kept, held, "y", {"noise": noise}, seed=0).chosen == "none"
