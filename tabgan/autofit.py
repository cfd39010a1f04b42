"""Training that stops by itself: a held-out fidelity score, early stopping, a time budget.

``TabGAN(epochs="auto")`` holds out a slice of the real rows (:func:`holdout_rows`) that the
GAN never trains on. Every few epochs :class:`EarlyStopping` draws a fixed-seed sample from
the generator as trained so far and scores it against the held-out rows with
:class:`ValidationScorer` (lower is better), keeps the weights of the best-scoring epoch, and
ends training when the score has not improved for ``patience`` epochs. :class:`TimeBudget`
ends training when the next epoch would overrun ``max_time``; the best weights so far are
kept either way.

The score is deliberately cheap (a few tens of milliseconds for 2,000 rows of 20 columns):
the mean over columns of the Kolmogorov-Smirnov distance (numbers, with the missing rate) or
the total variation distance (categories), plus half the mean absolute difference of the
Spearman correlation matrices (so that an epoch with good marginals but broken dependencies
does not win). It is measured on held-out rows, so a generator that copied its training rows
would not be rewarded for it.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import torch

from tabgan.encoding import ColumnKind, TableEncoder
from tabgan.errors import InvalidParameterError
from tabgan.gan import Callback, EpochInfo, Trainer
from tabgan.sampling import SamplingContext
from tabgan.validation import torch_seed

#: ``epochs="auto"``: the most epochs a fit may run (today's fixed default, so never longer)
AUTO_MAX_EPOCHS = 300
#: epochs between validation scores
AUTO_EVERY = 5
#: epochs without improvement before stopping (six scores), and at least this many training
#: steps (an epoch of a small table is 20 steps, of Adult 65: patience is counted in steps)
AUTO_PATIENCE = 30
AUTO_PATIENCE_STEPS = 1500
#: epochs always trained before early stopping may end a fit, and at least this many steps.
#: The first schedule (20 epochs, 30 of patience, whatever the epoch's steps) stopped the
#: suite's tables of 1,000-5,000 rows after 1,100-1,800 steps with clearly worse rows than 300
#: fixed epochs (6,000 steps), while Adult's 55 epochs (3,600 steps) lost nothing
#: (benchmarks/README.md, "epochs='auto' revisited")
AUTO_MIN_EPOCHS = 20
AUTO_MIN_STEPS = 3000
#: an improvement must lower the score by at least this much to reset the patience
AUTO_MIN_DELTA = 0.002
#: share of the rows held out for validation, and its bounds
HOLDOUT_SHARE = 0.1
#: fewer held-out rows than this give a score too noisy to choose epochs by (a KS distance on
#: 30-90 rows moves by more than the epochs differ; on the suite's tables under 1,000 rows early
#: stopping gave worse rows than the cap): tables under 1,000 rows train the cap
HOLDOUT_MIN = 100
HOLDOUT_MAX = 1000
#: synthetic rows drawn per validation score
VALIDATION_ROWS = 2000

_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smh]?)")


def parse_duration(value: Any, name: str = "max_time") -> float | None:
    """Seconds from ``None``, a positive number, or a string such as ``"90"``, ``"90s"``,
    ``"2m"``, ``"1h"`` or ``"1h30m"``.

    Raises
    ------
    InvalidParameterError
        When the value is not a positive duration.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidParameterError(f"{name} must be a duration such as 90, '90s', '2m' or '1h'")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        pos, seconds = 0, 0.0
        for match in _DURATION.finditer(text):
            if match.start() != pos or (match.group(2) == "" and match.end() != len(text)):
                break
            seconds += float(match.group(1)) * _UNITS[match.group(2)]
            pos = match.end()
        if not text or pos != len(text):
            raise InvalidParameterError(
                f"{name}={value!r} is not a duration; write e.g. 90, '90s', '2m' or '1h30m'"
            )
    else:
        raise InvalidParameterError(f"{name} must be a duration such as 90, '90s', '2m' or '1h'")
    if not math.isfinite(seconds) or seconds <= 0:
        raise InvalidParameterError(f"{name} must be a positive duration, got {value!r}")
    return seconds


