"""Numbers decode as the table writes them: the column's decimals, no pile-up at the range
ends, real point masses kept, and states saved before these keys decode as before."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from tabgan.encoding import TableEncoder
from tabgan.encoding.numeric import NumericCodec, decimals_of, reflect


def _codec(values, seed=0):
    return NumericCodec.fit(np.asarray(values, dtype=float), 5, 5_000, np.random.SeedSequence(seed))


def test_decimals_of_reads_how_a_column_is_written():
    assert decimals_of(np.array([7.25, 8.05, 71.2833, 0.0])) == 4
    assert decimals_of(np.array([1.0, 2.0, 30.0])) == 0
    assert decimals_of(np.array([0.1, 0.2, 0.3])) == 1  # not fooled by binary floats
    assert decimals_of(np.array([np.nan, np.inf, 2.5])) == 1
    assert decimals_of(np.random.default_rng(0).normal(size=20)) is None  # full precision


def test_reflect_folds_back_inside_without_point_masses():
    x = np.array([-0.25, 0.5, 1.2, 3.5, 10.0])
    np.testing.assert_allclose(reflect(x, 0.0, 1.0), [0.25, 0.5, 0.8, 0.5, 0.0])
    overshoot = np.linspace(1.0001, 1.5, 1000)  # all beyond the maximum
    folded = reflect(overshoot, 0.0, 1.0)
    assert folded.min() >= 0.0 and folded.max() <= 1.0
    assert len(np.unique(folded)) == 1000  # spread out, not one value
    np.testing.assert_array_equal(reflect(np.array([3.0]), 2.0, 2.0), [2.0])


def test_decode_rounds_to_the_columns_decimals_and_stays_in_range():
    rng = np.random.default_rng(0)
    fares = np.round(rng.lognormal(2, 1, 400), 4)
    codec = _codec(fares)
    assert codec.decimals == 4 and codec.edges == "reflect"
    scalar = rng.uniform(-1, 1, 2000)
    mode = rng.integers(0, codec.n_modes, 2000)
    x = codec.decode(scalar, mode)
    assert np.all(np.abs(x * 1e4 - np.round(x * 1e4)) < 1e-6)
    assert x.min() >= fares.min() and x.max() <= fares.max()


def test_overshoot_does_not_pile_up_at_the_range_ends():
    rng = np.random.default_rng(1)
    ages = rng.integers(17, 91, 600).astype(float)
    codec = _codec(ages)
    scalar = rng.uniform(-1, 1, 20_000)  # a loose generator: many values beyond the ends
    mode = rng.integers(0, codec.n_modes, 20_000)
    x = codec.decode(scalar, mode)
    real_at_ends = np.mean((ages == ages.min()) | (ages == ages.max()))
    clipped = NumericCodec.from_dict({**codec.to_dict(), "edges": "clip"}).decode(scalar, mode)
    at_ends = np.mean((x == ages.min()) | (x == ages.max()))
    clipped_at_ends = np.mean((clipped == ages.min()) | (clipped == ages.max()))
    assert clipped_at_ends > 5 * real_at_ends  # what clipping did
    assert at_ends < 3 * max(real_at_ends, 1 / 74)  # about one integer's share, no pile-up


def test_real_point_masses_stay():
    rng = np.random.default_rng(2)
    gain = np.where(rng.random(500) < 0.9, 0.0, np.round(rng.lognormal(8, 1, 500)))
    codec = _codec(gain)
    assert codec.spikes == [0.0]
    mode = np.full(10, codec.n_modes - 1)  # the spike's mode
    np.testing.assert_array_equal(codec.decode(np.full(10, 0.7), mode), np.zeros(10))


def test_old_state_without_the_new_keys_decodes_as_before():
    rng = np.random.default_rng(3)
    values = rng.normal(50, 10, 300)
    codec = _codec(values)
    old = {k: v for k, v in codec.to_dict().items() if k not in ("decimals", "edges")}
    loaded = NumericCodec.from_dict(old)
    assert loaded.decimals is None and loaded.edges == "clip"
    scalar = np.array([-1.0, 0.3, 1.0])
    mode = np.zeros(3, dtype=int)
    means, halves = np.asarray(codec.means), np.asarray(codec.halfwidths)
    expected = np.clip(scalar * halves[0] + means[0], codec.minimum, codec.maximum)
    np.testing.assert_array_equal(loaded.decode(scalar, mode), expected)


def test_new_keys_round_trip_and_bad_ones_are_refused():
    codec = _codec(np.arange(100.0) / 4)
    state = json.loads(json.dumps(codec.to_dict(), allow_nan=False))
    assert NumericCodec.from_dict(state) == codec
    for bad in ({"decimals": 9}, {"decimals": -1}, {"edges": "wrap"}):
        try:
            NumericCodec.from_dict({**state, **bad})
        except ValueError:
            continue
        raise AssertionError(f"{bad} was accepted")


def test_table_round_trip_keeps_written_values():
    rng = np.random.default_rng(4)
    df = pd.DataFrame(
        {
            "fare": np.round(rng.lognormal(2, 1, 200), 2),
            "age": rng.integers(1, 80, 200).astype(float),  # integer-valued floats
        }
    )
    enc = TableEncoder(seed=0).fit(df)
    soft = rng.uniform(-1, 1, (500, enc.output_dim)).astype(np.float32)
    out = enc.inverse_transform(soft, rng=rng)
    assert (out["age"] == np.round(out["age"])).all()
    assert np.allclose(out["fare"] * 100, np.round(out["fare"] * 100))
    assert out["age"].between(df["age"].min(), df["age"].max()).all()
    # an encoder saved before precision and rules still loads and decodes
    state = enc.to_dict()
    state.pop("rules")
    state["params"].pop("detect_rules")
    for c in state["codecs"]:
        c.pop("decimals"), c.pop("edges")
    old = TableEncoder.from_dict(state)
    assert len(old.rules_) == 0
    assert len(old.inverse_transform(soft, rng=np.random.default_rng(0))) == 500
