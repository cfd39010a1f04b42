"""Declared constraints on tables: fit, validate, mask, repair, contradictions, persistence."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tabgan.constraints import (
    Arithmetic,
    ConstraintError,
    ConstraintSet,
    FixedCombinations,
    Inequality,
    Range,
    constraint_from_dict,
    parse_constraint,
)
from tabgan.encoding import infer_schema
from tabgan.errors import ConditionError, InvalidDataError

ALL = [
    "checkout >= checkin + 1",
    "0 <= discount <= 1",
    "fixed(city, country)",
    "total = price + tax",
    "nights >= 1",
    "price <= total",
]


def test_real_table_keeps_all_and_mask_finds_each_break(table, schema):
    cs = ConstraintSet(ALL).fit(table, schema)
    assert cs.mask(table).all()
    bad = table.copy()
    bad.loc[0, "checkout"] = bad.loc[0, "checkin"]  # same day: breaks "+ 1" (a day)
    bad.loc[1, "discount"] = 1.5
    bad.loc[2, "country"] = "ES" if bad.loc[2, "city"] != "Madrid" else "FR"
    bad.loc[3, "total"] = bad.loc[3, "total"] + 1
    bad.loc[4, "nights"] = 0
    bad.loc[5, "price"] = bad.loc[5, "total"] + 5
    bad.loc[5, "total"] = bad.loc[5, "price"] + bad.loc[5, "tax"]
    bad.loc[5, "price"] = bad.loc[5, "total"] + 1  # breaks price <= total (and the sum)
    ok = cs.mask(bad)
    assert list(np.flatnonzero(~ok)) == [0, 1, 2, 3, 4, 5]
    for c, row in zip(cs, [0, 1, 2, 3, 4, 5], strict=True):
        assert not c.mask(bad)[row]


def test_missing_values_pass_comparisons_but_not_fixed_combinations(table, schema):
    cs = ConstraintSet(["0 <= discount <= 1", "fixed(city, country)"]).fit(table, schema)
    t = table.copy()
    t["discount"] = t["discount"].astype(float)
    t.loc[0, "discount"] = np.nan
    t.loc[1, "country"] = None
    assert list(cs.mask(t)[:3]) == [True, False, True]


def test_datetime_strings_in_the_tables_format(table):
    t = table.copy()
    t["checkin"] = t["checkin"].dt.strftime("%d/%m/%Y")
    t["checkout"] = t["checkout"].dt.strftime("%d/%m/%Y")
    c = parse_constraint("checkout >= checkin + 1").fit(t, infer_schema(t))
    assert c.mask(t).all()
    t.loc[0, "checkout"] = t.loc[0, "checkin"]
    assert not c.mask(t)[0]
    hours = Inequality("checkin", "checkout", "36h").fit(table)
    assert hours.mask(table).sum() < len(table)  # stays of 1 night break "+ 36h"


def test_repair_derives_the_arithmetic_target_at_its_precision(table, schema):
    c = Arithmetic("total", ["price", "tax"]).fit(table, schema)
    assert c.decimals_ == 2
    noisy = table.copy()
    noisy["total"] = noisy["total"] + np.random.default_rng(0).normal(0, 3, len(noisy))
    assert not c.mask(noisy).all()
    fixed = c.repair(noisy)
    assert c.mask(fixed).all()
    np.testing.assert_allclose(fixed["total"], np.round(table["price"] + table["tax"], 2))
    assert noisy is not fixed and not c.mask(noisy).all()  # the input is not modified
    net = Arithmetic("net", ["total"], ["tax"]).fit(table.assign(net=table["price"]))
    assert net.mask(table.assign(net=table["price"])).all()
    # integer target stays integer
    t = table.assign(a=table["nights"], b=table["nights"] * 2, s=table["nights"] * 3)
    s = parse_constraint("s = a + b").fit(t)
    out = s.repair(t.assign(s=0))
    assert out["s"].dtype == t["s"].dtype and (out["s"] == t["s"]).all()


def test_kinds_that_only_reject_return_the_frame_unchanged(table, schema):
    for text in ALL[:3]:
        c = parse_constraint(text).fit(table, schema)
        assert c.repair(table) is table


def test_training_table_breaking_a_constraint_fails_with_count_and_a_row(table, schema):
    t = table.copy()
    t.loc[[3, 7], "discount"] = [2.0, -1.0]
    with pytest.raises(InvalidDataError) as info:
        ConstraintSet(["0 <= discount <= 1"]).fit(t, schema)
    message = str(info.value)
    assert "2 of 60 training rows break constraint '0 <= discount <= 1'" in message
    assert "row 3: discount=2" in message


def test_unknown_and_wrong_kind_columns(table, schema):
    with pytest.raises(ConstraintError, match="unknown column 'nope'"):
        ConstraintSet(["nope <= price"]).fit(table, schema)
    with pytest.raises(ConstraintError, match="unknown column 'nope'"):
        parse_constraint("0 <= nope <= 1").check_columns(list(table.columns))
    with pytest.raises(ConstraintError, match="needs categorical or boolean columns"):
        ConstraintSet(["fixed(city, price)"]).fit(table, schema)
    with pytest.raises(ConstraintError, match="needs a numeric or datetime column"):
        ConstraintSet(["city <= price"]).fit(table, schema)
    with pytest.raises(ConstraintError, match="datetime column with a numeric one"):
        ConstraintSet(["checkin <= price"]).fit(table, schema)
    with pytest.raises(ConstraintError, match="needs numbers, but 'checkin' is datetime"):
        ConstraintSet(["checkin = price + tax"]).fit(table, schema)
    with pytest.raises(ConstraintError, match="duration offset needs datetime"):
        ConstraintSet(["total >= price + 1d"]).fit(table, schema)
    with pytest.raises(ConstraintError, match="is text but 'price'"):
        ConstraintSet(["price >= '2020-01-01'"]).fit(table, schema)
    with pytest.raises(ConstraintError, match="not fitted"):
        parse_constraint("price <= total").mask(table)
    with pytest.raises(ConstraintError, match="a string or a Constraint"):
        ConstraintSet([3])


@pytest.mark.parametrize(
    "constraint, conditions, named",
    [
        ("0 <= discount <= 1", [("discount", ">=", 2)], "discount >= 2"),
        ("0 <= discount <= 1", [("discount", "<", 0)], "discount < 0"),
        ("0 <= discount < 1", [("discount", "==", 1)], "discount == 1"),
        (
            "0 <= discount <= 1",
            [("discount", ">", 0.5), ("discount", "<", 0.5)],
            "discount > 0.5 and discount < 0.5",
        ),
        (
            "checkout >= checkin + 1",
            [("checkin", ">=", "2024-03-01"), ("checkout", "<=", "2024-03-01")],
            "checkin >= '2024-03-01' and checkout <= '2024-03-01'",
        ),
        ("price < total", [("price", ">=", 100), ("total", "<=", 100)], "price >= 100"),
        (
            "fixed(city, country)",
            [("city", "==", "Paris"), ("country", "==", "ES")],
            "city == 'Paris' and country == 'ES'",
        ),
        (
            "total = price + tax",
            [("total", "<=", 50), ("price", ">=", 60), ("tax", ">=", 0)],
            "total <= 50",
        ),
    ],
)
def test_contradictions_name_the_conditions_and_the_constraint(
    table, schema, constraint, conditions, named
):
    cs = ConstraintSet([constraint]).fit(table, schema)
    message = cs.contradiction(conditions)
    assert message is not None and named in message and f"'{cs.constraints[0]}'" in message
    with pytest.raises(ConditionError, match="contradict"):
        cs.check_conditions(conditions)


@pytest.mark.parametrize(
    "constraint, conditions",
    [
        ("0 <= discount <= 1", [("discount", ">=", 0.5)]),
        ("0 <= discount <= 1", [("discount", "!=", 7)]),
        ("0 <= discount <= 1", [("price", ">=", 7)]),
        ("checkout >= checkin + 1", [("checkin", ">=", "2024-03-01")]),
        ("fixed(city, country)", [("city", "==", "Paris"), ("country", "==", "FR")]),
        ("fixed(city, country)", [("country", "!=", "FR")]),
        ("total = price + tax", [("total", "<=", 50), ("price", ">=", 60)]),  # tax < 0 allowed
    ],
)
def test_compatible_conditions_pass(table, schema, constraint, conditions):
    cs = ConstraintSet([constraint]).fit(table, schema)
    assert cs.contradiction(conditions) is None
    cs.check_conditions(conditions)


def test_bad_condition_operator(table, schema):
    cs = ConstraintSet(["0 <= discount <= 1"]).fit(table, schema)
    with pytest.raises(ConditionError, match="unknown operator '~'"):
        cs.contradiction([("discount", "~", 1)])


def test_state_round_trips_through_json(table, schema):
    cs = ConstraintSet([*ALL, "checkout > checkin + 12h"]).fit(table, schema)
    state = json.loads(json.dumps(cs.to_dict(), allow_nan=False))
    again = ConstraintSet.from_dict(state)
    assert again.describe() == cs.describe()
    bad = table.copy()
    bad.loc[0, "country"] = "XX"
    bad.loc[1, "total"] = 0.0
    np.testing.assert_array_equal(again.mask(bad), cs.mask(bad))
    assert not again.mask(bad)[:2].any()
    fixed = next(c for c in again if isinstance(c, FixedCombinations))
    assert ("Paris", "FR") in fixed.combinations_
    with pytest.raises(ValueError):
        constraint_from_dict({"kind": "nope"})
    with pytest.raises(ValueError):
        constraint_from_dict({**state[2], "combinations": [["Paris"]]})


def test_constraint_objects_and_strings_mix_and_duplicates_collapse():
    cs = ConstraintSet([Range("discount", 0, 1), "0 <= discount <= 1", "a <= b"])
    assert cs.describe() == ["0 <= discount <= 1", "b >= a"]
    assert len(ConstraintSet("a <= b")) == 1


def test_filter_keeps_only_rows_that_satisfy(table, schema):
    cs = ConstraintSet(ALL).fit(table, schema)
    noisy = table.copy()
    noisy.loc[::2, "discount"] = 3.0
    noisy["total"] = 0.0  # repaired
    out = cs.filter(noisy)
    assert len(out) == len(table) // 2 and cs.mask(out).all()


def test_inequality_with_an_offset_holds_as_written_despite_float_rounding() -> None:
    # hypothesis found it: 3.29 - 3 is 0.29000000000000004, yet 0.29 >= 3.29 - 3 as written
    from tabgan.constraints import parse_constraint

    df = pd.DataFrame({"a": [3.29, 1.0], "b": [0.29, -2.0]})
    constraint = parse_constraint("b >= a - 3").fit(df)
    constraint.validate(df)
    assert constraint.mask(df).all()
    assert not constraint.mask(pd.DataFrame({"a": [3.29], "b": [0.2899]})).any()
