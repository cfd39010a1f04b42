"""Rules found at fit and enforced at decode (tabgan.encoding.rules)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tabgan.encoding import TableEncoder
from tabgan.encoding.rules import (
    COLUMN_MIN_ROWS,
    MIN_ROWS,
    RuleSet,
    detect_rules,
    find_rules,
)
from tabgan.errors import InvalidParameterError

LEVELS = ["Preschool", "HS", "Some-college", "Bachelors", "Masters", "Doctorate"]


def planted(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """education -> edu_num (a bijection), role=Husband -> sex=M, role=Wife -> sex=F, crew -> fare
    0, plus independent noise columns."""
    rng = np.random.default_rng(seed)
    education = rng.choice(LEVELS, n)
    role = rng.choice(["Husband", "Wife", "Child", "Other"], n, p=[0.4, 0.1, 0.3, 0.2])
    sex = np.where(role == "Husband", "M", np.where(role == "Wife", "F", rng.choice(["M", "F"], n)))
    klass = rng.choice(["1st", "2nd", "3rd", "crew"], n)
    fare = np.where(klass == "crew", 0.0, np.round(rng.lognormal(3, 1, n), 2))
    return pd.DataFrame(
        {
            "education": education,
            "edu_num": pd.Series(education).map({v: i + 1 for i, v in enumerate(LEVELS)}) * 1,
            "role": role,
            "sex": sex,
            "klass": klass,
            "fare": fare,
            "noise": rng.choice(list("abcde"), n),
            "x": rng.normal(size=n),
        }
    )


def test_planted_rules_are_found_and_described():
    enc = TableEncoder(seed=0).fit(planted())
    lines = enc.rules_.describe()
    assert "education -> edu_num (6 values, 400 rows)" in lines
    assert any(line.startswith("role=Husband -> sex=M (") for line in lines)
    assert any(line.startswith("role=Wife -> sex=F (") for line in lines)
    assert any(line.startswith("klass=crew -> fare=0 (") for line in lines)
    assert not any("noise" in line or line.startswith("x") for line in lines)


def test_a_chance_dependency_with_few_rows_is_not_found():
    rng = np.random.default_rng(1)
    n = 60
    # 30 values of two rows each: many of them agree on `b` by chance
    df = pd.DataFrame(
        {"a": np.repeat([f"v{i}" for i in range(30)], 2), "b": rng.choice(["x", "y"], n)}
    )
    agreeing = df.groupby("a")["b"].nunique().eq(1).sum()
    assert agreeing > 5  # the chance pattern is there
    assert len(detect_rules(df, ["a", "b"])) == 0
    # a near-constant dependent needs many rows: 20 rows of "a" all "x" when 95% are "x"
    b = np.where(rng.random(400) < 0.95, "x", "y")
    a = np.array(["p"] * 20 + ["q"] * 380)
    b[:20] = "x"
    assert len(detect_rules(pd.DataFrame({"a": a, "b": b}), ["a", "b"])) == 0


def test_rows_below_min_rows_are_left_alone():
    df = planted()
    df.loc[: MIN_ROWS - 2, "role"] = "Rare"  # MIN_ROWS - 1 rows, all sex "M" after this:
    df.loc[: MIN_ROWS - 2, "sex"] = "M"
    lines = detect_rules(
        df, ["education", "role", "sex", "klass", "noise"], ["edu_num", "fare"]
    ).describe()
    assert not any(line.startswith("role=Rare") for line in lines)


def test_tiny_tables_have_no_rules():
    assert find_rules({"a": pd.Series(["x", "y"] * 10), "b": pd.Series(["p", "q"] * 10)}) == []


def test_a_slip_in_training_is_tolerated_and_counted():
    df = planted(2000)
    husbands = np.flatnonzero(df["role"] == "Husband")
    df.loc[husbands[0], "sex"] = "F"  # one slip in ~800
    lines = TableEncoder(seed=0).fit(df).rules_.describe()
    assert any(line.startswith("role=Husband -> sex=M") and "1 exception" in line for line in lines)


def _soft(enc: TableEncoder, n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (n, enc.output_dim)).astype(np.float32)


def test_decoded_rows_keep_every_rule():
    df = planted()
    enc = TableEncoder(seed=0).fit(df)
    plain = TableEncoder(seed=0, detect_rules=False).fit(df)
    soft = _soft(enc, 3000, 0)
    before = plain.inverse_transform(soft, rng=np.random.default_rng(0))
    after = enc.inverse_transform(soft, rng=np.random.default_rng(0))
    assert enc.rules_.broken(before).mean() > 0.3  # random rows break them
    assert not enc.rules_.broken(after).any()
    assert (after.loc[after["klass"] == "crew", "fare"] == 0).all()
    mapping = dict(zip(LEVELS, range(1, 7), strict=True))
    assert (after["edu_num"] == after["education"].map(mapping)).all()
    # columns no rule touches are decoded exactly as without rules
    pd.testing.assert_series_equal(before["noise"], after["noise"])
    # numbers() reads the same enforced values as decode
    from tabgan.encoding.spans import Draw

    draw = Draw.from_matrix(soft, enc.spans)
    np.testing.assert_array_equal(enc.numbers(draw)["fare"], after["fare"].to_numpy())


def test_conflicting_determinants_are_resolved_so_no_row_breaks_a_rule():
    # a -> c and b -> c, with a and b never seen in their conflicting combinations
    rng = np.random.default_rng(3)
    n = 300
    a = rng.choice(["a1", "a2"], n)
    b = np.where(a == "a1", "b1", "b2")
    b[rng.random(n) < 0.5] = "b0"  # b0 implies nothing
    c = np.where(a == "a1", "c1", "c2")
    df = pd.DataFrame({"a": a, "b": b, "c": c, "d": rng.choice(list("xyz"), n)})
    enc = TableEncoder(seed=0).fit(df)
    assert len(enc.rules_) >= 2
    for seed in range(3):
        out = enc.inverse_transform(_soft(enc, 500, seed), rng=np.random.default_rng(seed))
        assert not enc.rules_.broken(out).any()
    one = enc.inverse_transform(_soft(enc, 1, 9), rng=np.random.default_rng(9))
    assert not enc.rules_.broken(one).any()  # a batch of one: the fallback row


def test_missing_values_and_other_buckets_and_constants():
    rng = np.random.default_rng(4)
    n = 400
    work = pd.Series(rng.choice(["priv", "gov", None], n, p=[0.6, 0.3, 0.1]), dtype=object)
    occ = pd.Series(rng.choice(["clerk", "sales", "tech"], n), dtype=object)
    occ[work.isna()] = None  # missing workclass -> missing occupation
    ids = [f"id{i % 150}" for i in range(n)]
    df = pd.DataFrame({"work": work, "occ": occ, "const": 5, "id": ids})
    enc = TableEncoder(seed=0, max_categories=20).fit(df)
    lines = enc.rules_.describe()
    assert f"work=<missing> -> occ=<missing> ({work.isna().sum()} rows)" in lines
    assert not any("const" in line for line in lines)
    out = enc.inverse_transform(_soft(enc, 1000, 1), rng=np.random.default_rng(1))
    assert out.loc[out["work"].isna(), "occ"].isna().all()


def test_rules_round_trip_and_old_states_have_none():
    enc = TableEncoder(seed=0).fit(planted())
    state = json.loads(json.dumps(enc.to_dict(), allow_nan=False))
    again = TableEncoder.from_dict(state)
    assert again.rules_.describe() == enc.rules_.describe()
    soft = _soft(enc, 200, 5)
    pd.testing.assert_frame_equal(
        again.inverse_transform(soft, rng=np.random.default_rng(0)),
        enc.inverse_transform(soft, rng=np.random.default_rng(0)),
    )
    state.pop("rules")
    assert len(TableEncoder.from_dict(state).rules_) == 0


def test_corrupt_rules_are_refused():
    state = TableEncoder(seed=0).fit(planted()).to_dict()
    bad = json.loads(json.dumps(state))
    bad["rules"]["rules"][0]["premise_index"] = [999] * len(bad["rules"]["rules"][0]["premises"])
    with pytest.raises(ValueError, match="bad indices"):
        TableEncoder.from_dict(bad)
    bad = json.loads(json.dumps(state))
    bad["rules"]["rules"][0]["determinant"] = "nope"
    with pytest.raises(ValueError, match="unknown column"):
        TableEncoder.from_dict(bad)


def test_detect_rules_off_and_bad_parameter():
    assert len(TableEncoder(seed=0, detect_rules=False).fit(planted()).rules_) == 0
    with pytest.raises(InvalidParameterError, match="detect_rules"):
        TableEncoder(detect_rules="yes").fit(planted())


def test_plain_ruleset_cannot_enforce_without_indices():
    rules = detect_rules(planted(), ["education", "role", "sex"])
    assert isinstance(rules, RuleSet) and len(rules)
    with pytest.raises(ValueError, match="encoder indices"):
        rules.enforce({"education": np.zeros(1, dtype=int)}, {"education": 6})


def test_a_rule_with_one_rare_value_is_partial_and_the_rare_value_is_left_alone():
    df = planted(600)
    rare = np.flatnonzero(df["education"] == "Doctorate")[COLUMN_MIN_ROWS - 1 :]
    df = df.drop(index=rare).reset_index(drop=True)  # Doctorate: COLUMN_MIN_ROWS - 1 rows
    rule = next(r for r in TableEncoder(seed=0).fit(df).rules_ if r.dependent == "edu_num")
    assert not rule.complete and "Doctorate" not in rule.premises
    assert rule.describe() == [
        f"education -> edu_num for 5 of 6 values ({sum(rule.rows):,} rows; the others have "
        "too few rows or several values)"
    ]


def test_a_whole_column_dependency_takes_values_with_too_few_rows_for_a_rule_of_their_own():
    df = planted(600)
    rare = np.flatnonzero(df["education"] == "Doctorate")
    df = df.drop(index=rare[MIN_ROWS - 1 :]).reset_index(drop=True)  # Doctorate: MIN_ROWS - 1
    rule = next(r for r in TableEncoder(seed=0).fit(df).rules_ if r.dependent == "edu_num")
    assert rule.complete and "Doctorate" in rule.premises
    # one Doctorate row with another edu_num: the column is no exact dependency any more, so
    # Doctorate, too few rows for a rule of its own, is left alone (the others keep theirs)
    df.loc[np.flatnonzero(df["education"] == "Doctorate")[0], "edu_num"] = 2
    rule = next(r for r in TableEncoder(seed=0).fit(df).rules_ if r.dependent == "edu_num")
    assert not rule.complete and "Doctorate" not in rule.premises and len(rule.premises) == 5


def test_many_small_groups_that_all_agree_make_a_whole_column_rule():
    # country -> region with four rows a country: no country has MIN_ROWS rows, but 60 countries
    # that never disagree are no chance; the countries with one row are not pinned
    rng = np.random.default_rng(3)
    countries = [f"c{i}" for i in range(60)]
    region = {c: rng.choice(["north", "south", "east", "west"]) for c in countries}
    names = [*np.repeat(countries, 4).tolist(), "lone1", "lone2"]
    df = pd.DataFrame({"country": names, "x": rng.normal(size=len(names))})
    df["region"] = [region.get(c, "north") for c in df["country"]]
    (rule,) = [r for r in detect_rules(df, ["country", "region"]) if r.dependent == "region"]
    assert set(rule.premises) == set(countries) and not rule.complete
    # the same table where the regions are drawn row by row: no rule
    df["region"] = rng.choice(["north", "south", "east", "west"], len(df))
    assert not [r for r in detect_rules(df, ["country", "region"]) if r.dependent == "region"]


def geography(n_countries: int = 60, rows: int = 4, seed: int = 3) -> pd.DataFrame:
    """country -> region -> continent, a few rows a country; `x` independent noise."""
    rng = np.random.default_rng(seed)
    regions = {f"r{i}": "north" if i < 3 else "south" for i in range(6)}
    countries = {f"c{i}": f"r{i % 6}" for i in range(n_countries)}
    names = np.repeat(list(countries), rows)
    return pd.DataFrame(
        {
            "country": names,
            "region": [countries[c] for c in names],
            "continent": [regions[countries[c]] for c in names],
            "x": rng.normal(size=names.size),
        }
    )


def test_a_fine_determinant_is_redrawn_to_fit_its_coarser_dependent():
    df = geography()
    enc = TableEncoder(seed=0).fit(df)
    by_dependent = {(r.determinant, r.dependent): r.resolves_by_dependent for r in enc.rules_}
    # countries of 4 rows: mended by the region; regions of 40 rows mend the continent
    assert by_dependent[("country", "region")] and by_dependent[("country", "continent")]
    assert not by_dependent[("region", "continent")]
    assert (
        "country -> region (60 values, 240 rows; a row that breaks it gets another country of "
        "its region)"
    ) in enc.rules_.describe()
    soft = _soft(enc, 4000, 1)
    plain = TableEncoder(seed=0, detect_rules=False).fit(df)
    before = plain.inverse_transform(soft, rng=np.random.default_rng(0))
    after = enc.inverse_transform(soft, rng=np.random.default_rng(0))
    assert enc.rules_.broken(before).mean() > 0.5 and not enc.rules_.broken(after).any()
    # the region is kept as drawn and the country redrawn inside it, spread over the region's
    # countries (not one a region)
    assert (after["region"] == before["region"]).all()
    assert (after["country"] != before["country"]).mean() > 0.5
    assert after.groupby("region")["country"].nunique().min() >= 5
    # the same rows decode alike however they are batched
    half = enc.inverse_transform(soft[:1000], rng=np.random.default_rng(0))
    pd.testing.assert_frame_equal(half, after.iloc[:1000])


def test_a_held_determinant_keeps_its_drawn_value_and_mends_the_dependent():
    # conditional sampling holds the columns it asks for: a row drawn for country == c7 must
    # stay c7, so there the region is set from the country instead
    from tabgan.encoding.spans import Draw

    df = geography()
    enc = TableEncoder(seed=0).fit(df)
    draw = Draw.from_matrix(_soft(enc, 2000, 4), enc.spans)
    free = enc.decode(draw, np.random.default_rng(0))
    held = enc.decode(draw, np.random.default_rng(0), hold={"country"})
    drawn = enc.decode(draw, np.random.default_rng(0), hold={"country", "region", "continent"})
    assert (held["country"] == drawn["country"]).all()
    assert (free["country"] != drawn["country"]).any()
    assert not enc.rules_.broken(held).any() and not enc.rules_.broken(free).any()


def test_an_equal_sized_dependency_keeps_mending_the_dependent():
    df = planted(600)
    rare = np.flatnonzero(df["education"] == "Doctorate")[MIN_ROWS - 1 :]
    df = df.drop(index=rare).reset_index(drop=True)  # a whole-column rule with a rare value
    enc = TableEncoder(seed=0).fit(df)
    rule = next(r for r in enc.rules_ if r.dependent == "edu_num")
    assert rule.complete and not rule.resolves_by_dependent  # 6 premises, 6 conclusions
    soft = _soft(enc, 2000, 2)
    plain = TableEncoder(seed=0, detect_rules=False).fit(df)
    before = plain.inverse_transform(soft, rng=np.random.default_rng(0))
    after = enc.inverse_transform(soft, rng=np.random.default_rng(0))
    assert (after["education"] == before["education"]).all()


def test_an_id_column_is_no_whole_column_rule():
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"id": [f"r{i}" for i in range(200)], "b": rng.choice(["x", "y"], 200)})
    assert len(detect_rules(df, ["id", "b"])) == 0


def test_conditions_that_contradict_a_rule_are_named():
    rules = TableEncoder(seed=0).fit(planted()).rules_
    message = rules.contradiction([("role", "==", "Husband"), ("sex", "==", "F")])
    assert message == (
        "conditions role == Husband and sex == F contradict the rule role=Husband -> sex=M "
        "found in the training data"
    )
    assert "klass=crew -> fare=0" in rules.contradiction(
        [("klass", "==", "crew"), ("fare", "==", 5)]
    )
    assert rules.contradiction([("role", "==", "Husband"), ("sex", "==", "M")]) is None
    assert rules.contradiction([("role", "==", "Child"), ("sex", "==", "F")]) is None
    message = rules.contradiction([("klass", "==", "crew"), ("fare", ">=", 5)])
    assert message.startswith("conditions klass == crew and fare >= 5 contradict the rule")
    assert rules.contradiction([("klass", "==", "crew"), ("fare", "<=", 5)]) is None
    assert rules.contradiction([("klass", "!=", "crew"), ("fare", ">=", 5)]) is None
