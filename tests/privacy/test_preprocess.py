"""Private preprocessing and rare-category protection, through the encoder's hook."""

import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("opacus")

from tabgan.encoding import ColumnKind, ColumnSpec, Schema, TableEncoder
from tabgan.privacy import Accountant, PrivacyBudget
from tabgan.privacy.preprocess import (
    RARE_TOKEN,
    PrivatePreprocessor,
    RareCategoryFilter,
    condition_counts,
)
from tests.encoding.conftest import make_table

RARE = ["r1", "r2a", "r3b", "r4c"]  # seen 1, 2, 3 and 4 times


def _table(n: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    colour = list(rng.choice(["red", "green", "blue"], n - 10, p=[0.5, 0.3, 0.2]))
    colour += ["r1", "r2a", "r2a", "r3b", "r3b", "r3b", "r4c", "r4c", "r4c", "r4c"]
    return pd.DataFrame(
        {
            "colour": colour,
            "tier": pd.Categorical([*rng.choice(["a", "b"], n).tolist()[:-2], "rare_z", "rare_z"]),
            "age": rng.normal(40, 10, n).round().clip(18, 90).astype(int),
            "gain": np.where(rng.random(n) < 0.7, 0.0, rng.lognormal(8, 1, n)),
        }
    )


def _private(epsilon: float, n: int, **kw) -> PrivatePreprocessor:
    return PrivatePreprocessor(PrivacyBudget(epsilon=epsilon, **kw).validated(n))


def _stored_text(encoder: TableEncoder) -> str:
    return json.dumps(encoder.to_dict(), allow_nan=False)


@pytest.mark.parametrize("hook", ["dp", "filter"])
def test_categories_below_the_threshold_are_never_stored_nor_produced(hook):
    df = _table()
    privacy = _private(50.0, len(df)) if hook == "dp" else RareCategoryFilter(5)
    enc = TableEncoder(seed=0).fit(df, privacy=privacy)
    text = _stored_text(enc)
    for value in [*RARE, "rare_z"]:
        assert f'"{value}"' not in text  # neither in the codecs nor in the schema's options
    out = enc.inverse_transform(enc.transform(df, rng=np.random.default_rng(0)))
    assert not out["colour"].isin(RARE).any() and not (out["tier"] == "rare_z").any()
    assert (out["colour"] == RARE_TOKEN).sum() == 10  # the ten rare rows, as the token
    assert set(out["colour"]) == {"red", "green", "blue", RARE_TOKEN}
    assert str(out["tier"].dtype) == "category"
    again = TableEncoder.from_dict(enc.to_dict())
    assert _stored_text(again) == text


def test_threshold_is_a_parameter_and_frequent_values_stay():
    df = _table()
    enc = TableEncoder(seed=0).fit(df, privacy=RareCategoryFilter(3))
    text = _stored_text(enc)
    assert '"r1"' not in text and '"r2a"' not in text
    assert '"r3b"' in text and '"r4c"' in text  # exact counts: 3 and 4 pass k = 3
    plain = TableEncoder(seed=0).fit(df)
    assert '"r1"' in _stored_text(plain)  # without protection every category is stored


def test_dp_counts_are_noisy_and_the_release_is_accounted():
    df = _table()
    privacy = _private(2.0, len(df))
    enc = TableEncoder(seed=0).fit(df, privacy=privacy)
    codec = enc.codecs_[0]
    true = df["colour"].value_counts()
    noisy = dict(zip(codec.categories, codec.counts, strict=True))
    assert set(noisy) <= {"red", "green", "blue"}
    assert any(noisy[c] != true[c] for c in noisy)
    sigma = privacy.sigma
    assert all(abs(noisy[c] - true[c]) < 6 * sigma for c in noisy)
    # 1 row count + 2 discrete + 3 per numeric column
    assert privacy.n_releases == 1 + 2 + 3 * 2
    budget = privacy.budget
    acc = Accountant([privacy.release])
    assert acc.epsilon(budget.accountant_delta) <= budget.preprocess_epsilon + 1e-9
    assert privacy.record()["private_preprocessing"] is True


def test_dp_numeric_codecs_come_from_noisy_histograms():
    df = _table(2000)
    enc = TableEncoder(seed=0).fit(df, privacy=_private(50.0, len(df)))
    age = enc.codecs_[2]
    assert 17 <= age.minimum <= 25 and 60 <= age.maximum <= 90
    gain = enc.codecs_[3]
    assert gain.spikes == [0.0]  # 70% exact zeros: a point mass, found from a noisy cell
    assert gain.maximum < df["gain"].max()  # the range is a noisy quantile, not the maximum
    out = enc.inverse_transform(enc.transform(df, rng=np.random.default_rng(0)))
    assert (out["gain"] == 0).mean() == pytest.approx((df["gain"] == 0).mean(), abs=0.01)
    assert out["age"].between(age.minimum, age.maximum).all()
    assert out.dtypes.astype(str).tolist() == df.dtypes.astype(str).tolist()


def test_dp_preprocessing_is_seeded():
    df = _table()
    a = TableEncoder(seed=3).fit(df, privacy=_private(1.0, len(df)))
    b = TableEncoder(seed=3).fit(df, privacy=_private(1.0, len(df)))
    c = TableEncoder(seed=4).fit(df, privacy=_private(1.0, len(df)))
    assert _stored_text(a) == _stored_text(b) != _stored_text(c)


def test_every_column_kind_round_trips_under_dp():
    df = make_table(400)
    enc = TableEncoder(seed=0).fit(df, privacy=_private(5.0, len(df)))
    out = enc.inverse_transform(enc.transform(df, rng=np.random.default_rng(1)))
    assert list(out.columns) == list(df.columns) and len(out) == len(df)
    json.dumps(enc.to_dict(), allow_nan=False)


def test_condition_counts_follow_the_conditional_spans():
    df = _table()
    privacy = _private(2.0, len(df))
    enc = TableEncoder(seed=0).fit(df, privacy=privacy)
    counts = condition_counts(enc, privacy)
    spans = [s for s in enc.spans if s.conditional]
    assert len(counts) == sum(s.width for s in spans)
    colour = enc.codecs_[0]
    assert list(counts[: len(colour.categories)]) == colour.counts
    assert counts[len(colour.categories)] == privacy.other_counts["colour"]
    plain = TableEncoder(seed=0).fit(df)
    exact = condition_counts(plain)
    assert exact[:3].tolist() == df["colour"].value_counts().iloc[:3].tolist()


def test_dp_range_is_not_read_from_noise():
    # few rows under much noise: an empty cell of the coarse grid must not pass for data, and
    # when no cell is clear the range comes from wider cells, not from the noisiest one
    rng = np.random.default_rng(0)
    price = np.exp(8 + rng.normal(size=300))  # about $100 to $66,000
    private = _private(3.0, len(price))  # noise of 25 rows on every count
    private.begin(Schema([ColumnSpec("price", ColumnKind.CONTINUOUS, "float64")]), 300, 0)
    ranges = [private._bounds(price, seed) for seed in range(200)]
    wild = [lo < -1.0 or hi > 100 * price.max() or hi < price.min() for lo, hi in ranges]
    assert sum(wild) <= 4  # 3 here; a flat 3-sigma bar and the noisiest cell: 38