def schedule(steps_per_epoch: int) -> tuple[int, int]:
    """``(min_epochs, patience)`` for epochs of ``steps_per_epoch`` steps: at least
    :data:`AUTO_MIN_EPOCHS` / :data:`AUTO_PATIENCE` epochs and :data:`AUTO_MIN_STEPS` /
    :data:`AUTO_PATIENCE_STEPS` steps, in whole scoring intervals, within the epoch cap."""

    def epochs(steps: int, floor: int) -> int:
        need = -(-steps // max(1, steps_per_epoch))  # ceil
        need = -(-need // AUTO_EVERY) * AUTO_EVERY
        return min(AUTO_MAX_EPOCHS, max(floor, need))

    return epochs(AUTO_MIN_STEPS, AUTO_MIN_EPOCHS), epochs(AUTO_PATIENCE_STEPS, AUTO_PATIENCE)


def child_seed(ss: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """The ``i``-th child of ``ss``, the same however often it is asked for (``spawn`` is
    stateful: each call gives new children)."""
    return np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, i))


def holdout_rows(n_rows: int, ss: np.random.SeedSequence) -> np.ndarray:
    """The row positions held out for validation (sorted; empty when the table is too small to
    spare :data:`HOLDOUT_MIN` rows, i.e. under 1,000 rows)."""
    k = min(HOLDOUT_MAX, int(n_rows * HOLDOUT_SHARE))
    if k < HOLDOUT_MIN:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(ss)
    return np.sort(rng.choice(n_rows, size=k, replace=False))


def _ks(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic of two 1-D float arrays without NaN."""
    if len(a) == 0 or len(b) == 0:
        return float(len(a) != len(b))
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.abs(cdf_a - cdf_b).max())


class ValidationScorer:
    """Scores a synthetic table against held-out real rows (0 is a perfect match; lower is
    better).

    Parameters
    ----------
    encoder : TableEncoder
        The fitted encoder (it says which columns are numbers and which categories).
    real : pandas.DataFrame
        The held-out real rows.
    """

    def __init__(self, encoder: TableEncoder, real: pd.DataFrame) -> None:
        self.numeric: list[str] = []
        self.categorical: list[str] = []
        for spec in encoder.schema_:
            if spec.kind in (ColumnKind.CONSTANT, ColumnKind.EMPTY):
                continue
            if spec.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
                self.categorical.append(spec.name)
            else:
                self.numeric.append(spec.name)
        self.real = real.reset_index(drop=True)
        self._real_numbers = {c: self._numbers(self.real[c]) for c in self.numeric}
        self._real_freq = {
            c: self.real[c].astype(str).value_counts(normalize=True, dropna=False)
            for c in self.categorical
        }
        self._real_corr = self._spearman(self.real)

    @staticmethod
    def _numbers(column: pd.Series) -> np.ndarray:
        values = column
        if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_timedelta64_dtype(
            values
        ):
            values = values.astype("int64").where(column.notna())
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)

    def _codes(self, df: pd.DataFrame) -> np.ndarray | None:
        """Each column as numbers (categories by their real frequency, missing numbers by
        the real median), for the rank correlations."""
        cols = []
        for c in self.numeric:
            x = self._numbers(df[c])
            real = self._real_numbers[c]
            fill = np.nanmedian(real) if np.isfinite(real).any() else 0.0
            cols.append(np.where(np.isfinite(x), x, fill))
        for c in self.categorical:
            freq = self._real_freq[c]
            cols.append(df[c].astype(str).map(freq).fillna(0.0).to_numpy(dtype=np.float64))
        if len(cols) < 2:
            return None
        return np.column_stack(cols)

    def _spearman(self, df: pd.DataFrame) -> np.ndarray | None:
        codes = self._codes(df)
        if codes is None:
            return None
        ranks = pd.DataFrame(codes).rank().to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.corrcoef(ranks, rowvar=False)
        return np.nan_to_num(corr, nan=0.0)

    def score(self, synthetic: pd.DataFrame) -> float:
        """The distance of ``synthetic`` from the held-out rows (lower is better)."""
        parts = []
        for c in self.numeric:
            real, fake = self._real_numbers[c], self._numbers(synthetic[c])
            real_ok, fake_ok = np.isfinite(real), np.isfinite(fake)
            missing = abs(real_ok.mean() - fake_ok.mean())
            parts.append(_ks(real[real_ok], fake[fake_ok]) * real_ok.mean() + missing)
        for c in self.categorical:
            fake = synthetic[c].astype(str).value_counts(normalize=True, dropna=False)
            real = self._real_freq[c]
            both = real.index.union(fake.index)
            tvd = 0.5 * (real.reindex(both, fill_value=0) - fake.reindex(both, fill_value=0)).abs()
            parts.append(float(tvd.sum()))
        marginal = float(np.mean(parts)) if parts else 0.0
        if self._real_corr is None:
            return marginal
        corr = self._spearman(synthetic)
        upper = np.triu_indices_from(self._real_corr, k=1)
        return marginal + 0.5 * float(np.abs(corr[upper] - self._real_corr[upper]).mean())


def _state_copy(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


class EarlyStopping(Callback):
    """Scores the generator every ``every`` epochs, keeps the best weights, stops on a plateau.

    Parameters
    ----------
    scorer : ValidationScorer
        Scores a decoded synthetic table against the held-out rows.
    context : callable
        ``context(generator)``: the :class:`~tabgan.sampling.SamplingContext` that samples
        from ``generator`` (the trainer's sampling generator at that epoch).
    seed : numpy.random.SeedSequence
        The validation draws' seed: every score uses the same noise, so two epochs are
        compared on the same draw rather than on two noisy ones.
    every, patience, min_epochs : int
        Epochs between scores; epochs without an improvement of ``min_delta`` before stopping
        (0: never stop early, only keep the best weights); epochs trained before stopping may
        happen.
    min_delta : float
        Smallest decrease of the score that counts as an improvement for the patience (any
        decrease still makes the epoch the best one).
    n_rows : int
        Synthetic rows per score.

    Attributes
    ----------
    curve : list of (int, float)
        ``(epoch, score)`` of every score.
    best_epoch, best_score : int or None, float
        The best-scoring epoch so far and its score.
    """

    def __init__(
        self,
        scorer: ValidationScorer,
        context: Callable[[torch.nn.Module], SamplingContext],
        seed: np.random.SeedSequence,
        every: int = AUTO_EVERY,
        patience: int = AUTO_PATIENCE,
        min_epochs: int = AUTO_MIN_EPOCHS,
        min_delta: float = AUTO_MIN_DELTA,
        n_rows: int = VALIDATION_ROWS,
    ) -> None:
        self.scorer = scorer
        self.context = context
        self.seed = seed
        self.every = every
        self.patience = patience
        self.min_epochs = min_epochs
        self.min_delta = min_delta
        self.n_rows = n_rows
        self.curve: list[tuple[int, float]] = []
        self.best_epoch: int | None = None
        self.best_score = math.inf
        self.reference = math.inf  # the score the patience counts from
        self.reference_epoch = 0
        self.best_state: dict[str, torch.Tensor] | None = None
        self.seconds = 0.0  # spent scoring

    @staticmethod
    def _target(trainer: Trainer) -> torch.nn.Module:
        """The module sampled from (and whose weights are kept): the EMA copy, if any."""
        return trainer.ema if trainer.ema is not None else trainer.generator

    def evaluate(self, trainer: Trainer) -> float:
        """Score the generator as trained so far (does not touch the training run's streams)."""
        started = time.perf_counter()
        generator = trainer.sampling_generator()
        was_training = generator.training
        try:
            ctx = self.context(generator)
            torch_ss, numpy_ss = child_seed(self.seed, 0), child_seed(self.seed, 1)
            rng = torch.Generator(device=ctx.device)
            rng.manual_seed(torch_seed(torch_ss))
            with ctx.eval_mode():
                draw = ctx.generate(self.n_rows, rng)
            table = ctx.encoder.decode(draw, np.random.default_rng(numpy_ss))
            value = self.scorer.score(table)
        finally:
            generator.train(was_training)
        self.seconds += time.perf_counter() - started
        return value if math.isfinite(value) else math.inf

    def on_epoch_end(self, trainer: Trainer, info: EpochInfo) -> None:
        last = info.epoch == info.epochs or trainer.stop_reason is not None
        if info.epoch % self.every and not last:
            return
        value = self.evaluate(trainer)
        self.curve.append((info.epoch, value))
        if value < self.best_score:
            self.best_score, self.best_epoch = value, info.epoch
            self.best_state = _state_copy(self._target(trainer))
        if value < self.reference - self.min_delta:
            self.reference, self.reference_epoch = value, info.epoch
        stale = info.epoch - self.reference_epoch
        if (
            trainer.stop_reason is None
            and self.patience
            and info.epoch >= self.min_epochs
            and stale >= self.patience
        ):
            trainer.stop(
                f"validation score did not improve for {stale} epochs "
                f"(best {self.best_score:.4f} at epoch {self.best_epoch})"
            )

    def on_train_end(self, trainer: Trainer, history: list[EpochInfo]) -> None:
        """Put the best weights back into the module sampled from."""
        if self.best_state is not None:
            self._target(trainer).load_state_dict(self.best_state)

    # ------------------------------------------------------------ checkpoints
    def state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        """JSON-able metadata and tensors to resume from (see :meth:`load_state`)."""
        meta = {
            "curve": [[e, s] for e, s in self.curve],
            "best_epoch": self.best_epoch,
            "best_score": None if math.isinf(self.best_score) else self.best_score,
            "reference": None if math.isinf(self.reference) else self.reference,
            "reference_epoch": self.reference_epoch,
            "seconds": self.seconds,
        }
        tensors = {f"best.{k}": v for k, v in (self.best_state or {}).items()}
        return meta, tensors

    def load_state(self, meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> None:
        """Restore :meth:`state` output."""
        self.curve = [(int(e), float(s)) for e, s in meta.get("curve", [])]
        self.best_epoch = None if meta.get("best_epoch") is None else int(meta["best_epoch"])
        best, ref = meta.get("best_score"), meta.get("reference")
        self.best_score = math.inf if best is None else float(best)
        self.reference = math.inf if ref is None else float(ref)
        self.reference_epoch = int(meta.get("reference_epoch", 0))
        self.seconds = float(meta.get("seconds", 0.0))
        best_state = {k[5:]: v for k, v in tensors.items() if k.startswith("best.")}
        self.best_state = best_state or None


class TimeBudget(Callback):
    """Ends training when the next epoch would end after ``started + seconds``.

    The next epoch's duration is estimated as the longest of the last few (they include the
    callbacks' work, such as validation scores), so the budget is kept rather than overrun by
    one epoch.

    Parameters
    ----------
    seconds : float
        The wall-time budget.
    started : float
        ``time.perf_counter()`` when the budget began (the start of ``fit``).
    """

    def __init__(self, seconds: float, started: float) -> None:
        self.seconds = seconds
        self.started = started
        self._last = started
        self._durations: list[float] = []

    def on_train_begin(self, trainer: Trainer) -> None:
        self._last = time.perf_counter()

    def on_epoch_end(self, trainer: Trainer, info: EpochInfo) -> None:
        now = time.perf_counter()
        self._durations = [*self._durations[-(AUTO_EVERY * 2 - 1) :], now - self._last]
        self._last = now
        if trainer.stop_reason is None and info.epoch < info.epochs:
            if now - self.started + max(self._durations) > self.seconds:
                trainer.stop(f"time budget: max_time={self.seconds:g} s reached")


__all__ = [
    "AUTO_MAX_EPOCHS",
    "AUTO_MIN_STEPS",
    "AUTO_PATIENCE_STEPS",
    "EarlyStopping",
    "TimeBudget",
    "ValidationScorer",
    "child_seed",
    "holdout_rows",
    "parse_duration",
    "schedule",
]
