"""TabGAN: the scikit-learn style face of the library (fit / sample / save / load)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator

from tabgan import __version__, sampling
from tabgan.encoding import Draw, TableEncoder
from tabgan.errors import (
    InvalidDataError,
    InvalidParameterError,
    ModelFileError,
    NotFittedError,
)
from tabgan.gan import (
    ConditionalSampler,
    Discriminator,
    EpochInfo,
    Generator,
    TorchLayout,
    TrainConfig,
    Trainer,
    distributed,
)
from tabgan.persist import load_model, prefixed, save_model

MIN_ROWS = 10
FORMAT_VERSION = 1
SAMPLE_CHUNK = 50_000


def resolve_device(device: str) -> torch.device:
    """Turn ``"auto" | "cpu" | "cuda" | "cuda:N"`` into a usable torch device."""
    if not isinstance(device, str):
        raise InvalidParameterError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")
    name = device.strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or name.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise InvalidParameterError(
                f"device={device!r} but CUDA is not available here; use --device cpu or auto"
            )
        try:
            dev = torch.device(name)
        except RuntimeError as exc:
            raise InvalidParameterError(f"invalid device {device!r}") from exc
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise InvalidParameterError(f"device={device!r}: no such GPU")
        return dev
    raise InvalidParameterError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")


PRECISIONS = {"float32": torch.float32, "bfloat16": torch.bfloat16}


def _native_cpu_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX). torch's checks are
    private helpers: if a torch lacks them, the answer is no (float32, always correct)."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def precision_dtype(
    precision: str, device: torch.device, name: str = "sample_precision"
) -> torch.dtype:
    """The dtype a precision parameter (``sample_precision``, or another ``name`` for the error
    message, e.g. ``train_precision``) asks for on ``device`` (see :class:`TabGAN`)."""
    if precision == "auto":
        return torch.bfloat16 if device.type == "cpu" and _native_cpu_bf16() else torch.float32
    if precision not in PRECISIONS:
        raise InvalidParameterError(
            f"{name} must be 'auto', 'float32' or 'bfloat16', got {precision!r}"
        )
    return PRECISIONS[precision]


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise InvalidParameterError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _positive_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidParameterError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _unit_interval(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise InvalidParameterError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def auto_batch_size(n_rows: int, pac: int = 10, cap: int = 500) -> int:
    """``batch_size="auto"``: ``cap`` rows per step on tables of at least ``4 * cap`` rows;
    on smaller tables about four steps per epoch (a multiple of ``pac``), so that 300 epochs
    of a few hundred rows are still over a thousand steps rather than 300 of one padded batch."""
    return int(min(cap, max(pac, (n_rows // 4) // pac * pac)))


def _seed_state(seed: int | None) -> np.random.SeedSequence:
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise InvalidParameterError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.SeedSequence(seed)


def _torch_seed(ss: np.random.SeedSequence) -> int:
    return int(ss.generate_state(1, dtype=np.uint64)[0] & 0x7FFF_FFFF_FFFF_FFFF)


def _as_frame(data: Any) -> pd.DataFrame:
    if (
        hasattr(data, "tocsr")
        or hasattr(data, "sparse_format")
        or type(data).__module__.startswith("scipy.sparse")
    ):
        raise InvalidDataError(
            "sparse input is not supported; pass a dense DataFrame or array (e.g. X.toarray())"
        )
    if isinstance(data, np.ndarray) and np.iscomplexobj(data):
        raise InvalidDataError("Complex data not supported; pass real-valued columns")
    if isinstance(data, pd.DataFrame):
        df = data
    elif isinstance(data, (np.ndarray, list)):
        arr = np.asarray(data, dtype=object) if isinstance(data, list) else data
        if arr.ndim != 2:
            raise InvalidDataError(f"data must be a 2-D table, got an array of shape {arr.shape}")
        df = pd.DataFrame(arr, columns=[str(i) for i in range(arr.shape[1])])
        df = df.infer_objects()
    else:
        raise InvalidDataError(
            f"data must be a pandas DataFrame or a 2-D array, got {type(data).__name__}"
        )
    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise InvalidDataError(f"duplicate column names {dupes}; give every column a unique name")
    if df.shape[1] == 0:
        raise InvalidDataError("the table has no columns")
    if len(df) < MIN_ROWS:
        raise InvalidDataError(
            f"the table has {len(df)} rows; tabgan needs at least {MIN_ROWS} rows to learn from"
        )
    if list(df.columns) != names:
        df = df.set_axis(names, axis=1)
    return df.reset_index(drop=True)


def _fingerprint(df: pd.DataFrame) -> str:
    """Identifies a table's content, to refuse resuming a checkpoint on other data."""
    hashed = pd.util.hash_pandas_object(df, index=False).to_numpy()
    return f"{len(df)}:{len(df.columns)}:{int(hashed.sum(dtype=np.uint64))}"


