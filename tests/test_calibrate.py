"""Marginal calibration of numeric columns (tabgan.calibrate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp

from tabgan import TabGAN
from tabgan.calibrate import KNOTS, calibration_rows, knots
from tabgan.encoding.numeric import NumericCodec, calibrated


def _codec(**kw) -> NumericCodec:
    base = dict(weights=[1.0], means=[0.0], stds=[1.0], halfwidths=[4.0], minimum=-4.0,
                maximum=4.0, states=[], edges="reflect")  # fmt: skip
    return NumericCodec(**{**base, **kw})


def test_knots_are_increasing_and_targets_follow_the_real_quantiles() -> None:
    rng = np.random.default_rng(0)
    generated, real = rng.normal(0, 0.5, 5000), rng.normal(1, 2, 5000)
    k, t = knots(generated, real)
    assert len(k) == KNOTS and np.all(np.diff(k) > 0) and np.all(np.diff(t) >= 0)
    mapped = calibrated(generated, k, t)
    assert ks_2samp(mapped, real).statistic < 0.03 < ks_2samp(generated, real).statistic


def test_ties_and_too_few_values() -> None:
    generated = np.r_[np.zeros(500), np.linspace(1, 2, 500)]  # a flat first half
    k, t = knots(generated, np.linspace(0, 10, 1000))
    assert np.all(np.diff(k) > 0) and len(k) < KNOTS and np.all(np.diff(t) >= 0)
    assert t[0] == pytest.approx(2.5, abs=0.1)  # the tie's target: the mean of its quantiles
    assert knots(np.ones(200), np.arange(200.0)) is None  # no spread
    assert knots(np.arange(10.0), np.arange(500.0)) is None  # too few generated values


def test_beyond_the_end_knots_values_keep_their_distance() -> None:
    y = calibrated(np.array([-3.0, 0.5, 4.0]), [0.0, 1.0], [10.0, 20.0])
    np.testing.assert_allclose(y, [7.0, 15.0, 23.0])


def test_decode_keeps_ranks_rounds_and_stays_in_range() -> None:
    rng = np.random.default_rng(1)
    scalar, mode = rng.uniform(-0.5, 0.5, 2000), np.zeros(2000, dtype=int)
    plain = _codec(decimals=2)
    real = rng.exponential(1.0, 4000).clip(max=4.0)
    cal = _codec(decimals=2, calibration=knots(plain.mixture_values(scalar, mode), real))
    a, b = plain.decode(scalar, mode), cal.decode(scalar, mode)
    order = np.argsort(scalar, kind="stable")
    assert np.all(np.diff(b[order]) >= 0)  # monotone: every row keeps its rank
    assert np.all(b == np.round(b, 2)) and b.min() >= -4.0 and b.max() <= 4.0
    assert ks_2samp(b, real).statistic < ks_2samp(a, real).statistic


def test_spikes_keep_their_values() -> None:
    codec = _codec(spikes=[0.0], calibration=[[-1.0, 1.0], [2.0, 3.0]])
    out = codec.decode(np.array([0.1, 0.1]), np.array([0, 1]))
    assert out[1] == 0.0 and 2.0 <= out[0] <= 3.0


def test_round_trip_and_corrupt_calibrations() -> None:
    codec = _codec(calibration=[[0.0, 1.0, 2.0], [0.0, 0.0, 5.0]])
    assert NumericCodec.from_dict(codec.to_dict()) == codec
    old = codec.to_dict()
    del old["calibration"]  # files before calibration decode as before
    assert NumericCodec.from_dict(old).calibration is None
    for bad in ([[0.0, 0.0], [1.0, 2.0]], [[0.0, 1.0], [2.0, 1.0]], [[0.0], [1.0]],
                [[0.0, 1.0], [1.0]], [[0.0, float("nan")], [1.0, 2.0]], "x"):  # fmt: skip
        with pytest.raises(ValueError, match="calibration"):
            NumericCodec.from_dict({**codec.to_dict(), "calibration": bad})


def _skewed(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.lognormal(0, 1, n).round(2),
            "age": rng.integers(18, 90, n),
            "kind": rng.choice(["a", "b", "c"], n),
        }
    )


def test_a_calibrated_fit_matches_the_marginals_better(tmp_path) -> None:
    df = _skewed()
    kw = {"epochs": 2, "min_steps_per_epoch": 3, "seed": 0, "refine": False}
    plain = TabGAN(calibrate=False, **kw).fit(df)
    cal = TabGAN(**kw).fit(df)
    assert all(c.calibration is None for c in plain.encoder_.codecs_ if hasattr(c, "edges"))
    assert all(c.calibration is not None for c in cal.encoder_.codecs_ if hasattr(c, "edges"))
    a, b = plain.sample(3000, seed=1), cal.sample(3000, seed=1)
    for col in ("amount", "age"):
        assert ks_2samp(b[col], df[col]).statistic < ks_2samp(a[col], df[col]).statistic
    assert (b["amount"] == b["amount"].round(2)).all() and b["age"].dtype == df["age"].dtype
    path = tmp_path / "m.tabgan"
    cal.save(path)
    pd.testing.assert_frame_equal(TabGAN.load(path).sample(50, seed=3), cal.sample(50, seed=3))
    from tabgan_cli.main import app
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["info", str(path)])
    assert result.exit_code == 0 and "calibrated numeric columns: amount, age" in result.stderr


def test_calibration_rows_are_bounded() -> None:
    assert calibration_rows(100) == 5_000 and calibration_rows(10**6) == 20_000
    assert calibration_rows(6_000) == 12_000


def test_no_calibration_under_differential_privacy() -> None:
    pytest.importorskip("opacus")
    m = TabGAN(epochs=1, min_steps_per_epoch=2, epsilon=5.0, seed=0).fit(_skewed(600))
    assert all(c.calibration is None for c in m.encoder_.codecs_ if hasattr(c, "edges"))


def test_fewer_knots_give_a_coarser_monotone_map() -> None:
    rng = np.random.default_rng(1)
    generated, real = rng.normal(size=3000), rng.gamma(2.0, size=800)
    g, t = knots(generated, real, n_knots=17)
    assert len(g) == 17 and np.all(np.diff(g) > 0) and np.all(np.diff(t) >= 0)
    np.testing.assert_allclose([t[0], t[-1]], [real.min(), real.max()])
    assert len(knots(generated, real)[0]) == KNOTS
