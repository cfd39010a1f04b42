"""The training progress bar: under epochs="auto" it ends where training will stop."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pandas as pd
from rich.console import Console

from tabgan import TabGAN
from tabgan.gan import EpochInfo
from tabgan.progress import ProgressCallback


def _info(epoch: int, cap: int = 300) -> EpochInfo:
    return EpochInfo(epoch=epoch, epochs=cap, generator_loss=0.5, discriminator_loss=-0.1,
                     seconds=float(epoch))  # fmt: skip


def _total(cb: ProgressCallback) -> float:
    return cb.bar.progress.tasks[0].total


def test_auto_bar_ends_where_patience_runs_out() -> None:
    early = SimpleNamespace(min_epochs=20, patience=30, reference_epoch=0, best_epoch=None)
    trainer = SimpleNamespace(stop_reason=None)
    console = Console(file=io.StringIO(), force_terminal=False, width=120)
    cb = ProgressCallback(300, console, early=early)
    cb.on_train_begin(trainer)
    assert _total(cb) == 30
    early.reference_epoch, early.best_epoch = 25, 25
    cb.on_epoch_end(trainer, _info(25))
    assert _total(cb) == 55  # 25 + patience, not the cap of 300
    early.reference_epoch = 290
    cb.on_epoch_end(trainer, _info(290))
    assert _total(cb) == 300  # never past the cap
    trainer.stop_reason = "validation score did not improve"
    cb.on_epoch_end(trainer, _info(295))
    assert _total(cb) == 295  # a finished run fills the bar
    cb.on_train_end(trainer, [])
    assert "best e25" in console.file.getvalue()


def test_fixed_epochs_bar_counts_to_them() -> None:
    console = Console(file=io.StringIO(), force_terminal=False, width=120)
    cb = ProgressCallback(12, console)
    trainer = SimpleNamespace(stop_reason=None)
    cb.on_train_begin(trainer)
    cb.on_epoch_end(trainer, _info(3, 12))
    assert _total(cb) == 12
    cb.on_train_end(trainer, [])


def test_verbose_auto_fit_runs_with_the_bar(capsys) -> None:
    df = pd.DataFrame({"a": [float(i % 37) for i in range(400)], "b": ["x", "y"] * 200})
    m = TabGAN(epochs="auto", max_time=3, min_steps_per_epoch=1, verbose=True, seed=0).fit(df)
    assert m.epochs_ >= 1 and "training" in capsys.readouterr().err
