"""The auxiliary target model (TabGAN(target=...)): spans, learning, and the estimator wiring."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from tabgan import TabGAN
from tabgan.encoding import TableEncoder
from tabgan.errors import InvalidParameterError
from tabgan.gan.auxiliary import TargetModel
from tests.conftest import make_mixed_table


@pytest.fixture(scope="module")
def encoded():
    df = make_mixed_table(400, seed=3)
    encoder = TableEncoder(seed=0).fit(df)
    matrix = torch.as_tensor(encoder.transform(df), dtype=torch.float32)
    return df, encoder, matrix


@pytest.mark.parametrize("target", ["group", "income"])
def test_features_leave_out_exactly_the_target_spans(encoded, target):
    _, encoder, matrix = encoded
    model = TargetModel(encoder.spans, target, hidden=(16,))
    owned = [s for s in encoder.spans if s.column == target]
    assert len(model.features) == matrix.shape[1] - sum(s.width for s in owned)
    assert sum(width for _, _, width, _ in model.parts) == sum(s.width for s in owned)
    # a numeric target brings a scalar (squared error) and a mode one-hot (cross-entropy)
    assert {softmax for *_, softmax in model.parts} == (
        {True} if target == "group" else {True, False}
    )


def test_it_learns_a_target_that_the_features_determine(encoded):
    # income is 30,000 for group "a" and 60,000 otherwise (plus noise): learnable from group
    _, encoder, matrix = encoded
    torch.manual_seed(0)
    model = TargetModel(encoder.spans, "income", hidden=(32,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    before = float(model.loss(matrix).detach())
    for _ in range(200):
        opt.zero_grad()
        model.loss(matrix).backward()
        opt.step()
    assert float(model.loss(matrix).detach()) < 0.5 * before


def test_generator_gets_gradients_through_the_features_not_the_label(encoded):
    _, encoder, matrix = encoded
    model = TargetModel(encoder.spans, "group", hidden=(8,))
    rows = matrix[:32].clone().requires_grad_(True)
    model.loss(rows).backward()
    grad = rows.grad.abs().sum(dim=0)
    target_cols = [c for s in encoder.spans if s.column == "group" for c in range(s.offset, s.stop)]
    assert grad[target_cols].sum() == 0
    assert grad.sum() > 0


def test_fit_with_a_target_trains_it_and_stays_reproducible(mixed_table):
    kwargs = {"epochs": 2, "batch_size": 50, "seed": 3, "device": "cpu", "target": "group"}
    a = TabGAN(**kwargs).fit(mixed_table)
    b = TabGAN(**kwargs).fit(mixed_table)
    pd.testing.assert_frame_equal(a.sample(40, seed=0), b.sample(40, seed=0))
    plain = TabGAN(**{**kwargs, "target": None}).fit(mixed_table)
    assert not a.sample(40, seed=0).equals(plain.sample(40, seed=0))


def test_checkpoint_resume_with_a_target_is_exact(tmp_path, mixed_table):
    kwargs = {"epochs": 3, "batch_size": 50, "seed": 7, "device": "cpu", "target": "income"}
    full = TabGAN(**kwargs).fit(mixed_table)
    ckpt = tmp_path / "run.ckpt"

    def stop_after_two(info):
        if info.epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        TabGAN(**kwargs).fit(
            mixed_table, checkpoint=ckpt, checkpoint_every=1, callback=stop_after_two
        )
    resumed = TabGAN(**kwargs).fit(mixed_table, checkpoint=ckpt, resume=True)
    pd.testing.assert_frame_equal(full.sample(30, seed=1), resumed.sample(30, seed=1))


@pytest.mark.parametrize(
    ("target", "message"),
    [("nope", "one of the table's columns"), (3, "one of the table's columns")],
)
def test_bad_target_is_refused(mixed_table, target, message):
    with pytest.raises(InvalidParameterError, match=message):
        TabGAN(epochs=1, batch_size=50, device="cpu", target=target).fit(mixed_table)


def test_constant_target_is_refused(mixed_table):
    df = mixed_table.assign(same=1)
    with pytest.raises(InvalidParameterError, match="constant or empty"):
        TabGAN(epochs=1, batch_size=50, device="cpu", target="same").fit(df)
