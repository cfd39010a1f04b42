"""The per-column codecs: mode-specific normalisation and one-hot categories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tabgan.encoding.discrete import RARE_KEEP, CategoricalCodec
from tabgan.encoding.numeric import NumericCodec
from tabgan.encoding.schema import ID_MIN_VALUES, id_like, infer_schema
from tabgan.errors import ConditionError, InvalidDataError


def _bimodal(n: int = 2000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(-50, 2, n // 2), rng.normal(100, 5, n - n // 2)])


def test_mixture_finds_the_modes_and_is_plain_data():
    codec = NumericCodec.fit(_bimodal(), 10, 5000, np.random.SeedSequence(0))
    assert 2 <= codec.n_modes <= 10
    assert all(type(v) is float for v in codec.weights + codec.means + codec.stds)
    assert abs(sum(codec.weights) - 1) < 1e-9
    heavy = np.asarray(codec.means)[np.asarray(codec.weights) > 0.2]
    assert np.any(np.abs(heavy + 50) < 5) and np.any(np.abs(heavy - 100) < 10)
    assert codec.states == []  # no NaN/inf: no MISSING span


def test_transform_layout_and_near_lossless_inverse():
    values = _bimodal()
    codec = NumericCodec.fit(values, 10, 500, np.random.SeedSequence(1))  # subsampled fit
    block = codec.transform(values, np.random.default_rng(0))
    assert block.shape == (len(values), codec.width) and block.dtype == np.float32
    assert np.abs(block[:, 0]).max() <= 0.99
    np.testing.assert_array_equal(block[:, 1:].sum(1), 1)
    back = codec.inverse(block)
    np.testing.assert_allclose(back, values, rtol=1e-4, atol=1e-4)
    assert back.min() >= values.min() and back.max() <= values.max()


def test_mode_is_sampled_with_rng_and_argmax_without():
    values = np.concatenate([np.zeros(50), np.ones(50)]) + np.linspace(0, 0.5, 100)
    codec = NumericCodec.fit(values, 10, 5000, np.random.SeedSequence(0))
    plain = codec.transform(values, None)
    np.testing.assert_array_equal(plain, codec.transform(values, None))
    a = codec.transform(values, np.random.default_rng(7))
    b = codec.transform(values, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


def test_non_finite_states():
    values = np.array([1.0, 2.5, np.nan, np.inf, 3.0, -np.inf, 4.0, 7.5] * 5)
    codec = NumericCodec.fit(values, 10, 5000, np.random.SeedSequence(0))
    assert codec.states == ["finite", "nan", "+inf", "-inf"]
    block = codec.transform(values, np.random.default_rng(0))
    state = block[:, 1 + codec.n_modes :]
    np.testing.assert_array_equal(np.argmax(state, 1)[:6], [0, 0, 1, 2, 0, 3])
    assert (block[~np.isfinite(values), 0] == 0).all()
    back = codec.inverse(block)
    np.testing.assert_array_equal(np.isnan(back), np.isnan(values))
    np.testing.assert_array_equal(back[np.isinf(values)], values[np.isinf(values)])


def test_only_nan_state_when_only_nan_seen():
    codec = NumericCodec.fit(np.array([1.0, np.nan, 3.0, 8.0]), 10, 5000, None)
    assert codec.states == ["finite", "nan"]


def test_soft_block_decodes_within_range():
    codec = NumericCodec.fit(_bimodal(), 10, 5000, np.random.SeedSequence(0))
    soft = np.random.default_rng(0).normal(size=(300, codec.width)) * 4
    back = codec.inverse(soft)
    assert np.isfinite(back).all()
    assert back.min() >= codec.minimum and back.max() <= codec.maximum


def test_categories_by_frequency_with_missing_as_category():
    series = pd.Series(["b", "a", "b", None, "c", "b", "a", None, None, None], dtype=object)
    codec = CategoricalCodec.fit(series, 500)
    assert codec.categories == [None, "b", "a", "c"]
    assert codec.counts == [4, 3, 2, 1]
    block = codec.transform(series, "s")
    np.testing.assert_array_equal(block.argmax(1), [1, 2, 1, 0, 3, 1, 2, 0, 0, 0])
    assert list(codec.inverse(block, np.random.default_rng(0))) == list(series)
    assert codec.index_of(np.nan, "s") == 0 and codec.index_of("c", "s") == 3
    with pytest.raises(ConditionError, match="never seen"):
        codec.index_of("zz", "s")


def test_numbers_match_across_int_and_float_but_not_bool():
    codec = CategoricalCodec.fit(pd.Series([1, 2, 2, 3]), 500)
    assert codec.categories == [2, 1, 3]
    np.testing.assert_array_equal(codec.indices(pd.Series([1.0, 3.0]), "n"), [1, 2])
    with pytest.raises(InvalidDataError, match="True"):
        CategoricalCodec.fit(pd.Series([1, 0, 1]), 500).indices(pd.Series([True]), "n")


def test_high_cardinality_other_bucket():
    series = pd.Series([f"v{i}" for i in range(2000)] * 2 + ["top"] * 50)  # no value seen once
    codec = CategoricalCodec.fit(series, 10)
    assert codec.width == 10 and codec.categories[0] == "top"
    assert len(codec.categories) == 9 and len(codec.rare_values) == RARE_KEEP
    idx = codec.indices(pd.Series(["top", "never-seen", "v1999"]), "id")
    np.testing.assert_array_equal(idx, [0, 9, 9])  # unseen -> "other"
    other = np.zeros((200, codec.width))
    other[:, 9] = 1
    drawn = codec.inverse(other, np.random.default_rng(0))
    assert set(drawn) <= set(codec.rare_values) and len(set(drawn)) > 1


def test_id_like_values_seen_once_share_the_other_bucket():
    names = pd.Series([f"name {i}" for i in range(100)])
    assert CategoricalCodec.fit(names, 500).width == 100  # only when asked
    codec = CategoricalCodec.fit(names, 500, pool_singles=True)
    assert codec.categories == [] and codec.width == 1 and len(codec.rare_values) == 100
    drawn = codec.decode(np.zeros(50, dtype=np.int64), np.random.default_rng(0))
    assert set(drawn) <= set(names) and len(set(drawn)) > 10
    # values seen twice or more are learned; missing values stay a category of their own
    mixed = pd.Series([f"t{i}" for i in range(62)] + [f"g{i}" for i in range(20)] * 3 + [None])
    codec = CategoricalCodec.fit(mixed, 500, pool_singles=True)
    assert sorted(map(str, codec.categories)) == sorted([*(f"g{i}" for i in range(20)), "None"])
    assert codec.width == 22 and len(codec.rare_values) == 62
    assert CategoricalCodec.from_dict(codec.to_dict()) == codec
    # max_categories still caps what is learned
    assert CategoricalCodec.fit(mixed, 5, pool_singles=True).width == 5
    with pytest.raises(ConditionError, match="rare values"):
        codec.index_of("t3", "name")


def test_id_like_columns_are_text_with_many_values_seen_once():
    assert id_like(pd.Series([f"s{i}" for i in range(32)] + ["a"] * 32))
    assert not id_like(pd.Series([f"s{i}" for i in range(30)] + ["a", "b"] * 16))  # < half
    assert not id_like(pd.Series([f"s{i}" for i in range(ID_MIN_VALUES - 1)]))  # too few
    schema = infer_schema(
        pd.DataFrame({"name": [f"n{i}" for i in range(40)], "num": np.arange(40.0) / 3})
    )
    assert schema["name"].options == {"id_like": True} and schema["num"].options == {}
    forced = infer_schema(pd.DataFrame({"n": np.arange(40)}), discrete_columns=["n"])
    assert "id_like" not in forced["n"].options  # a column the user made categorical
    named = infer_schema(pd.DataFrame({"name": [f"n{i}" for i in range(40)]}), ["name"])
    assert named["name"].options == {}  # named categorical: every value is learned


def test_unseen_value_without_bucket_names_column_and_value():
    codec = CategoricalCodec.fit(pd.Series(["a", "b"]), 500)
    with pytest.raises(InvalidDataError, match=r"column 'col' has value 'zzz'"):
        codec.transform(pd.Series(["a", "zzz"]), "col")


def test_codec_state_round_trip_is_exact():
    values = np.array([1.0, 2.5, np.nan, np.inf, 3.0] * 9)
    numeric = NumericCodec.fit(values, 10, 5000, np.random.SeedSequence(0))
    assert NumericCodec.from_dict(numeric.to_dict()) == numeric
    cat = CategoricalCodec.fit(pd.Series([1.5, np.inf, None, "x", True] * 3, dtype=object), 500)
    assert CategoricalCodec.from_dict(cat.to_dict()) == cat
