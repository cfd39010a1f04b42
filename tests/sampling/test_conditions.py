"""Conditional sampling: exactly n rows, every condition honoured, clear errors, reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tabgan import ConditionError, TabGAN
from tabgan.encoding import numtext
from tabgan.sampling import (
    balance_plan,
    class_counts,
    parse_condition,
    parse_conditions,
    sample_balanced,
    sample_conditional,
)

# ---------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("income=>50K", ("income", "==", ">50K")),
        ("income==<=50K", ("income", "==", "<=50K")),
        ("age>=60", ("age", ">=", "60")),
        ("age>60", ("age", ">", "60")),
        ("age<=60", ("age", "<=", "60")),
        ("age < 60", ("age", "<", "60")),
        ("sex!=Male", ("sex", "!=", "Male")),
        ("native-country=United-States", ("native-country", "==", "United-States")),
        ("note=a=b", ("note", "==", "a=b")),
        ("color=", ("color", "==", "")),
    ],
)
def test_parse_condition_splits_on_first_operator(text, expected) -> None:
    assert parse_condition(text) == expected


@pytest.mark.parametrize("text", ["income", "=x", "  = 3"])
def test_parse_condition_rejects_malformed(text) -> None:
    with pytest.raises(ConditionError, match="cannot read condition"):
        parse_condition(text)


def test_parse_conditions_groups_by_column() -> None:
    got = parse_conditions(["age>=30", "age<40", "sex=Female"])
    assert got == {"age": [(">=", "30"), ("<", "40")], "sex": [("==", "Female")]}


# ---------------------------------------------------------------------------- balancing plan


def test_balance_plan_without_n_lifts_to_majority() -> None:
    assert balance_plan({"a": 100, "b": 30, "c": 5}) == {"b": 70, "c": 95}
    assert balance_plan({"a": 4, "b": 4}) == {}


@pytest.mark.parametrize(
    ("counts", "n", "expected"),
    [
        ({"a": 100, "b": 30, "c": 5}, 25, {"c": 25}),
        ({"a": 100, "b": 30, "c": 5}, 45, {"b": 10, "c": 35}),
        ({"a": 100, "b": 30, "c": 5}, 165, {"b": 70, "c": 95}),
        ({"a": 100, "b": 30, "c": 5}, 168, {"a": 1, "b": 71, "c": 96}),
        ({"a": 10, "b": 10}, 3, {"a": 2, "b": 1}),
    ],
)
def test_balance_plan_with_n_water_fills(counts, n, expected) -> None:
    plan = balance_plan(counts, n)
    assert plan == expected
    assert sum(plan.values()) == n
    lifted = [counts[k] + plan[k] for k in plan]
    assert max(lifted) - min(lifted) <= 1  # the filled classes end level
    assert all(counts[k] >= max(lifted) - 1 for k in counts if k not in plan)


# ---------------------------------------------------------------------------- sampling


@pytest.fixture(scope="module")
def model(fitted_model) -> TabGAN:
    return fitted_model[0]


def _all_hold(frame: pd.DataFrame, column: str, op: str, value) -> bool:
    import operator

    ops = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
    return bool(ops[op](frame[column], value).all())


@pytest.mark.parametrize(
    "conditions",
    [
        {"group": "c"},  # rare category (10%): steered by the conditional vector
        {"group": "b", "color": "blue"},
        {"flag": True, "color": None},  # a missing value is a category too
        {"group": ("!=", "a")},
        {"age": (">=", 60)},
        {"age": [(">=", 30), ("<", 40)], "group": "a"},
        {"income": (">", 50_000.0), "flag": False},
        {"day": (">=", "2024-07-01")},
    ],
)
def test_conditions_honoured_exactly(model, conditions) -> None:
    n = 120
    out = sample_conditional(model, n, conditions, seed=0)
    assert len(out) == n
    assert list(out.columns) == model.columns_
    for column, spec in conditions.items():
        specs = spec if isinstance(spec, list) else [spec]
        for s in specs:
            op, value = s if isinstance(s, tuple) else ("==", s)
            if column == "day":
                assert (pd.to_datetime(out[column]) >= pd.Timestamp(value)).all()
            elif value is None:
                assert out[column].isna().all()
            elif op == "==":
                assert (out[column] == value).all()
            elif op == "!=":
                assert (out[column] != value).all()
            else:
                assert _all_hold(out, column, op, value)


def test_sample_method_delegates_and_keeps_dtypes(model, fitted_model) -> None:
    df = fitted_model[1]
    out = model.sample(50, seed=1, conditions={"group": "b"})
    assert len(out) == 50 and (out["group"] == "b").all()
    assert out.dtypes.astype(str).tolist() == df.dtypes.astype(str).tolist()


def test_seeded_conditional_sampling_is_reproducible(model) -> None:
    conds = {"group": "c", "age": ("<", 50)}
    a = model.sample(40, seed=7, conditions=conds)
    b = model.sample(40, seed=7, conditions=conds)
    c = model.sample(40, seed=8, conditions=conds)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_text_values_are_cast_like_the_cli(model) -> None:
    out = sample_conditional(
        model, 30, {"age": [(">=", "40")], "flag": "true", "group": ("==", "a")}, seed=0
    )
    assert (out["age"] >= 40).all() and out["flag"].all() and (out["group"] == "a").all()


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"nope": 1}, "unknown column 'nope'"),
        ({"group": "z"}, r"group == 'z'.*never seen.*'a'"),
        ({"age": (">=", 1000)}, r"age >= 1000 cannot hold.*\[18, 89\]"),
        ({"age": [(">", 50), ("<", 40)]}, "age > 50 and age < 40 cannot hold"),
        ({"age": "old"}, "holds numbers"),
        ({"flag": "maybe"}, "true/false"),
        ({"group": (">=", "a", 1)}, "must be \\(op, value\\)"),
        ({"group": ("~", "a")}, "must be \\(op, value\\)"),
        ({"age": None}, "never missing"),
    ],
)
def test_impossible_conditions_fail_at_once(model, conditions, message) -> None:
    with pytest.raises(ConditionError, match=message):
        sample_conditional(model, 10, conditions, seed=0)


def test_exhausted_budget_names_the_condition(model) -> None:
    # a continuous column almost never equals one exact value: the budget must run out
    with pytest.raises(ConditionError) as info:
        sample_conditional(
            model, 10, {"income": ("==", 45_000.5), "group": "a"}, seed=0, budget=2_000
        )
    text = str(info.value)
    assert "income == 45000.5" in text and "budget of 2000" in text
    assert "acceptance" in text and "\n" not in text


def test_conditions_must_be_a_mapping(model) -> None:
    with pytest.raises(ConditionError, match="mapping"):
        sample_conditional(model, 5, [("group", "a")])


def test_class_counts_and_balanced_sampling(model, fitted_model) -> None:
    df = fitted_model[1]
    counts = class_counts(model, "group")
    assert counts == df["group"].value_counts().to_dict()
    out = sample_balanced(model, "group", seed=0)
    after = out["group"].value_counts().reindex(list(counts), fill_value=0) + pd.Series(counts)
    assert after.nunique() == 1
    out = sample_balanced(model, "group", n=20, seed=0, conditions={"flag": True})
    assert len(out) == 20 and out["flag"].all()
    with pytest.raises(ConditionError, match="not discrete"):
        class_counts(model, "income")


def test_balancing_a_balanced_column_gives_no_rows() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"k": ["x", "y"] * 20, "v": rng.normal(size=40)})
    model = TabGAN(epochs=1, batch_size=20, generator_dims=(16,), discriminator_dims=(16,))
    model.set_params(seed=0, device="cpu").fit(df)
    out = sample_balanced(model, "k", seed=0)
    assert len(out) == 0 and list(out.columns) == ["k", "v"]


def test_round_trip_keeps_conditional_sampling(model, tmp_path) -> None:
    path = tmp_path / "m.tabgan"
    model.save(path)
    again = TabGAN.load(path, device="cpu")
    pd.testing.assert_frame_equal(
        again.sample(30, seed=3, conditions={"group": "c"}),
        model.sample(30, seed=3, conditions={"group": "c"}),
    )


def test_conditions_on_numbers_written_as_text() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    df = pd.DataFrame({"x": x, "price": [f"${v:,.2f}" for v in np.exp(7 + x)]})
    fitted = TabGAN(epochs=1, batch_size=50, seed=0).fit(df)
    out = sample_conditional(fitted, 20, {"price": (">=", "$1,000")}, seed=0)
    fmt = fitted.encoder_.schema_["price"].options["number_format"]
    assert (numtext.parse(out["price"], fmt) >= 1000).all()
    same = sample_conditional(fitted, 20, {"price": (">=", 1000)}, seed=0)
    pd.testing.assert_frame_equal(out, same)
