"""TabGAN estimator: sklearn conventions, fit/sample, seeds, save/load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from tabgan import InvalidDataError, InvalidParameterError, NotFittedError, TabGAN
from tabgan.errors import ModelFileError


def test_params_follow_sklearn_conventions():
    model = TabGAN(epochs=7, batch_size=20, seed=3)
    params = model.get_params()
    assert params["epochs"] == 7 and params["batch_size"] == 20 and params["seed"] == 3
    copy = clone(model)
    assert copy.get_params() == params
    model.set_params(epochs=2)
    assert model.epochs == 2
    # __init__ stores only: invalid values are accepted until fit
    TabGAN(epochs=-1, device="tpu")


def test_fit_sample_types_and_columns(fitted_model):
    model, df = fitted_model
    out = model.sample(123, seed=0)
    assert len(out) == 123
    assert list(out.columns) == list(df.columns)
    assert out.dtypes.to_dict() == df.dtypes.to_dict()
    assert set(out["group"].unique()) <= set(df["group"].unique())
    assert out["age"].between(df["age"].min(), df["age"].max()).all()
    assert out["flag"].dtype == bool
    assert hasattr(model, "encoder_") and model.n_rows_ == len(df)
    assert len(model.history_) == 2


def test_fit_returns_self_and_clone_is_unfitted(fitted_model):
    model, _ = fitted_model
    fresh = clone(model)
    with pytest.raises(NotFittedError, match="not fitted"):
        fresh.sample(5)


def test_seed_reproducible_fit_and_sample(mixed_table):
    a = TabGAN(epochs=1, batch_size=50, seed=11, device="cpu").fit(mixed_table)
    b = TabGAN(epochs=1, batch_size=50, seed=11, device="cpu").fit(mixed_table)
    pd.testing.assert_frame_equal(a.sample(50, seed=5), b.sample(50, seed=5))
    pd.testing.assert_frame_equal(a.sample(50, seed=5), a.sample(50, seed=5))
    assert not a.sample(50, seed=5).equals(a.sample(50, seed=6))


def test_fit_does_not_touch_global_rng(mixed_table):
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    TabGAN(epochs=1, batch_size=50, seed=1, device="cpu").fit(mixed_table).sample(10, seed=1)
    torch.testing.assert_close(torch.rand(3), before)


def test_save_load_round_trip(tmp_path, fitted_model):
    model, df = fitted_model
    path = tmp_path / "m.tabgan"
    model.save(path)
    loaded = TabGAN.load(path)
    pd.testing.assert_frame_equal(model.sample(40, seed=9), loaded.sample(40, seed=9))
    assert loaded.get_params()["epochs"] == model.epochs
    assert loaded.columns_ == list(df.columns)


def test_numpy_input():
    rng = np.random.default_rng(0)
    arr = np.column_stack([rng.normal(size=100), rng.integers(0, 3, size=100)])
    out = TabGAN(epochs=1, batch_size=20, seed=0, device="cpu").fit(arr).sample(10)
    assert list(out.columns) == ["0", "1"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": "ten"}, "epochs"),
        ({"batch_size": 55, "pac": 10}, "multiple of pac"),
        ({"batch_size": 1}, "at least 2"),
        ({"device": "tpu"}, "device"),
        ({"seed": -4}, "seed"),
        ({"sample_precision": "half"}, "sample_precision"),
        ({"train_precision": "fp16"}, "train_precision"),
    ],
)
def test_invalid_params_are_reported_at_fit(mixed_table, params, message):
    with pytest.raises(InvalidParameterError, match=message):
        TabGAN(**{"epochs": 1, "batch_size": 50, **params}).fit(mixed_table)


def test_bad_data(mixed_table):
    with pytest.raises(InvalidDataError, match="at least"):
        TabGAN(epochs=1).fit(mixed_table.head(3))
    with pytest.raises(InvalidDataError, match="DataFrame"):
        TabGAN(epochs=1).fit("not a table")
    with pytest.raises(InvalidDataError, match="nope"):
        TabGAN(epochs=1, batch_size=50).fit(mixed_table, discrete_columns=["nope"])


def test_sample_precision_rounds_the_products_but_not_the_rows(fitted_model):
    model, df = fitted_model
    was, refiner = model.sample_precision, model.refiner_
    model.refiner_ = None  # row by row: a filter would keep different rows and misalign them
    try:
        model.set_params(sample_precision="float32")
        exact = model.sample(200, seed=3)
        model.set_params(sample_precision="bfloat16")
        rough = model.sample(200, seed=3)
        pd.testing.assert_frame_equal(rough, model.sample(200, seed=3))  # still seeded
    finally:
        model.set_params(sample_precision=was)
        model.refiner_ = refiner
    assert rough.dtypes.to_dict() == exact.dtypes.to_dict()
    # the same noise and conditions: most categories agree, numbers move a little
    assert (rough["group"] == exact["group"]).mean() > 0.9
    spread = df["income"].std()
    assert (rough["income"] - exact["income"]).abs().median() < 0.05 * spread


def test_auto_precision_is_bfloat16_only_on_a_cpu_that_has_it():
    from tabgan.model import precision_dtype

    native = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    expected = torch.bfloat16 if native else torch.float32
    assert precision_dtype("auto", torch.device("cpu")) == expected
    assert precision_dtype("auto", torch.device("cuda")) == torch.float32
    assert precision_dtype("float32", torch.device("cpu")) == torch.float32
    with pytest.raises(InvalidParameterError, match="sample_precision"):
        precision_dtype("fp8", torch.device("cpu"))


def test_auto_precision_falls_back_to_float32_without_torchs_cpu_checks(monkeypatch):
    from tabgan.model import precision_dtype

    monkeypatch.delattr(torch.cpu, "_is_avx512_bf16_supported", raising=False)
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported", raising=False)
    assert precision_dtype("auto", torch.device("cpu")) == torch.float32


def test_sample_rejects_bad_n(fitted_model):
    model, _ = fitted_model
    for n in (0, -3, 2.5, "x"):
        with pytest.raises(InvalidParameterError):
            model.sample(n)


def test_only_constant_columns():
    df = pd.DataFrame({"a": [1] * 20, "b": ["x"] * 20})
    out = TabGAN(epochs=1, batch_size=10, seed=0).fit(df).sample(5)
    assert (out["a"] == 1).all() and (out["b"] == "x").all()


def test_load_foreign_file(tmp_path):
    path = tmp_path / "x.tabgan"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ModelFileError):
        TabGAN.load(path)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("precision", ["auto", "bfloat16"])
def test_cuda_fit_sample(mixed_table, precision):
    model = TabGAN(epochs=1, batch_size=50, seed=0, device="cuda", train_precision=precision).fit(
        mixed_table
    )
    assert model.device_.type == "cuda"
    assert len(model.sample(20)) == 20


def test_checkpoint_resume_matches_uninterrupted_run(tmp_path, mixed_table):
    kwargs = {"epochs": 3, "batch_size": 50, "seed": 7, "device": "cpu"}
    full = TabGAN(**kwargs).fit(mixed_table)
    ckpt = tmp_path / "run.ckpt"

    def stop_after_two(info):
        if info.epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        TabGAN(**kwargs).fit(
            mixed_table, checkpoint=ckpt, checkpoint_every=1, callback=stop_after_two
        )
    assert ckpt.exists()
    resumed = TabGAN(**kwargs).fit(mixed_table, checkpoint=ckpt, resume=True)
    for a, b in zip(
        full.generator_.state_dict().values(),
        resumed.generator_.state_dict().values(),
        strict=True,
    ):
        torch.testing.assert_close(a, b)
    pd.testing.assert_frame_equal(full.sample(30, seed=1), resumed.sample(30, seed=1))


def test_resume_refuses_other_data_or_settings(tmp_path, mixed_table):
    ckpt = tmp_path / "run.ckpt"
    kwargs = {"epochs": 1, "batch_size": 50, "seed": 7, "device": "cpu"}
    TabGAN(**kwargs).fit(mixed_table, checkpoint=ckpt, checkpoint_every=1)
    more = {**kwargs, "epochs": 2}
    with pytest.raises(InvalidDataError, match="different table"):
        TabGAN(**more).fit(mixed_table.head(100), checkpoint=ckpt, resume=True)
    with pytest.raises(InvalidParameterError, match="generator_lr"):
        TabGAN(**more, generator_lr=1e-3).fit(mixed_table, checkpoint=ckpt, resume=True)
    with pytest.raises(InvalidParameterError, match="already has 1 epochs"):
        TabGAN(**kwargs).fit(mixed_table, checkpoint=ckpt, resume=True)
    with pytest.raises(ModelFileError, match="no such"):
        TabGAN(**more).fit(mixed_table, checkpoint=tmp_path / "none.ckpt", resume=True)


@pytest.mark.parametrize(
    ("rows", "min_steps", "expected"),
    [(200, 20, 20), (200, 1, 4), (1_200, 20, 24)],
)
def test_an_epoch_is_rows_over_batch_but_at_least_min_steps(monkeypatch, rows, min_steps, expected):
    from tabgan.gan.train import Trainer
    from tests.conftest import make_mixed_table

    calls = []
    step = Trainer.generator_step
    monkeypatch.setattr(Trainer, "generator_step", lambda self: calls.append(1) or step(self))
    seen: list[float] = []
    model = TabGAN(
        epochs=1,
        batch_size=50,
        min_steps_per_epoch=min_steps,
        generator_dims=(16,),
        discriminator_dims=(16,),
        seed=0,
        device="cpu",
    ).fit(make_mixed_table(rows), callback=lambda info: seen.append(info.epoch))
    assert model.steps_per_epoch_ == expected
    assert len(calls) == expected  # the steps really ran
    assert seen == [1]


def test_network_widths_follow_the_table_size_unless_given(tmp_path, mixed_table):
    from tabgan.model import SMALL_TABLE_ROWS

    small = TabGAN(epochs=1, seed=0).fit(mixed_table)
    assert len(mixed_table) < SMALL_TABLE_ROWS
    assert small.generator_dims_ == [128, 128] and small.discriminator_dims_ == [128, 128]
    assert small.generator_.args["hidden"] == [128, 128]
    critic = TabGAN()._network_dims(SMALL_TABLE_ROWS)
    assert critic == ((256, 256), (256, 256))
    given = TabGAN(epochs=1, seed=0, generator_dims=(64,), discriminator_dims=[32, 16])
    given.fit(mixed_table)
    assert given.generator_dims_ == [64] and given.discriminator_dims_ == [32, 16]
    path = tmp_path / "m.tabgan"
    given.save(path)
    loaded = TabGAN.load(path)
    assert loaded.generator_dims_ == [64] and loaded.discriminator_dims_ == [32, 16]


def test_critic_judges_single_rows_by_default_and_the_file_keeps_pac(tmp_path, mixed_table):
    from tabgan.persist import load_model, save_model

    assert TabGAN().get_params()["pac"] == 1
    packed = TabGAN(epochs=1, batch_size=50, pac=10, seed=0).fit(mixed_table)
    assert packed.pac_ == 10
    path = tmp_path / "m.tabgan"
    packed.save(path)
    assert TabGAN.load(path).pac_ == 10
    meta, tensors = load_model(path)  # a file from before pac_ was kept: the parameter's
    del meta["training"]["pac"]
    save_model(path, meta, tensors)
    assert TabGAN.load(path).pac_ == 10
    assert TabGAN(epochs=1, seed=0).fit(mixed_table).pac_ == 1


@pytest.mark.parametrize("dims", ["wide", 128, [128, 0], [1.5]])
def test_bad_network_widths_are_refused(mixed_table, dims):
    with pytest.raises(InvalidParameterError, match="generator_dims"):
        TabGAN(epochs=1, generator_dims=dims).fit(mixed_table)
