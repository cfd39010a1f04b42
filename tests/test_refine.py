"""Refinement (tabgan.refine): rejection by a real-vs-synthetic classifier."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from tabgan import TabGAN
from tabgan.encoding import Draw, TableEncoder
from tabgan.encoding.convert import numeric_values
from tabgan.errors import ModelFileError
from tabgan.refine import MIN_ROWS, Refiner, RowFeatures, fit_refiner
from tests.conftest import make_mixed_table


def _table(n: int, share_a: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < share_a, "a", "b")
    x = rng.normal(np.where(group == "a", 0.0, 3.0), 1.0)
    return pd.DataFrame({"group": group, "x": x})


def _encoded(enc: TableEncoder, df: pd.DataFrame) -> np.ndarray:
    return enc.transform(df, rng=np.random.default_rng(0))


def _draw(enc: TableEncoder, df: pd.DataFrame) -> Draw:
    return Draw.from_matrix(_encoded(enc, df), enc.spans)


def test_features_rank_numbers_and_one_hot_categories():
    real = make_mixed_table(200, seed=0)
    enc = TableEncoder(seed=0).fit(real)
    feats = RowFeatures.fit(enc, real)
    numbers = {name: numeric_values(real[name], enc.schema_[name]) for name, *_ in feats.numeric}
    x = feats(_draw(enc, real), numbers)
    assert x.shape == (200, feats.width) and x.dtype == np.float32
    assert np.isfinite(x).all() and x.min() >= 0.0 and x.max() <= 1.0
    # every discrete column contributes exactly one 1 per row
    n_numeric = sum(1 + flag for _, _, flag in feats.numeric)
    assert n_numeric == feats.numeric_width
    assert (x[:, n_numeric:].sum(axis=1) == len(feats.category_rows)).all()
    # a numeric column's rank follows the value's order
    age = x[:, [name for name, _, _ in feats.numeric].index("age")]  # age has no missing flag
    order = np.argsort(real["age"].to_numpy(), kind="stable")
    assert np.all(np.diff(age[order]) >= 0)


def test_accept_keeps_each_row_with_probability_min_one_w_over_c():
    real = _table(400, 0.5, seed=0)
    enc = TableEncoder(seed=0).fit(real)
    feats = RowFeatures.fit(enc, real)
    critic = torch.nn.Sequential(torch.nn.Linear(feats.width, 1))
    with torch.no_grad():  # log-odds: log 4 for "a", log 1 for "b" (x's weight is zero)
        critic[0].weight.zero_()
        critic[0].bias.zero_()
        start = int(feats.category_starts[0])
        a = enc.category_index("group", "a")
        critic[0].weight[0, start + a] = math.log(4.0)
    refiner = Refiner(feats, critic, log_threshold=math.log(2.0), accept_rate=0.75)
    rows = _table(40_000, 0.5, seed=1)
    keep = refiner.accept(_draw(enc, rows), np.random.default_rng(2))
    is_a = (rows["group"] == "a").to_numpy()
    assert keep[is_a].mean() == pytest.approx(1.0)  # w / c = 2: always kept
    assert keep[~is_a].mean() == pytest.approx(0.5, abs=0.02)  # w / c = 1/2


def test_fitted_refiner_moves_a_distorted_share_towards_the_real_one():
    real = _table(3000, 0.9, seed=0)
    fake = _table(3000, 0.5, seed=1)  # the "generator" over-produces group b
    enc = TableEncoder(seed=0).fit(real)
    refiner = fit_refiner(
        enc,
        real,
        _encoded(enc, real),
        _draw(enc, fake),
        seed=0,
        device=torch.device("cpu"),
    )
    assert refiner is not None and 0.0 < refiner.accept_rate <= 1.0
    rows = _table(20_000, 0.5, seed=2)
    keep = refiner.accept(_draw(enc, rows), np.random.default_rng(3))
    share = (rows["group"][keep] == "a").mean()
    assert share > 0.8  # from 0.5 towards the real 0.9
    # the blocked, written-out forward (one-hots built in place) is the critic module's own
    draw = _draw(enc, rows)
    with torch.no_grad():
        dense = torch.from_numpy(refiner.features(draw, enc.numbers(draw)))
        expected = refiner.classifier(dense).squeeze(1).double().numpy()
    got = refiner.log_odds(draw, block=777)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    # in bfloat16 the products round to about 3 digits: close, not equal
    rough = refiner.log_odds(draw, dtype=torch.bfloat16)
    assert np.abs(rough - expected).max() < 0.1 and not np.array_equal(rough, expected)


def test_no_refiner_for_tiny_tables():
    real = _table(MIN_ROWS - 1, 0.5, seed=0)
    enc = TableEncoder(seed=0).fit(real)
    m = _encoded(enc, real)
    fake = Draw.from_matrix(m, enc.spans)
    assert fit_refiner(enc, real, m, fake, seed=0, device=torch.device("cpu")) is None


@pytest.fixture(scope="module")
def refined_model():
    # enough rows for the filter's held-out evidence (3 standard errors) against a
    # barely trained generator
    df = make_mixed_table(2000, seed=3)
    return TabGAN(epochs=1, batch_size=100, seed=0, device="cpu").fit(df), df


def test_model_samples_through_the_refiner_and_saves_it(refined_model, tmp_path):
    model, df = refined_model
    assert model.refiner_ is not None
    rows = model.sample(257, seed=4)
    assert len(rows) == 257 and list(rows.columns) == list(df.columns)
    # chunked sampling yields full chunks although the filter drops rows
    sizes = [len(c) for c in model.iter_samples(250, seed=4, chunk=100)]
    assert sizes == [100, 100, 50]
    path = tmp_path / "m.tabgan"
    model.save(path)
    again = TabGAN.load(path, device="cpu")
    assert again.refiner_ is not None
    pd.testing.assert_frame_equal(again.sample(257, seed=4), rows)


def test_refine_off_trains_the_same_generator_and_samples_it_directly(refined_model):
    model, df = refined_model
    plain = TabGAN(epochs=1, batch_size=100, seed=0, device="cpu", refine=False).fit(df)
    assert plain.refiner_ is None
    expected = plain.sample(100, seed=1)
    refiner, model.refiner_ = model.refiner_, None
    try:  # the refined model's generator, unfiltered: the very same rows
        pd.testing.assert_frame_equal(model.sample(100, seed=1), expected)
    finally:
        model.refiner_ = refiner
    assert not model.sample(100, seed=1).equals(expected)


def test_tampered_refiner_weights_are_refused(refined_model, tmp_path):
    from tabgan.persist import load_model, save_model

    model, _ = refined_model
    path = tmp_path / "m.tabgan"
    model.save(path)
    meta, tensors = load_model(path)
    tensors["refiner.0.weight"] = torch.zeros(7, 3)  # does not match the feature width
    save_model(path, meta, tensors)
    with pytest.raises(ModelFileError, match="refiner"):
        TabGAN.load(path)


def test_refiner_dropout_drops_about_a_tenth():
    from tabgan.refine import DROPOUT, classifier_network

    layers = classifier_network(5)
    drops = [m for m in layers if isinstance(m, torch.nn.Module) and hasattr(m, "keep")]
    assert drops and all(d.keep == 230 and d.p == DROPOUT for d in drops)


def test_refined_sampling_scores_in_the_models_sample_precision(refined_model, monkeypatch):
    model, _ = refined_model
    seen = []
    original = model.refiner_.log_odds

    def spy(draw, block=8192, dtype=None):
        seen.append(dtype)
        return original(draw, block=block, dtype=dtype)

    monkeypatch.setattr(model.refiner_, "log_odds", spy)
    for precision, dtype in (("float32", torch.float32), ("bfloat16", torch.bfloat16)):
        monkeypatch.setattr(model, "sample_precision", precision)
        seen.clear()
        model.sample(50, seed=0)
        model.sample(50, seed=0, conditions={"group": "a"})
        assert seen and set(seen) == {dtype}