@contextlib.contextmanager
def _forked_torch_rng(seed: int, device: torch.device):
    """Seed torch's global RNG (dropout, weight init) inside a fork that is undone on exit,
    so the user's own global random state is never changed."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _checked_generator_args(args: Any, state: dict[str, torch.Tensor], model: Any) -> dict:
    """The generator's constructor arguments from a model file, checked before anything is
    built: plain positive integers, consistent with the stored weights (so a tampered header
    cannot make the loader allocate gigabytes) and with the encoder (so sampling cannot fail
    later on a width mismatch). Raises ValueError, which the loader reports as corrupt."""
    if not isinstance(args, dict) or set(args) != {"noise_dim", "cond_dim", "hidden", "output_dim"}:
        raise ValueError("bad generator arguments")
    hidden = args["hidden"]
    sizes = [args["noise_dim"], args["cond_dim"], args["output_dim"]]
    if not isinstance(hidden, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in [*sizes, *hidden]
    ):
        raise ValueError("generator sizes must be non-negative integers")
    shapes = Generator.parameter_shapes(**args)
    stored = {k: tuple(v.shape) for k, v in state.items()}
    if stored != shapes:
        raise ValueError("generator sizes do not match the stored weights")
    cond_dim = sum(s.width for s in model.encoder_.spans if s.conditional)
    if args["output_dim"] != model.encoder_.output_dim or args["cond_dim"] != cond_dim:
        raise ValueError("the encoder does not match the generator")
    return args


class TabGAN(BaseEstimator):
    """Conditional tabular GAN (CTGAN-style) with a reversible mixed-type encoder.

    Parameters
    ----------
    epochs : int
        Passes over the training table.
    batch_size : int or "auto"
        Rows per training step; must be a multiple of ``pac``. ``"auto"``: 500, or about a
        quarter of the table (a multiple of ``pac``) for tables under 2,000 rows. The size
        used is ``batch_size_`` after fitting.
    noise_dim : int
        Size of the generator's noise input.
    generator_dims, discriminator_dims : sequence of int
        Hidden layer widths (residual blocks in the generator, PacGAN critic layers).
    generator_lr, discriminator_lr : float
        Adam learning rates.
    discriminator_steps : int
        Critic updates per generator update.
    pac : int
        Rows the critic judges together (PacGAN), against mode collapse.
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
        ``sample_precision`` and CPU kind).
    device : {"auto", "cpu", "cuda"}
        Where to train; ``"auto"`` picks CUDA when available.
    verbose : bool
        Show a progress bar on stderr while fitting.

    Examples
    --------
    >>> model = TabGAN(epochs=300).fit(df)  # doctest: +SKIP
    >>> synthetic = model.sample(10_000)  # doctest: +SKIP
    """

    def __init__(
        self,
        epochs: int = 300,
        batch_size: int | str = "auto",
        *,
        noise_dim: int = 128,
        generator_dims: Sequence[int] = (256, 256),
        discriminator_dims: Sequence[int] = (256, 256),
        generator_lr: float = 2e-4,
        discriminator_lr: float = 2e-4,
        discriminator_steps: int = 1,
        pac: int = 10,
        log_frequency: bool = True,
        max_modes: int = 10,
        max_categories: int = 500,
        ema_decay: float = 0.999,
        min_steps_per_epoch: int = 20,
        refine: bool = True,
        sample_precision: str = "auto",
        train_precision: str = "auto",
        seed: int | None = None,
        device: str = "auto",
        verbose: bool = False,
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
        self.sample_precision = sample_precision
        self.train_precision = train_precision
        self.seed = seed
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    def _train_config(self, n_rows: int, device: torch.device) -> TrainConfig:
        pac = _positive_int("pac", self.pac)
        if isinstance(self.batch_size, str) and self.batch_size == "auto":
            batch = auto_batch_size(n_rows, pac)
        else:
            batch = _positive_int("batch_size", self.batch_size)
        if batch % pac:
            raise InvalidParameterError(
                f"batch_size ({batch}) must be a multiple of pac ({pac}); "
                f"try {max(pac, batch - batch % pac)}"
            )
        for name in ("generator_dims", "discriminator_dims"):
            dims = getattr(self, name)
            if isinstance(dims, (str, bytes)) or not isinstance(dims, Sequence):
                raise InvalidParameterError(f"{name} must be a sequence of positive integers")
            for d in dims:
                _positive_int(name, d)
        _positive_int("max_modes", self.max_modes)
        _positive_int("max_categories", self.max_categories)
        precision_dtype(self.sample_precision, torch.device("cpu"))  # a bad value fails here
        return TrainConfig(
            dtype=precision_dtype(self.train_precision, device, "train_precision"),
            epochs=_positive_int("epochs", self.epochs),
            batch_size=batch,
            pac=pac,
            noise_dim=_positive_int("noise_dim", self.noise_dim),
            generator_lr=_positive_float("generator_lr", self.generator_lr),
            discriminator_lr=_positive_float("discriminator_lr", self.discriminator_lr),
            discriminator_steps=_positive_int("discriminator_steps", self.discriminator_steps),
            ema_decay=_unit_interval("ema_decay", self.ema_decay),
            min_steps=_positive_int("min_steps_per_epoch", self.min_steps_per_epoch),
        )

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
            Columns to treat as categorical whatever their dtype.
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
        df = _as_frame(data)
        device = resolve_device(self.device)
        config = self._train_config(len(df), device)
        # under torchrun: join the process group, one GPU per LOCAL_RANK (tabgan.gan.distributed)
        ctx, device = distributed.setup(device)
        ss = _seed_state(self.seed)
        enc_ss, transform_ss, torch_ss, refine_ss = ss.spawn(4)
        if isinstance(discrete_columns, str):
            discrete_columns = [discrete_columns]

        every = int(checkpoint_every or 0)
        if every < 0 or ((every or resume) and checkpoint is None):
            raise InvalidParameterError(
                "checkpoint_every must be >= 0, and checkpointing or resuming needs a "
                "checkpoint path"
            )
        fingerprint = _fingerprint(df)
        started = time.perf_counter()
        saved = self._read_checkpoint(checkpoint, fingerprint) if resume else None
        if saved is not None:
            encoder = TableEncoder.from_dict(saved[0]["encoder"])
        else:
            encoder = TableEncoder(
                max_modes=self.max_modes,
                max_categories=self.max_categories,
                seed=int(enc_ss.generate_state(1)[0]),
            )
            if ctx.active:  # fitted once, on rank 0; every rank rebuilds its exact state
                state = distributed.main_then_share(
                    lambda: encoder.fit(df, discrete_columns=discrete_columns).to_dict()
                )
                encoder = TableEncoder.from_dict(state)
            else:
                encoder.fit(df, discrete_columns=discrete_columns)
        encoder_seconds = time.perf_counter() - started
        if ctx.active:  # each rank encodes and trains on its own shard only
            rows = distributed.shard(len(df), ctx.rank, ctx.world_size)
            shard_ss = transform_ss.spawn(ctx.world_size)[ctx.rank]
            matrix = encoder.transform(df.iloc[rows], rng=np.random.default_rng(shard_ss))
        else:
            matrix = encoder.transform(df, rng=np.random.default_rng(transform_ss))

        layout = TorchLayout(encoder.spans, device)
        data_t = torch.as_tensor(matrix, dtype=torch.float32, device=device)
        sampler = ConditionalSampler.from_data(data_t, layout, self.log_frequency)
        # conditions by the whole table's category counts, not the shard's (no-op on one rank)
        distributed.use_global_counts(sampler, bool(self.log_frequency))
        seed = _torch_seed(torch_ss)
        with _forked_torch_rng(seed, device):
            generator = Generator(
                config.noise_dim, layout.cond_dim, self.generator_dims, layout.output_dim
            ).to(device)
            discriminator = Discriminator(
                layout.output_dim + layout.cond_dim, self.discriminator_dims, config.pac
            ).to(device)
            rng = torch.Generator(device=device)
            rng.manual_seed(seed)
            grad_sync = None
            if ctx.active:
                grad_sync = distributed.all_reduce_gradients
                distributed.broadcast_parameters(generator)
                distributed.broadcast_parameters(discriminator)
                # identical init above; from here each rank draws its own noise, dropout, batches
                rng.manual_seed(distributed.rank_seed(seed, ctx.rank))
                torch.manual_seed(distributed.rank_seed(seed, ctx.rank))
            trainer = Trainer(
                data_t, layout, sampler, generator, discriminator, config, rng, grad_sync
            )
            if saved is not None:
                try:
                    trainer.load_state(saved[0]["trainer"], saved[1])
                except (KeyError, RuntimeError, TypeError, ValueError) as exc:
                    raise ModelFileError(
                        f"{checkpoint}: corrupt or incompatible checkpoint"
                    ) from exc
                if ctx.active:  # the checkpoint holds rank 0's streams: each rank its own again
                    rng.manual_seed(distributed.rank_seed(seed + trainer.epoch, ctx.rank))
                    torch.manual_seed(distributed.rank_seed(seed + trainer.epoch, ctx.rank))
            if every and ctx.is_main:  # only rank 0 writes
                callback = self._checkpointing(callback, trainer, checkpoint, every, fingerprint)
            # fitted state is in place before training, so a callback can sample mid-training
            self.encoder_ = encoder
            self.generator_ = generator
            self.refiner_ = None  # a refit's mid-training samples must not use the old filter
            self.condition_counts_ = sampler.counts.to("cpu", torch.float64)
            self.device_ = device
            self.n_rows_ = len(df)
            self.batch_size_ = config.batch_size
            self.steps_per_epoch_ = trainer.steps_per_epoch
            self.columns_ = list(df.columns)
            self.n_features_in_ = len(df.columns)
            if isinstance(data, pd.DataFrame):
                self.feature_names_in_ = np.asarray(self.columns_, dtype=object)
            self.encoder_seconds_ = encoder_seconds
            self._refresh_runtime()
            self._trainer = trainer  # lets callbacks sample mid-training (see _generate)
            try:
                history = self._run(trainer, config, callback)
            finally:
                del self._trainer
            # batch-norm statistics came from each rank's own batches: average them
            distributed.average_buffers(generator)
            self.generator_ = trainer.sampling_generator()

        self.generator_.eval()
        if self.refine and ctx.is_main and layout.output_dim > 0:
            real = df.iloc[rows] if ctx.active else df
            self.refiner_ = self._fit_refiner(real, matrix, refine_ss)
        self.history_ = distributed.average_history(
            [(h.generator_loss, h.discriminator_loss) for h in history]
        )
        distributed.finish()  # the last collective: release the process group on every rank
        self.fit_seconds_ = time.perf_counter() - started
        return self

    def _checkpointing(self, callback, trainer: Trainer, path, every: int, fingerprint: str):
        def write(info: EpochInfo) -> None:
            if info.epoch % every == 0 or info.epoch == info.epochs:
                state, tensors = trainer.state()
                meta = {
                    "format": "tabgan-checkpoint",
                    "format_version": FORMAT_VERSION,
                    "library_version": __version__,
                    "params": self._json_params(),
                    "fingerprint": fingerprint,
                    "encoder": self.encoder_.to_dict(),
                    "trainer": state,
                }
                save_model(path, meta, tensors)
            if callback is not None:
                callback(info)

        return write

    def _read_checkpoint(self, path, fingerprint: str):
        meta, tensors = load_model(path)
        if meta.get("format") != "tabgan-checkpoint":
            raise ModelFileError(f"{path}: not a tabgan checkpoint")
        if meta.get("fingerprint") != fingerprint:
            raise InvalidDataError(
                f"{path} was made from a different table; resume with the same data"
            )
        mine = self._json_params()
        fixed = ("epochs", "verbose", "device")
        changed = sorted(
            k for k, v in meta.get("params", {}).items() if k not in fixed and mine.get(k) != v
        )
        if changed:
            raise InvalidParameterError(
                f"cannot resume with different settings ({', '.join(changed)}); use the "
                "checkpoint's settings or start a new fit"
            )
        try:
            done = int(meta["trainer"]["epoch"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{path}: corrupt checkpoint") from exc
        if done >= int(self.epochs):
            raise InvalidParameterError(
                f"the checkpoint already has {done} epochs; ask for more epochs to resume"
            )
        return meta, tensors

    def _fit_refiner(self, real: pd.DataFrame, matrix: np.ndarray, ss: np.random.SeedSequence):
        """The real-vs-synthetic classifier behind :mod:`tabgan.refine` (``None``: no filter)."""
        from tabgan.refine import MAX_ROWS, fit_refiner

        gen_ss, _, fit_ss = ss.spawn(3)  # three, so the seeds stay those of earlier fits
        rng = torch.Generator(device=self.device_)
        rng.manual_seed(_torch_seed(gen_ss))
        n = min(len(real), MAX_ROWS)
        fake = self._generate(n, rng)
        return fit_refiner(self.encoder_, real, matrix, fake, _torch_seed(fit_ss), self.device_)

    def _json_params(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.get_params().items()}

    def _run(self, trainer: Trainer, config: TrainConfig, callback) -> list[EpochInfo]:
        if trainer.layout.output_dim == 0:
            return []  # only constant / empty columns: nothing to learn, the encoder decodes them
        if not self.verbose:
            return trainer.fit(callback)
        from tabgan.progress import TrainingProgress

        with TrainingProgress(config.epochs) as bar:
            if callback is None:
                return trainer.fit(bar)

            def both(info: EpochInfo) -> None:
                bar(info)
                callback(info)

            return trainer.fit(both)

    def _refresh_runtime(self) -> None:
        """Derived objects needed for sampling (rebuilt after load)."""
        self.layout_ = TorchLayout(self.encoder_.spans, self.device_)
        self.sampler_ = ConditionalSampler(
            self.layout_, self.condition_counts_, bool(self.log_frequency)
        )

    # ------------------------------------------------------------------ sampling
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
        conditions : dict, optional
            ``{column: value}`` that every returned row must satisfy (see
            :mod:`tabgan.conditions`); exactly ``n`` rows come back or a
            :class:`~tabgan.errors.ConditionError` says which condition could not be met.

        Returns
        -------
        pandas.DataFrame
            Same columns, order and dtypes as the training table.
        """
        self._check_fitted()
        n = _positive_int("n", n)
        if conditions:
            from tabgan.conditions import sample_conditional

            return sample_conditional(self, n, conditions, seed=seed)
        return pd.concat(list(self.iter_samples(n, seed=seed)), ignore_index=True)

    def iter_samples(self, n: int, seed: int | None = None, chunk: int = SAMPLE_CHUNK):
        """Yield synthetic rows as DataFrames of at most ``chunk`` rows (bounded memory).

        Rows are made in units of at most ``chunk`` rows, each from its own seed, on parallel
        lanes on the CPU (:mod:`tabgan.sampling`), so a seed gives the same rows whatever the
        thread count.
        """
        self._check_fitted()
        n = _positive_int("n", n)
        chunk = _positive_int("chunk", chunk)
        return sampling.iter_samples(self, n, _seed_state(seed), chunk)

    def _sample_dtype(self) -> torch.dtype:
        return precision_dtype(self.sample_precision, self.device_)

    def _generate(
        self, n: int, rng: torch.Generator, condition: tuple[int, int] | None = None
    ) -> Draw:
        """``n`` generated rows in span form (see :func:`tabgan.sampling.generate_rows`)."""
        with sampling.sampling_generator(self) as generator:
            return sampling.generate_rows(self, generator, n, rng, condition)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike = "model.tabgan") -> None:
        """Write the fitted model to one file, atomically (see :mod:`tabgan.persist`)."""
        self._check_fitted()
        params = self._json_params()
        meta = {
            "format": "tabgan-model",
            "format_version": FORMAT_VERSION,
            "library_version": __version__,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "params": params,
            "encoder": self.encoder_.to_dict(),
            "generator": self.generator_.args,
            "training": {
                "n_rows": self.n_rows_,
                "batch_size": self.batch_size_,
                "steps_per_epoch": self.steps_per_epoch_,
                "columns": self.columns_,
                "history": self.history_,
                "fit_seconds": self.fit_seconds_,
                "encoder_seconds": self.encoder_seconds_,
                "device": str(self.device_),
            },
        }
        tensors = {f"generator.{k}": v for k, v in self.generator_.state_dict().items()}
        tensors["condition_counts"] = self.condition_counts_
        refiner = getattr(self, "refiner_", None)
        if refiner is not None:
            meta["refiner"], critic = refiner.to_state()
            tensors.update({f"refiner.{k}": v for k, v in critic.items()})
        save_model(path, meta, tensors)

    @classmethod
    def load(cls, path: str | os.PathLike = "model.tabgan", device: str = "auto") -> TabGAN:
        """Read a model written by :meth:`save`; never executes anything from the file."""
        meta, tensors = load_model(path)
        if meta.get("format") != "tabgan-model":
            raise ModelFileError(f"{path}: not a tabgan model file")
        version = meta.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ModelFileError(
                f"{path}: model format {version!r} is newer than this tabgan "
                f"({__version__}) understands; upgrade tabgan"
            )
        try:
            params = dict(meta["params"])
            for key in ("generator_dims", "discriminator_dims"):
                if isinstance(params.get(key), list):
                    params[key] = tuple(params[key])
            model = cls(**{k: v for k, v in params.items() if k in cls._get_param_names()})
            model.device_ = resolve_device(device)
            model.encoder_ = TableEncoder.from_dict(meta["encoder"])
            state = prefixed(tensors, "generator.")
            generator = Generator(**_checked_generator_args(meta["generator"], state, model))
            generator.load_state_dict(state, strict=True)
            model.generator_ = generator.to(model.device_).eval()
            model.condition_counts_ = tensors["condition_counts"]
            model.refiner_ = None
            if meta.get("refiner") is not None:
                from tabgan.refine import Refiner

                critic = prefixed(tensors, "refiner.")
                model.refiner_ = Refiner.from_state(model.encoder_, meta["refiner"], critic)
                model.refiner_.critic.to(model.device_)
            training = meta["training"]
            model.n_rows_ = int(training["n_rows"])
            model.batch_size_ = int(training.get("batch_size", params.get("batch_size", 500)))
            model.steps_per_epoch_ = int(training.get("steps_per_epoch", 0))
            model.columns_ = list(training["columns"])
            model.history_ = [tuple(h) for h in training["history"]]
            model.fit_seconds_ = float(training["fit_seconds"])
            model.encoder_seconds_ = float(training["encoder_seconds"])
            model._refresh_runtime()
            model.metadata_ = {k: meta[k] for k in ("library_version", "created")}
        except ModelFileError:
            raise
        except (
            KeyError,
            TypeError,
            ValueError,
            RuntimeError,
            AttributeError,
            OverflowError,
        ) as exc:
            raise ModelFileError(
                f"{path}: corrupt or incompatible model file ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''})"
            ) from exc
        return model

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


__all__ = ["NotFittedError", "TabGAN", "resolve_device"]
