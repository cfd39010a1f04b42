"""epochs="auto" and max_time: validation score, early stopping, best weights, time budget."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from tabgan import TabGAN, autofit
from tabgan.errors import InvalidParameterError
from tabgan.gan import EpochInfo
from tabgan.persist import load_model, save_model
from tests.conftest import make_mixed_table

TINY = {
    "batch_size": 50,
    "generator_dims": (16,),
    "discriminator_dims": (16,),
    "min_steps_per_epoch": 1,
    "refine": False,
    "device": "cpu",
}


@pytest.fixture
def short_auto(monkeypatch):
    """epochs="auto" with a short schedule: scores every 2 epochs, a cap of 12 epochs, and
    validation from 300 rows (the default needs 1,000)."""
    monkeypatch.setattr(autofit, "AUTO_MAX_EPOCHS", 12)
    monkeypatch.setattr(autofit, "AUTO_EVERY", 2)
    monkeypatch.setattr(autofit, "AUTO_PATIENCE", 4)
    monkeypatch.setattr(autofit, "AUTO_MIN_EPOCHS", 4)
    monkeypatch.setattr(autofit, "VALIDATION_ROWS", 300)
    monkeypatch.setattr(autofit, "HOLDOUT_MIN", 30)
    monkeypatch.setattr(autofit, "AUTO_MIN_STEPS", 0)
    monkeypatch.setattr(autofit, "AUTO_PATIENCE_STEPS", 0)  # validate tables of 300+ rows


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, None), (90, 90.0), (1.5, 1.5), ("90", 90.0), ("90s", 90.0), ("2m", 120.0),
     ("1h", 3600.0), ("1h30m", 5400.0), (" 2M ", 120.0)],
)  # fmt: skip
def test_parse_duration(value, seconds):
    assert autofit.parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "soon", "2 minutes", "-5", 0, -1.0, "5x", True, [], "m"])
def test_parse_duration_rejects(value):
    with pytest.raises(InvalidParameterError, match="max_time"):
        autofit.parse_duration(value)


def test_holdout_rows():
    ss = np.random.SeedSequence(0)
    assert len(autofit.holdout_rows(999, ss)) == 0  # too small to spare 100 rows
    held = autofit.holdout_rows(1000, ss)
    assert len(held) == 100 and len(np.unique(held)) == 100 and held.max() < 1000
    assert len(autofit.holdout_rows(50_000, ss)) == autofit.HOLDOUT_MAX
    np.testing.assert_array_equal(held, autofit.holdout_rows(1000, np.random.SeedSequence(0)))


def test_scorer_prefers_the_closer_table():
    df = make_mixed_table(600, seed=0)
    from tabgan.encoding import TableEncoder

    encoder = TableEncoder(seed=0).fit(df)
    scorer = autofit.ValidationScorer(encoder, df.iloc[:300])
    same = scorer.score(df.iloc[300:])
    shifted = df.iloc[300:].copy()
    shifted["income"] = shifted["income"] * 1.5
    shifted["group"] = "c"
    broken = df.iloc[300:].copy()
    broken["income"] = broken["income"].sample(frac=1, random_state=0).to_numpy()  # no group link
    assert 0 <= same < scorer.score(broken) < scorer.score(shifted)
    assert scorer.score(df.iloc[:300]) == pytest.approx(0, abs=1e-9)


class _Scripted(autofit.EarlyStopping):
    """Early stopping whose scores are a script, on a trainer stand-in."""

    def __init__(self, scores, **kwargs):
        super().__init__(None, None, np.random.SeedSequence(0), **kwargs)
        self.scores = iter(scores)

    def evaluate(self, trainer):
        return next(self.scores)


class _FakeTrainer:
    def __init__(self):
        self.ema = None
        self.generator = torch.nn.Linear(2, 1)
        self.stop_reason = None

    def stop(self, reason):
        self.stop_reason = reason


def _run(callback, trainer, epochs):
    for epoch in range(1, epochs + 1):
        with torch.no_grad():
            trainer.generator.weight.fill_(epoch)  # the weights say which epoch they are from
        callback.on_epoch_end(trainer, EpochInfo(epoch, epochs, 0.0, 0.0, 0.0))
        if trainer.stop_reason:
            break
    callback.on_train_end(trainer, [])
    return epoch


def test_early_stopping_stops_on_a_plateau_and_restores_the_best_weights():
    scores = [0.5, 0.3, 0.2, 0.25, 0.21, 0.195, 0.3, 0.3, 0.3, 0.3]
    stopper = _Scripted(scores, every=1, patience=3, min_epochs=2, min_delta=0.01)
    trainer = _FakeTrainer()
    last = _run(stopper, trainer, 10)
    # epoch 6 (0.195) is a new best but within min_delta: it does not reset the patience
    assert last == 6 and "did not improve for 3 epochs" in trainer.stop_reason
    assert stopper.best_epoch == 6
    assert (
        float(trainer.generator.weight.detach()[0, 0]) == 6.0
    )  # the best epoch's weights are back
    assert [e for e, _ in stopper.curve] == [1, 2, 3, 4, 5, 6]


def test_early_stopping_waits_for_min_epochs_and_scores_the_last_epoch():
    stopper = _Scripted([0.5, 0.6, 0.7, 0.8], every=3, patience=1, min_epochs=100)
    trainer = _FakeTrainer()
    assert _run(stopper, trainer, 10) == 10 and trainer.stop_reason is None
    assert [e for e, _ in stopper.curve] == [3, 6, 9, 10]
    assert float(trainer.generator.weight.detach()[0, 0]) == 3.0


def test_early_stopping_state_round_trip():
    stopper = _Scripted([0.5, 0.4], every=1, patience=0)
    _run(stopper, _FakeTrainer(), 2)
    meta, tensors = stopper.state()
    other = _Scripted([], every=1, patience=0)
    other.load_state(meta, tensors)
    assert other.curve == stopper.curve and other.best_epoch == 2
    assert other.best_score == pytest.approx(0.4)
    torch.testing.assert_close(other.best_state["weight"], stopper.best_state["weight"])


def test_time_budget_stops_before_overrunning(monkeypatch):
    clock = iter([0.0, 1.0, 2.0, 3.0, 4.0])
    monkeypatch.setattr(autofit.time, "perf_counter", lambda: next(clock))
    budget = autofit.TimeBudget(3.5, started=0.0)
    trainer = _FakeTrainer()
    budget.on_train_begin(trainer)  # 0.0
    for epoch in (1, 2):  # ends at 1.0, 2.0: one more second still fits in 3.5
        budget.on_epoch_end(trainer, EpochInfo(epoch, 10, 0.0, 0.0, 0.0))
    assert trainer.stop_reason is None
    budget.on_epoch_end(trainer, EpochInfo(3, 10, 0.0, 0.0, 0.0))  # 3.0 + 1.0 > 3.5
    assert trainer.stop_reason.startswith("time budget")


def test_auto_fit_records_the_curve_and_keeps_the_best_epoch(short_auto, tmp_path):
    df = make_mixed_table(400, seed=3)
    model = TabGAN(seed=0, **TINY).fit(df)
    assert model.epochs_ <= 12 and model.stop_reason_
    epochs, scores = zip(*model.validation_, strict=True)
    assert epochs[0] == 2 and all(math.isfinite(s) for s in scores)
    assert model.best_epoch_ == epochs[int(np.argmin(scores))]
    everything = TabGAN(epochs=1, seed=0, **TINY).fit(df).condition_counts_.sum()
    # the 40 held-out rows are not trained on (nor counted for the training conditions)
    assert float(model.condition_counts_.sum()) * 400 == pytest.approx(float(everything) * 360)
    repeated = df.set_axis(np.zeros(len(df), dtype=int))  # rows are held out by position
    again = TabGAN(seed=0, **TINY).fit(repeated)
    assert again.validation_ == model.validation_
    pd.testing.assert_frame_equal(model.sample(40, seed=1), again.sample(40, seed=1))
    path = tmp_path / "m.tabgan"
    model.save(path)
    loaded = TabGAN.load(path)
    assert loaded.validation_ == model.validation_ and loaded.best_epoch_ == model.best_epoch_
    assert loaded.stop_reason_ == model.stop_reason_ and loaded.epochs_ == model.epochs_


def test_auto_fit_best_weights_are_the_ones_sampled(short_auto, monkeypatch):
    """The kept generator scores what its epoch scored (no later weights leak in)."""
    df = make_mixed_table(400, seed=3)
    seen = {}
    original = autofit.EarlyStopping.on_train_end

    def spy(self, trainer, history):
        seen["stopper"] = self
        original(self, trainer, history)
        seen["rescored"] = self.evaluate(trainer)

    monkeypatch.setattr(autofit.EarlyStopping, "on_train_end", spy)
    model = TabGAN(seed=0, **TINY).fit(df)
    assert seen["rescored"] == pytest.approx(min(s for _, s in model.validation_))


def test_small_table_auto_trains_the_cap_without_validation(short_auto):
    model = TabGAN(seed=0, **TINY).fit(make_mixed_table(120, seed=0))
    assert model.epochs_ == 12 and model.validation_ == [] and model.best_epoch_ is None
    assert "no validation" in model.stop_reason_


def test_integer_epochs_and_max_time(mixed_table):
    model = TabGAN(epochs=2, seed=0, **TINY).fit(mixed_table)
    assert model.epochs_ == 2 and model.stop_reason_ == "epochs=2 done"
    model = TabGAN(epochs=100_000, max_time="1s", seed=0, **TINY).fit(mixed_table)
    assert model.epochs_ < 100_000 and model.stop_reason_.startswith("time budget")


@pytest.mark.parametrize(("params", "message"), [({"epochs": "often"}, "epochs"),
                                                 ({"max_time": "soon"}, "max_time")])  # fmt: skip
def test_bad_epochs_or_max_time(mixed_table, params, message):
    with pytest.raises(InvalidParameterError, match=message):
        TabGAN(**{**TINY, **params}).fit(mixed_table)


def test_auto_resume_matches_uninterrupted_run(short_auto, tmp_path):
    df = make_mixed_table(400, seed=3)
    full = TabGAN(seed=7, **TINY).fit(df)
    ckpt = tmp_path / "run.ckpt"

    def interrupt(info):  # at epoch 4: the earliest a run can end by itself is epoch 6
        if info.epoch == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        TabGAN(seed=7, **TINY).fit(df, checkpoint=ckpt, checkpoint_every=2, callback=interrupt)
    resumed = TabGAN(seed=7, **TINY).fit(df, checkpoint=ckpt, resume=True)
    assert resumed.validation_ == full.validation_ and resumed.best_epoch_ == full.best_epoch_
    assert resumed.stop_reason_ == full.stop_reason_
    pd.testing.assert_frame_equal(full.sample(30, seed=1), resumed.sample(30, seed=1))
    if full.stop_reason_.startswith("validation"):  # a run that stopped by itself is done
        TabGAN(seed=7, **TINY).fit(df, checkpoint=ckpt, checkpoint_every=2)
        with pytest.raises(InvalidParameterError, match="already ended"):
            TabGAN(seed=7, **TINY).fit(df, checkpoint=ckpt, resume=True)


def test_model_files_without_stop_fields_still_load(tmp_path, mixed_table):
    path = tmp_path / "old.tabgan"
    TabGAN(epochs=2, seed=0, **TINY).fit(mixed_table).save(path)
    meta, tensors = load_model(path)
    for key in ("epochs_run", "stop_reason", "best_epoch", "validation"):
        del meta["training"][key]
    meta["params"].pop("max_time")
    save_model(path, meta, tensors)
    model = TabGAN.load(path)
    assert model.epochs_ == 2 and model.validation_ == [] and model.best_epoch_ is None
    assert model.stop_reason_ == "epochs=2 done"


def test_schedule_counts_steps_not_only_epochs():
    # a small table's epoch is 20 steps: 3,000 steps are 150 epochs, 1,500 of patience 75
    assert autofit.schedule(20) == (150, 75)
    # Adult's 65-step epochs: 47 -> 50 epochs at least, patience stays 30 epochs (1,950 steps)
    assert autofit.schedule(65) == (50, 30)
    assert autofit.schedule(10_000) == (autofit.AUTO_MIN_EPOCHS, autofit.AUTO_PATIENCE)
    assert autofit.schedule(1) == (autofit.AUTO_MAX_EPOCHS, autofit.AUTO_MAX_EPOCHS)
