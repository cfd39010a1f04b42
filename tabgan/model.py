"""TabGAN: the scikit-learn style face of the library (fit / sample / save / load).

``fit`` is a short orchestration of named steps (validate, encode, build, train, refine); the
training loop (:mod:`tabgan.gan.train`) runs progress and checkpoints as callbacks, the model
file is :mod:`tabgan.modelfile`, and every draw goes through the sampling engine
(:mod:`tabgan.sampling`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator

from tabgan import autofit, modelfile
from tabgan.constraints import ConstraintSet
from tabgan.device import forked_torch_rng, precision_dtype, resolve_device, train_dtype
from tabgan.encoding import Draw, TableEncoder
from tabgan.errors import InvalidParameterError, NotFittedError
from tabgan.gan import (
    Callback,
    ConditionalSampler,
    Discriminator,
    EpochInfo,
    Generator,
    TorchLayout,
    TrainConfig,
    Trainer,
    critic_pac,
    distributed,
)
from tabgan.sampling import SAMPLE_CHUNK, SamplingContext, iter_samples, sample_conditional

if TYPE_CHECKING:
    from tabgan.privacy.estimator import PrivateFit
from tabgan.validation import (
    MIN_ROWS,
    as_frame,
    fingerprint,
    int_seed,
    positive_float,
    positive_int,
    seed_sequence,
    torch_seed,
    unit_interval,
)

FORMAT_VERSION = modelfile.FORMAT_VERSION


#: fewest rows of an automatic batch (the generator's batch norm needs several per step)
MIN_AUTO_BATCH = 10


def auto_batch_size(n_rows: int, pac: int = 1, cap: int = 500) -> int:
    """``batch_size="auto"``: ``cap`` rows per step on tables of at least ``4 * cap`` rows;
    on smaller tables about four steps per epoch (a multiple of ``pac``, and at least
    :data:`MIN_AUTO_BATCH` rows), so that 300 epochs of a few hundred rows are still over a
    thousand steps rather than 300 of one padded batch."""
    least = -(-MIN_AUTO_BATCH // pac) * pac  # MIN_AUTO_BATCH rounded up to a multiple of pac
    return int(min(cap, max(least, (n_rows // 4) // pac * pac)))


#: ``generator_dims="auto"`` / ``discriminator_dims="auto"``: tables under this many rows get
#: the narrow networks. Under it a fit is the fixed 6,000 steps (300 epochs of 20), so a cheaper
#: step is a shorter fit; on tables of 150-1,000 rows 128-wide networks kept the rows' quality
#: at about half the step cost, while on the whole of Adult they trained more steps before the
#: early stop and saved nothing (benchmarks/README.md, "Small-table fit time")
SMALL_TABLE_ROWS = 2_000
SMALL_DIMS = (128, 128)
LARGE_DIMS = (256, 256)


def auto_network_dims(n_rows: int) -> tuple[int, ...]:
    """``generator_dims="auto"`` (and the critic's): :data:`SMALL_DIMS` under
    :data:`SMALL_TABLE_ROWS` rows, else :data:`LARGE_DIMS`."""
    return SMALL_DIMS if n_rows < SMALL_TABLE_ROWS else LARGE_DIMS


def _sample_seeds(seed: int) -> np.random.SeedSequence:
    """The root of an estimator's seeded sequence of draws: from its ``seed``, apart from
    every stream of the fit (those are the children of ``SeedSequence(seed)``)."""
    return np.random.SeedSequence(seed_sequence(seed).entropy, spawn_key=(0x5A3D1E,))


@dataclass(frozen=True)
class _FitPlan:
    """A fit's validated settings and random streams."""

    config: TrainConfig
    device: torch.device
    encoder_ss: np.random.SeedSequence
    transform_ss: np.random.SeedSequence
    torch_ss: np.random.SeedSequence
    refine_ss: np.random.SeedSequence
    checkpoint: str | os.PathLike | None
    checkpoint_every: int
    validation_ss: np.random.SeedSequence
    auto: bool  # epochs="auto": validation scores, best weights, early stopping
    max_time: float | None  # seconds
    private: PrivateFit | None = None
    generator_dims: tuple[int, ...] = LARGE_DIMS
    discriminator_dims: tuple[int, ...] = LARGE_DIMS


class _LiveGenerator(Callback):
    """Before a user's epoch callback runs, the model samples from the generator as trained
    so far (the EMA copy, if any, with fresh batch-norm statistics)."""

    def __init__(self, model: TabGAN, fn: Callable[[EpochInfo], None]) -> None:
        self.model = model
        self.fn = fn

    def on_epoch_end(self, trainer: Trainer, info: EpochInfo) -> None:
        self.model.generator_ = trainer.sampling_generator()
        self.fn(info)


class TabGAN(BaseEstimator):
    """Conditional tabular GAN (CTGAN-style) with a reversible mixed-type encoder.

    Parameters
    ----------
    epochs : int or "auto"
        ``"auto"`` (the default): hold out 10% of the rows (at most 1,000; none on tables
        under 1,000 rows), score the generator on them every 5 epochs with a cheap fidelity
        measure (:mod:`tabgan.autofit`), keep the best-scoring weights and stop when the score
        has not improved for 30 epochs and 1,500 steps, after at least 20 epochs and 3,000 steps
        and at most 300 epochs (an epoch is ``steps_per_epoch_`` steps, at least 20). The held-out
        rows are never trained on (the best epoch is chosen on rows the GAN has not seen; no
        refit). On tables too small to hold rows out, ``"auto"`` trains the 300 epochs. An
        integer trains exactly that many epochs, on all rows, as before. After fitting,
        ``epochs_`` is the number trained, ``stop_reason_`` says why training ended,
        ``best_epoch_`` is the epoch whose weights are kept and ``validation_`` is the
        ``(epoch, score)`` curve (empty without validation).
    batch_size : int or "auto"
        Rows per training step; must be a multiple of ``pac``. ``"auto"``: 500, or about a
        quarter of the table (a multiple of ``pac``) for tables under 2,000 rows. The size
        used is ``batch_size_`` after fitting.
    noise_dim : int
        Size of the generator's noise input.
    generator_dims, discriminator_dims : sequence of int or "auto"
        Hidden layer widths (residual blocks in the generator, PacGAN critic layers).
        ``"auto"``: ``(128, 128)`` on tables under 2,000 rows, where a fit is a fixed number
        of steps and narrow networks make each about twice as cheap at the same quality,
        else ``(256, 256)``. The widths used are ``generator_dims_`` and
        ``discriminator_dims_`` after fitting.
    generator_lr, discriminator_lr : float
        Adam learning rates.
    discriminator_steps : int
        Critic updates per generator update.
    pac : int
        Rows the critic judges together (PacGAN). 1, the default: the critic scores each row
        with its condition on its own. Packs of 10 (CTGAN's default, and tabgan's before
        2026-12-08) guard against mode collapse, but a packed critic has separate weights for
        each of the pack's slots, so it learns how columns relate within a row from a tenth
        of the rows per slot: on tables of a few hundred rows the rows kept how the target
        differs between groups clearly less well (benchmarks/README.md, "One row per critic
        input"). The value used is ``pac_`` after fitting (1 under differential privacy).
    log_frequency : bool
        Sample training conditions by log-frequency so rare categories are learned too.
    max_modes : int
        Most mixture components per numeric column (mode-specific normalisation).
    max_categories : int
        Most categories kept per discrete column; rarer values share one bucket.
    ema_decay : float
        If > 0, sample from an exponential moving average of the generator's weights, which
        smooths the epoch-to-epoch wobble of GAN training (0 turns it off).
    min_steps_per_epoch : int
        An epoch is ``rows // batch_size`` training steps, but at least this many, so that
        small tables still get enough optimiser steps (300 epochs of a 300-row table would
        otherwise be about 1,200 steps; on such tables 6,000 steps gave clearly better rows,
        see benchmarks/results). The steps used are ``steps_per_epoch_`` after fitting.
    refine : bool
        After training, fit a small real-vs-synthetic classifier and, when sampling, keep each
        generated row with probability ``min(1, w / c)``, ``w`` being the classifier's odds
        that the row is real (discriminator rejection sampling; :mod:`tabgan.refine`). It
        corrects what the generator over- or under-produces: on Adult it raised
        train-on-synthetic macro-F1 and cut the marginal and pairwise errors (see
        benchmarks/results). It costs a few seconds of fitting and about 3x the sampling time
        on a well-trained model (more on a briefly trained one, which keeps fewer rows).
        Tables under 100 rows, or where the classifier's held-out gain over chance is within
        noise, get no filter (``refiner_`` is None).
    calibrate : bool
        After training, map each numeric column's generated values onto the real column's
        quantiles with a monotone map learned from the generator's own rows
        (:mod:`tabgan.calibrate`): the marginals match the real ones while every row keeps its
        rank in each column, so the dependencies the generator learned stay. Point masses and
        missing values keep their generated shares. Not under differential privacy.
    detect_rules : bool
        Find the table's own rules at fit (functional dependencies between a discrete column
        and another column with enough rows behind them, such as ``education ->
        education-num`` or ``relationship=Husband -> sex=Male``) and keep them in every
        generated row; ``encoder_.rules_`` lists them (docs/logic.md).
    constraints : sequence of str or tabgan.constraints.Constraint, optional
        Rules you declare, kept by every generated row of every kind of draw: ``"checkin <=
        checkout"``, ``"checkout >= checkin + 1"``, ``"0 <= discount <= 1"``, ``"fixed(city,
        country)"``, ``"total = price + tax"`` (docs/logic.md). A training table that breaks
        one fails at fit, saying how many rows break it and showing one.
    epsilon : float or None
        Train with (epsilon, delta)-differential privacy, end to end: the columns' ranges,
        mixtures and category lists come from noisy statistics (a tenth of epsilon), the
        critic trains by DP-SGD (per-row clipping and Gaussian noise, the generator sees only
        the critic) and training stops before the budget would be exceeded. Needs the
        optional ``tabgan[privacy]`` (Opacus's accountant). Under DP the critic judges rows one
        at a time (``pac`` is 1), training runs in float32, there is no refinement filter (it
        would learn from the real rows outside the budget), and a seed should stay secret (a
        known seed makes the noise reproducible). See docs/privacy.md. ``None``: no DP.
    delta : float or None
        The delta of the guarantee; default ``min(1e-5, 1 / (10 rows))``, and it must be
        below ``1 / rows``. Only with ``epsilon``.
    protect_rare : int or None
        Categories seen fewer than this many times are never stored in the model file nor
        produced (they become one "other" value). With ``epsilon`` the default is 5; without
        it, off: a rare category is then learned like any other, which an analyst usually
        wants and which, without DP, protects against one leak (verbatim rare values) only.
    sample_precision : {"auto", "float32", "bfloat16"}
        Precision of the generator's (and the refiner's classifier's) matrix products while
        sampling (see ``train_precision`` for training). ``"auto"`` takes bfloat16 on a CPU that
        multiplies it natively (AVX512-BF16 or AMX), where unrefined sampling of 1M Adult rows
        took 3.7 s instead of 5.3 s, and float32 elsewhere. The rounding moves generated numbers
        slightly; on Adult the rows' train-on-synthetic, marginal and pairwise
        scores were unchanged within sampling noise (benchmarks/results/precision-*.md).
    train_precision : {"auto", "float32", "bfloat16"}
        Precision of the GAN's matrix products while training (torch autocast): weights,
        optimiser state, batch-norm statistics and losses stay float32. ``"auto"`` takes
        bfloat16 on a CPU that multiplies it natively (AVX512-BF16 or AMX) and float32
        elsewhere, GPUs included. On Adult a 20-epoch fit's training step took 19.9 ms, 0.59x
        a plain float32 step's (benchmarks/results/speed-adult-trainbf16-*.md), and over 6 seeds
        of 300 epochs bfloat16 training scored train-on-synthetic macro-F1 0.7718 ± 0.0036
        against float32's 0.7707 ± 0.0034 (benchmarks/results/trainprecision-adult-*.md).
    seed : int or None
        Makes fitting and sampling reproducible on the CPU (for one ``train_precision``,
        ``sample_precision`` and CPU kind). With a seed, draws that give none of their own
        follow a seeded sequence, as a seeded ``numpy.random.Generator`` would: the first
        ``sample(n)`` after ``fit`` or ``load`` gives the same rows every time, the next call
        other rows, the same ones every time, and so on. Without a seed, draws are fresh.
    device : {"auto", "cpu", "cuda"}
        Where to train; ``"auto"`` picks CUDA when available.
    verbose : bool
        Show a progress bar on stderr while fitting.
    max_time : float, str or None
        Wall-time budget of ``fit`` in seconds (or ``"90s"``, ``"2m"``, ``"1h"``): training
        ends when the next epoch would overrun it, keeping the best weights so far (with
        ``epochs="auto"``) or the last ones. The post-training filter (``refine``) adds its
        few seconds after the budget.

    Examples
    --------
    >>> model = TabGAN(max_time="2m").fit(df)  # doctest: +SKIP
    >>> synthetic = model.sample(10_000)  # doctest: +SKIP
    """

    def __init__(
        self,
        epochs: int | str = "auto",
        batch_size: int | str = "auto",
        *,
        noise_dim: int = 128,
        generator_dims: Sequence[int] | str = "auto",
        discriminator_dims: Sequence[int] | str = "auto",
        generator_lr: float = 2e-4,
        discriminator_lr: float = 2e-4,
        discriminator_steps: int = 1,
        pac: int = 1,
        log_frequency: bool = True,
        max_modes: int = 10,
        max_categories: int = 500,
        ema_decay: float = 0.999,
        min_steps_per_epoch: int = 20,
        refine: bool = True,
        calibrate: bool = True,
        detect_rules: bool = True,
        constraints: Sequence[Any] | None = None,
        epsilon: float | None = None,
        delta: float | None = None,
        protect_rare: int | None = None,
        sample_precision: str = "auto",
        train_precision: str = "auto",
        seed: int | None = None,
        device: str = "auto",
        verbose: bool = False,
        max_time: float | str | None = None,
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.noise_dim = noise_dim
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.generator_lr = generator_lr
        self.discriminator_lr = discriminator_lr
        self.discriminator_steps = discriminator_steps
        self.pac = pac
        self.log_frequency = log_frequency
        self.max_modes = max_modes
        self.max_categories = max_categories
        self.ema_decay = ema_decay
        self.min_steps_per_epoch = min_steps_per_epoch
        self.refine = refine
        self.calibrate = calibrate
        self.detect_rules = detect_rules
        self.constraints = constraints
        self.epsilon = epsilon
        self.delta = delta
        self.protect_rare = protect_rare
        self.sample_precision = sample_precision
        self.train_precision = train_precision
        self.seed = seed
        self.device = device
        self.verbose = verbose
        self.max_time = max_time

    # ------------------------------------------------------------------ fitting
    def _train_config(self, n_rows: int, device: torch.device) -> TrainConfig:
        if isinstance(self.epochs, str) and not self._auto():
            raise InvalidParameterError(
                f"epochs must be 'auto' or a positive integer, got {self.epochs!r}"
            )
        pac = critic_pac(positive_int("pac", self.pac), private=self.epsilon is not None)
        if isinstance(self.batch_size, str) and self.batch_size == "auto":
            batch = auto_batch_size(n_rows, pac)
        else:
            batch = positive_int("batch_size", self.batch_size)
        if batch < 2:
            raise InvalidParameterError(
                f"batch_size must be at least 2, got {batch}: the generator's batch norm needs "
                "several rows per step"
            )
        if batch % pac:
            raise InvalidParameterError(
                f"batch_size ({batch}) must be a multiple of pac ({pac}); "
                f"try {max(pac, batch - batch % pac)}"
            )
        positive_int("max_modes", self.max_modes)
        positive_int("max_categories", self.max_categories)
        precision_dtype(self.sample_precision, torch.device("cpu"))  # a bad value fails here
        return TrainConfig(
            dtype=(
                torch.float32  # per-row gradients (vmap) under DP run in float32
                if self.epsilon is not None
                else precision_dtype(self.train_precision, device, "train_precision")
            ),
            epochs=autofit.AUTO_MAX_EPOCHS if self._auto() else positive_int("epochs", self.epochs),
            batch_size=batch,
            pac=pac,
            noise_dim=positive_int("noise_dim", self.noise_dim),
            generator_lr=positive_float("generator_lr", self.generator_lr),
            discriminator_lr=positive_float("discriminator_lr", self.discriminator_lr),
            discriminator_steps=positive_int("discriminator_steps", self.discriminator_steps),
            ema_decay=unit_interval("ema_decay", self.ema_decay),
            min_steps=positive_int("min_steps_per_epoch", self.min_steps_per_epoch),
        )

    def _network_dims(self, n_rows: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The generator's and the critic's hidden widths for a table of ``n_rows`` rows."""
        out = []
        for name in ("generator_dims", "discriminator_dims"):
            dims = getattr(self, name)
            if isinstance(dims, str) and dims == "auto":
                out.append(auto_network_dims(n_rows))
                continue
            if isinstance(dims, (str, bytes)) or not isinstance(dims, Sequence):
                raise InvalidParameterError(
                    f"{name} must be 'auto' or a sequence of positive integers"
                )
            out.append(tuple(positive_int(name, d) for d in dims))
        return out[0], out[1]

    def _auto(self) -> bool:
        return isinstance(self.epochs, str) and self.epochs == "auto"

    def fit(
        self,
        data: pd.DataFrame,
        y: None = None,
        *,
        discrete_columns: Sequence[str] | None = None,
        callback: Callable[[EpochInfo], None] | None = None,
        checkpoint: str | os.PathLike | None = None,
        checkpoint_every: int = 0,
        resume: bool = False,
    ) -> TabGAN:
        """Learn the table.

        Parameters
        ----------
        data : pandas.DataFrame or 2-D array
            The training table (mixed column types and missing values are fine).
        y : None
            Ignored (scikit-learn's signature); put a target column in ``data`` to learn it.
        discrete_columns : sequence of str, optional
            Columns to treat as categorical whatever their dtype. A text column named here has
            every value learned, even an ID-like one (:func:`tabgan.encoding.schema.id_like`),
            whose values seen once are otherwise drawn from the training rows.
        callback : callable, optional
            Called with an :class:`~tabgan.gan.EpochInfo` after every epoch.
        checkpoint : path, optional
            Checkpoint file: written every ``checkpoint_every`` epochs (atomically), and read
            when ``resume`` is true.
        checkpoint_every : int
            Epochs between checkpoints (0: none).
        resume : bool
            Continue the run saved in ``checkpoint`` (same table and parameters; ``epochs`` may
            be raised). On the CPU a resumed run ends exactly where an uninterrupted one would.

        Returns
        -------
        TabGAN
            ``self``, fitted.
        """
        started = time.perf_counter()
        df = as_frame(data)
        plan = self._plan(df, checkpoint, checkpoint_every, resume)
        table_id = fingerprint(df)
        saved = (
            modelfile.read_checkpoint(self, checkpoint, table_id, plan.config.epochs)
            if resume
            else None
        )
        encoder = self._fit_encoder(df, discrete_columns, plan, saved)
        # declared constraints: checked against the schema and the training rows before training
        self.constraints_ = ConstraintSet(self.constraints or ()).fit(df, encoder.schema_)
        self.encoder_seconds_ = time.perf_counter() - started
        rows = distributed.local_rows(len(df))  # under torchrun each rank trains on a shard
        held = self._holdout(df, plan, saved, rows is not None)
        # by position: a table's index may repeat labels
        train_df = df if held is None else df.iloc[np.setdiff1d(np.arange(len(df)), held)]
        real = train_df if rows is None else train_df.iloc[rows]
        matrix = encoder.transform(real, rng=np.random.default_rng(plan.transform_ss))
        # torch's global stream (weight init, dropout) is seeded inside a fork undone on exit
        with forked_torch_rng(torch_seed(plan.torch_ss), plan.device):
            trainer = self._build(encoder, matrix, plan, saved)
            self._set_fitted(df, data, encoder, trainer, plan)
            valid = None if held is None else df.iloc[held]
            history = self._train(trainer, plan, callback, table_id, started, valid, held, saved)
        differential = plan.private is not None and plan.private.differential
        # neither under DP: both would learn from the real rows outside the budget
        if self.calibrate and not differential:
            self._calibrate(real, plan)
        refine = self.refine and not differential
        self.refiner_ = self._fit_refiner(real, matrix, plan) if refine else None
        self.privacy_ = (
            None if plan.private is None else plan.private.record(trainer.privacy_spent())
        )
        self.history_ = distributed.average_history(
            [(h.generator_loss, h.discriminator_loss) for h in history]
        )
        distributed.finish()  # the last collective: release the process group on every rank
        self.sample_seeds_ = None if self.seed is None else _sample_seeds(self.seed)
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _plan(self, df: pd.DataFrame, checkpoint: Any, every: Any, resume: bool) -> _FitPlan:
        """Validate the parameters and fit options; join the process group under torchrun."""
        device = resolve_device(self.device)
        config = self._train_config(len(df), device)
        generator_dims, discriminator_dims = self._network_dims(len(df))  # bad widths fail here
        every = int(every or 0)
        if every < 0 or ((every or resume) and checkpoint is None):
            raise InvalidParameterError(
                "checkpoint_every must be >= 0, and checkpointing or resuming needs a "
                "checkpoint path"
            )
        max_time = autofit.parse_duration(self.max_time)
        ss = seed_sequence(self.seed)
        private = None
        if any(v is not None for v in (self.epsilon, self.delta, self.protect_rare)):
            from tabgan.privacy.estimator import PrivateFit

            private = PrivateFit.from_params(self.epsilon, self.delta, self.protect_rare, len(df))
            if private.differential and distributed.env_context().active:
                raise InvalidParameterError(
                    "differentially private training runs in one process; run it without torchrun"
                )
            if private.differential and resume:
                raise InvalidParameterError(
                    "a private fit cannot be resumed yet (its noisy preprocessing would be "
                    "released twice); start a new fit"
                )
        # one GPU per LOCAL_RANK under torchrun (tabgan.gan.distributed)
        _, device = distributed.setup(device)
        # the fifth child is new: the first four stay the streams of earlier versions' fits
        streams = ss.spawn(5)
        return _FitPlan(
            config,
            device,
            *streams[:4],
            checkpoint,
            every,
            streams[4],
            self._auto(),
            max_time,
            private,
            generator_dims,
            discriminator_dims,
        )

    def _holdout(
        self, df: pd.DataFrame, plan: _FitPlan, saved: Any, sharded: bool
    ) -> np.ndarray | None:
        """The rows held out for validation with ``epochs="auto"`` (None: no validation, on
        tables under 1,000 rows, under torchrun and under differential privacy). A resumed fit
        holds out the same rows."""
        if not plan.auto or sharded:
            return None
        if plan.private is not None and plan.private.differential:
            return None  # choosing weights on real rows would spend outside the DP budget
        if saved is not None and saved[0].get("autofit", {}).get("holdout") is not None:
            held = np.asarray(saved[0]["autofit"]["holdout"], dtype=np.int64)
        else:
            held = autofit.holdout_rows(len(df), autofit.child_seed(plan.validation_ss, 0))
        return held if len(held) else None

    def _fit_encoder(
        self, df: pd.DataFrame, discrete_columns: Any, plan: _FitPlan, saved: Any
    ) -> TableEncoder:
        """The encoder: from the checkpoint when resuming, else fitted (under torchrun once,
        on rank 0, and every rank rebuilds its exact state)."""
        if saved is not None:
            return TableEncoder.from_dict(saved[0]["encoder"])
        if isinstance(discrete_columns, str):
            discrete_columns = [discrete_columns]
        encoder = TableEncoder(
            max_modes=self.max_modes,
            max_categories=self.max_categories,
            seed=int_seed(plan.encoder_ss),
            detect_rules=self.detect_rules,
        )
        hook = None if plan.private is None else plan.private.hook
        if distributed.context().active:
            state = distributed.main_then_share(
                lambda: encoder.fit(df, discrete_columns=discrete_columns, privacy=hook).to_dict()
            )
            return TableEncoder.from_dict(state)
        return encoder.fit(df, discrete_columns=discrete_columns, privacy=hook)

    def _build(
        self, encoder: TableEncoder, matrix: np.ndarray, plan: _FitPlan, saved: Any
    ) -> Trainer:
        """The networks and their trainer on the device (restored from a checkpoint when
        resuming). Runs inside the fit's fork of torch's global stream."""
        config, device = plan.config, plan.device
        layout = TorchLayout(encoder.spans, device)
        data = torch.as_tensor(matrix, dtype=torch.float32, device=device)
        private = plan.private
        counts = None if private is None else private.condition_counts(encoder)
        if counts is not None:  # under DP: the noisy counts already released
            counts = torch.as_tensor(counts, dtype=torch.float64, device=device)
        sampler = ConditionalSampler.from_data(data, layout, self.log_frequency, counts=counts)
        # conditions by the whole table's category counts, not the shard's (no-op on one rank)
        distributed.use_global_counts(sampler, bool(self.log_frequency))
        if config.privacy is None and config.dtype != torch.float32:
            width = layout.output_dim + layout.cond_dim
            dtype = train_dtype(self.train_precision, device, config.batch_size, width)
            config = dataclasses.replace(config, dtype=dtype)
        if private is not None and private.differential:
            steps = max(1, config.min_steps, len(matrix) // config.batch_size)
            planned = config.epochs * steps * config.discriminator_steps
            dp_plan = private.training_plan(len(matrix), config.batch_size, config.pac, planned)
            config = dataclasses.replace(config, privacy=dp_plan)
        seed = torch_seed(plan.torch_ss)
        generator = Generator(
            config.noise_dim, layout.cond_dim, plan.generator_dims, layout.output_dim
        ).to(device)
        discriminator = Discriminator(
            layout.output_dim + layout.cond_dim, plan.discriminator_dims, config.pac
        ).to(device)
        rng = torch.Generator(device=device)
        rng.manual_seed(seed)
        grad_sync = distributed.start_networks(seed, rng, generator, discriminator)
        trainer = Trainer(data, layout, sampler, generator, discriminator, config, rng, grad_sync)
        if saved is not None:
            modelfile.restore_trainer(trainer, saved, plan.checkpoint)
            distributed.reseed(seed + trainer.epoch, rng)
        return trainer

    def _set_fitted(
        self, df: pd.DataFrame, data: Any, encoder: TableEncoder, trainer: Trainer, plan: _FitPlan
    ) -> None:
        """Fitted state, in place before training so an epoch callback can sample."""
        self.encoder_ = encoder
        self.generator_ = trainer.generator
        self.refiner_ = None  # a refit's mid-training samples must not use the old filter
        self.condition_counts_ = trainer.sampler.counts.to("cpu", torch.float64)
        self.device_ = plan.device
        self.n_rows_ = len(df)
        self.batch_size_ = plan.config.batch_size
        self.pac_ = plan.config.pac
        self.generator_dims_ = list(plan.generator_dims)
        self.discriminator_dims_ = list(plan.discriminator_dims)
        self.steps_per_epoch_ = trainer.steps_per_epoch
        self.columns_ = list(df.columns)
        self.n_features_in_ = len(df.columns)
        if isinstance(data, pd.DataFrame):
            self.feature_names_in_ = np.asarray(self.columns_, dtype=object)
        self.refresh_runtime()

    def _train(
        self,
        trainer: Trainer,
        plan: _FitPlan,
        callback: Any,
        table_id: str,
        started: float,
        valid: pd.DataFrame | None,
        held: np.ndarray | None,
        saved: Any,
    ) -> list[EpochInfo]:
        """Run the training loop with the fit's callbacks (time budget, validation and early
        stopping, checkpoints, the user's, progress); afterwards ``generator_`` is the
        generator to sample from and the stop fields are set."""
        self.validation_ = []
        self.validation_seconds_ = 0.0
        self.best_epoch_ = None
        self.epochs_ = trainer.epoch
        self.stop_reason_ = "nothing to learn (only constant or empty columns)"
        if trainer.layout.output_dim == 0:
            self.generator_.eval()
            return []  # only constant / empty columns: nothing to learn, the encoder decodes them
        callbacks: list[Callback] = []
        if plan.max_time is not None:
            callbacks.append(autofit.TimeBudget(plan.max_time, started))
        early = None
        if valid is not None:
            base = self.sampling_context()
            min_epochs, patience = autofit.schedule(trainer.steps_per_epoch)
            early = autofit.EarlyStopping(
                autofit.ValidationScorer(self.encoder_, valid),
                lambda g: dataclasses.replace(base, generator=g),
                autofit.child_seed(plan.validation_ss, 1),
                every=autofit.AUTO_EVERY,
                patience=patience,
                min_epochs=min_epochs,
            )
            if saved is not None and "autofit" in saved[0]:
                early.load_state(saved[0]["autofit"], modelfile.autofit_tensors(saved[1]))
            callbacks.append(early)
        if plan.checkpoint_every and distributed.is_main():  # only rank 0 writes
            header = modelfile.checkpoint_header(self, table_id, self.encoder_)
            extra = None
            if early is not None:
                holdout = [int(i) for i in held]

                def extra() -> tuple[dict, dict]:
                    meta, tensors = early.state()
                    return {**meta, "holdout": holdout}, tensors

            callbacks.append(
                modelfile.Checkpoint(plan.checkpoint, plan.checkpoint_every, header, extra)
            )
        if callback is not None:
            callbacks.append(_LiveGenerator(self, callback))
        if self.verbose:
            from tabgan.progress import ProgressCallback

            callbacks.append(ProgressCallback(plan.config.epochs, early=early))
        try:
            history = trainer.fit(callbacks)
        finally:
            trainer.generator.eval()
        # batch-norm statistics came from each rank's own batches: average them
        distributed.average_buffers(trainer.generator)
        self.generator_ = trainer.sampling_generator()
        self.epochs_ = trainer.epoch
        if early is not None:
            self.validation_ = list(early.curve)
            self.best_epoch_ = early.best_epoch
            self.validation_seconds_ = early.seconds
        if trainer.stop_reason is not None:
            self.stop_reason_ = trainer.stop_reason
        elif plan.auto and early is None:
            if plan.private is not None and plan.private.differential:
                why = "under differential privacy (choosing weights would read real rows)"
            elif distributed.context().active:
                why = "under torchrun"
            else:
                why = "on a table under 1,000 rows"
            self.stop_reason_ = f"epoch cap ({trainer.epoch}); no validation {why}"
        elif plan.auto:
            self.stop_reason_ = f"epoch cap ({trainer.epoch}) reached while still improving"
        else:
            self.stop_reason_ = f"epochs={trainer.epoch} done"
        return history

    def _calibrate(self, real: pd.DataFrame, plan: _FitPlan) -> list[str]:
        """Map each numeric column's generated values onto the real quantiles
        (:mod:`tabgan.calibrate`); returns the columns calibrated."""
        from tabgan.calibrate import fit_calibration

        if not distributed.is_main() or self.layout_.output_dim == 0:
            return []
        return fit_calibration(self.encoder_, real, self._calibration_draw(len(real), plan))

    def _calibration_draw(self, n_real: int, plan: _FitPlan) -> Any:
        """The generated rows the calibration is fitted on (seeded from the fit's plan)."""
        from tabgan.calibrate import calibration_rows

        rng = torch.Generator(device=self.device_)
        # a stream of its own, apart from the three the refiner's seeds come from
        rng.manual_seed(torch_seed(autofit.child_seed(plan.refine_ss, 3)))
        return self._generate(calibration_rows(n_real), rng)

    def _fit_refiner(self, real: pd.DataFrame, matrix: np.ndarray, plan: _FitPlan) -> Any:
        """The real-vs-synthetic classifier behind :mod:`tabgan.refine` (``None``: no filter)."""
        from tabgan.refine import MAX_ROWS, fit_refiner

        if not distributed.is_main() or self.layout_.output_dim == 0:
            return None
        gen_ss, _, fit_ss = plan.refine_ss.spawn(
            3
        )  # three, so the seeds stay those of earlier fits
        rng = torch.Generator(device=self.device_)
        rng.manual_seed(torch_seed(gen_ss))
        n = min(len(real), MAX_ROWS)
        fake = self._generate(n, rng)
        return fit_refiner(self.encoder_, real, matrix, fake, torch_seed(fit_ss), self.device_)

    def refresh_runtime(self) -> None:
        """Rebuild the objects sampling derives from the fitted state (after fit or load)."""
        self.layout_ = TorchLayout(self.encoder_.spans, self.device_)
        self.sampler_ = ConditionalSampler(
            self.layout_, self.condition_counts_, bool(self.log_frequency)
        )

    # ------------------------------------------------------------------ sampling
    def sampling_context(self) -> SamplingContext:
        """The fitted parts a draw needs (see :mod:`tabgan.sampling`)."""
        self._check_fitted()
        return SamplingContext(
            encoder=self.encoder_,
            layout=self.layout_,
            condition_sampler=self.sampler_,
            generator=self.generator_,
            refiner=getattr(self, "refiner_", None),
            device=self.device_,
            dtype=self.sample_dtype(),
            constraints=getattr(self, "constraints_", None),
        )

    def sample(
        self, n: int, seed: int | None = None, conditions: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """Generate ``n`` synthetic rows.

        Parameters
        ----------
        n : int
            Number of rows.
        seed : int, optional
            Makes the draw reproducible on the CPU, whatever the number of torch threads.
            Without it, the estimator's ``seed`` (if any) gives the next draw of its seeded
            sequence (see :meth:`draw_seed`).
        conditions : dict, optional
            ``{column: value}`` that every returned row must satisfy (see
            :mod:`tabgan.sampling.conditions`); exactly ``n`` rows come back or a
            :class:`~tabgan.errors.ConditionError` says which condition could not be met.

        Returns
        -------
        pandas.DataFrame
            Same columns, order and dtypes as the training table.
        """
        self._check_fitted()
        n = positive_int("n", n)
        if conditions:
            return sample_conditional(self, n, conditions, seed=self.draw_seed(seed))
        return pd.concat(list(self.iter_samples(n, seed=seed)), ignore_index=True)

    def draw_seed(self, seed: int | np.random.SeedSequence | None = None) -> np.random.SeedSequence:
        """The seed of a draw: ``seed`` itself when given; else, for an estimator with a
        ``seed``, the next of the seeded sequence started by the last ``fit`` or ``load``;
        else fresh entropy. Every sampling method calls it once per draw."""
        self._check_fitted()
        if seed is not None or self.seed is None:
            return seed_sequence(seed)
        if getattr(self, "sample_seeds_", None) is None:
            self.sample_seeds_ = _sample_seeds(self.seed)
        return self.sample_seeds_.spawn(1)[0]

    def iter_samples(
        self,
        n: int,
        seed: int | np.random.SeedSequence | None = None,
        chunk: int = SAMPLE_CHUNK,
    ) -> Iterator[pd.DataFrame]:
        """Yield synthetic rows as DataFrames of at most ``chunk`` rows (bounded memory).

        Rows are made in units of at most ``chunk`` rows, each from its own seed, on parallel
        lanes on the CPU (:mod:`tabgan.sampling`), so a seed gives the same rows whatever the
        thread count.
        """
        self._check_fitted()
        positive_int("n", n)  # a bad n must not advance the seeded sequence
        positive_int("chunk", chunk)
        return iter_samples(self, n, self.draw_seed(seed), chunk)

    def sample_dtype(self) -> torch.dtype:
        """The dtype ``sample_precision`` resolves to on the fitted device."""
        self._check_fitted()
        return precision_dtype(self.sample_precision, self.device_)

    def _generate(
        self, n: int, rng: torch.Generator, condition: tuple[int, int] | None = None
    ) -> Draw:
        """``n`` generated rows in span form (see :meth:`SamplingContext.generate`)."""
        ctx = self.sampling_context()
        with ctx.eval_mode():
            return ctx.generate(n, rng, condition)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike = "model.tabgan") -> None:
        """Write the fitted model to one file, atomically (see :mod:`tabgan.modelfile`)."""
        self._check_fitted()
        modelfile.save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike = "model.tabgan", device: str = "auto") -> TabGAN:
        """Read a model written by :meth:`save`; never executes anything from the file."""
        return modelfile.load(cls, path, device)

    def _check_fitted(self) -> None:
        if not hasattr(self, "generator_"):
            raise NotFittedError(
                "this TabGAN is not fitted yet; call fit(data) or TabGAN.load(path) first"
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # missing values are data, learned at their rate
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.requires_fit = True
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "generator_")


__all__ = [
    "MIN_ROWS",
    "NotFittedError",
    "TabGAN",
    "auto_batch_size",
    "auto_network_dims",
    "precision_dtype",
    "resolve_device",
]
