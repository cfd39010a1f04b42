"""Reading and writing a fitted TabGAN: the model file and the resumable checkpoint.

The container format (JSON header, raw tensor bytes, checksum; never pickle) is
:mod:`tabgan.persist`. This module decides what goes in it: the format version, the library
version, the estimator's parameters, the encoder's state, the networks' constructor arguments
and weights. Loading rebuilds the networks from the saved arguments after checking them against
the weights and the encoder.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from tabgan import __version__
from tabgan.constraints import ConstraintSet
from tabgan.device import precision_dtype, resolve_device
from tabgan.encoding import TableEncoder
from tabgan.errors import InvalidDataError, InvalidParameterError, ModelFileError
from tabgan.gan import Callback, EpochInfo, Generator, Trainer, critic_pac, prefixed
from tabgan.persist import (
    CHECKPOINT_FORMAT,
    FORMAT_VERSION,
    MODEL_FORMAT,
    check_model_header,
    load_model,
    save_model,
)

if TYPE_CHECKING:
    from tabgan.model import TabGAN

#: parameters a resumed fit may change
RESUMABLE = ("epochs", "verbose", "device", "max_time")


def json_params(model: TabGAN) -> dict[str, Any]:
    """The estimator's parameters as JSON-able values (tuples become lists, constraints their
    string form, which reads back to the same constraint)."""
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in model.get_params().items()}
    if params.get("constraints") is not None:
        constraints = params["constraints"]
        if isinstance(constraints, str):
            constraints = [constraints]
        params["constraints"] = [str(c) for c in constraints]
    return params


def checked_generator_args(
    args: Any, state: dict[str, torch.Tensor], encoder: TableEncoder
) -> dict:
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
    cond_dim = sum(s.width for s in encoder.spans if s.conditional)
    if args["output_dim"] != encoder.output_dim or args["cond_dim"] != cond_dim:
        raise ValueError("the encoder does not match the generator")
    return args


# ---------------------------------------------------------------------------- the model file
def save(model: TabGAN, path: str | os.PathLike) -> None:
    """Write a fitted model to one file, atomically."""
    meta = {
        "format": MODEL_FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "params": json_params(model),
        "encoder": model.encoder_.to_dict(),
        "generator": model.generator_.args,
        "training": {
            "n_rows": model.n_rows_,
            "batch_size": model.batch_size_,
            "pac": model.pac_,
            "discriminator_dims": model.discriminator_dims_,
            "steps_per_epoch": model.steps_per_epoch_,
            "columns": model.columns_,
            "history": model.history_,
            "fit_seconds": model.fit_seconds_,
            "encoder_seconds": model.encoder_seconds_,
            "device": str(model.device_),
            "epochs_run": model.epochs_,
            "stop_reason": model.stop_reason_,
            "best_epoch": model.best_epoch_,
            "validation": [[int(e), float(v)] for e, v in model.validation_],
        },
    }
    tensors = {f"generator.{k}": v for k, v in model.generator_.state_dict().items()}
    tensors["condition_counts"] = model.condition_counts_
    constraints = getattr(model, "constraints_", None)
    if constraints is not None and len(constraints):
        meta["constraints"] = constraints.to_dict()  # with what each learned (combinations)
    if getattr(model, "privacy_", None) is not None:
        meta["privacy"] = model.privacy_  # epsilon, delta, the accountant, what was protected
    refiner = getattr(model, "refiner_", None)
    if refiner is not None:
        meta["refiner"], classifier = refiner.to_state()
        tensors.update({f"refiner.{k}": v for k, v in classifier.items()})
    save_model(path, meta, tensors)


def load(cls: type[TabGAN], path: str | os.PathLike, device: str = "auto") -> TabGAN:
    """Read a model written by :func:`save`; never executes anything from the file."""
    meta, tensors = load_model(path)
    check_model_header(meta, path)
    try:
        return _restore(cls, meta, tensors, device)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError, OverflowError) as exc:
        raise ModelFileError(
            f"{path}: corrupt or incompatible model file ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''})"
        ) from exc


def _restore(
    cls: type[TabGAN], meta: dict[str, Any], tensors: dict[str, torch.Tensor], device: str
) -> TabGAN:
    from tabgan.refine import Refiner

    params = dict(meta["params"])
    for key in ("generator_dims", "discriminator_dims"):
        if isinstance(params.get(key), list):
            params[key] = tuple(params[key])
    model = cls(**{k: v for k, v in params.items() if k in cls._get_param_names()})
    try:  # a parameter sampling reads must be valid now, not fail at the first draw
        precision_dtype(model.sample_precision, torch.device("cpu"))
    except InvalidParameterError as exc:
        raise ValueError(str(exc)) from exc
    model.device_ = resolve_device(device)
    model.encoder_ = TableEncoder.from_dict(meta["encoder"])
    state = prefixed(tensors, "generator.")
    generator = Generator(**checked_generator_args(meta["generator"], state, model.encoder_))
    generator.load_state_dict(state, strict=True)
    model.generator_ = generator.to(model.device_).eval()
    model.condition_counts_ = tensors["condition_counts"]
    model.refiner_ = None
    if meta.get("refiner") is not None:
        classifier = prefixed(tensors, "refiner.")
        model.refiner_ = Refiner.from_state(model.encoder_, meta["refiner"], classifier)
        model.refiner_.classifier.to(model.device_)
    training = meta["training"]
    model.n_rows_ = int(training["n_rows"])
    model.batch_size_ = int(training.get("batch_size", params.get("batch_size", 500)))
    model.steps_per_epoch_ = int(training.get("steps_per_epoch", 0))
    # files written before pac_ was kept (and before pac=1 was the default): from the parameters
    pac = critic_pac(int(params.get("pac", 10)), private=params.get("epsilon") is not None)
    model.pac_ = int(training.get("pac", pac))
    model.generator_dims_ = [int(d) for d in generator.args["hidden"]]
    # files written before the widths were chosen by table size trained the ones they name
    critic = training.get("discriminator_dims", params.get("discriminator_dims", [256, 256]))
    model.discriminator_dims_ = [int(d) for d in critic]
    model.columns_ = list(training["columns"])
    model.history_ = [tuple(h) for h in training["history"]]
    model.fit_seconds_ = float(training["fit_seconds"])
    model.encoder_seconds_ = float(training["encoder_seconds"])
    # files written before epochs="auto" have no stop fields: their fits ran fixed epochs
    epochs_run = training.get("epochs_run", len(model.history_))
    model.epochs_ = int(epochs_run)
    model.stop_reason_ = str(training.get("stop_reason", f"epochs={model.epochs_} done"))
    best = training.get("best_epoch")
    model.best_epoch_ = None if best is None else int(best)
    model.validation_ = [(int(e), float(v)) for e, v in training.get("validation", [])]
    model.metadata_ = {k: meta[k] for k in ("library_version", "created")}
    model.constraints_ = ConstraintSet.from_dict(meta.get("constraints") or [])
    privacy = meta.get("privacy")
    model.privacy_ = privacy if isinstance(privacy, dict) else None
    model.refresh_runtime()
    model.sample_seeds_ = None  # draw_seed starts the seeded sequence afresh
    return model


# ---------------------------------------------------------------------------- checkpoints
class Checkpoint(Callback):
    """Writes a resumable checkpoint every ``every`` epochs and after the last (atomically).

    Parameters
    ----------
    path : path
        The checkpoint file.
    every : int
        Epochs between checkpoints.
    header : dict
        What identifies the run (parameters, the table's fingerprint, the encoder's state);
        the trainer's state is added at each write.
    extra : callable, optional
        ``extra()`` gives the validation and early-stopping state (JSON-able metadata and
        tensors, see :class:`tabgan.autofit.EarlyStopping`), saved under ``"autofit"``.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        every: int,
        header: dict[str, Any],
        extra: Callable[[], tuple[dict[str, Any], dict[str, torch.Tensor]]] | None = None,
    ) -> None:
        self.path = path
        self.every = every
        self.header = header
        self.extra = extra

    def on_epoch_end(self, trainer: Trainer, info: EpochInfo) -> None:
        stopped = trainer.stop_reason is not None
        if info.epoch % self.every == 0 or info.epoch == info.epochs or stopped:
            state, tensors = trainer.state()
            meta = {**self.header, "trainer": state, "stop_reason": trainer.stop_reason}
            if self.extra is not None:
                meta["autofit"], more = self.extra()
                tensors = {**tensors, **{f"autofit.{k}": v for k, v in more.items()}}
            save_model(self.path, meta, tensors)


def autofit_tensors(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A checkpoint's early-stopping tensors (the best weights so far), names unprefixed."""
    return prefixed(tensors, "autofit.")


def checkpoint_header(model: TabGAN, fingerprint: str, encoder: TableEncoder) -> dict[str, Any]:
    """The fixed part of a checkpoint's metadata."""
    return {
        "format": CHECKPOINT_FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "params": json_params(model),
        "fingerprint": fingerprint,
        "encoder": encoder.to_dict(),
    }


def read_checkpoint(
    model: TabGAN, path: str | os.PathLike, fingerprint: str, epochs: int | None = None
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """A checkpoint's metadata and tensors, after checking that ``model`` may resume it: the
    same table, the same parameters (but those in :data:`RESUMABLE`), more epochs (``epochs``:
    the fit's epoch cap, default ``model.epochs``) and a run that did not stop by itself."""
    meta, tensors = load_model(path)
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise ModelFileError(f"{path}: not a tabgan checkpoint")
    if meta.get("fingerprint") != fingerprint:
        raise InvalidDataError(f"{path} was made from a different table; resume with the same data")
    mine = json_params(model)
    changed = sorted(
        k for k, v in meta.get("params", {}).items() if k not in RESUMABLE and mine.get(k) != v
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
    if meta.get("stop_reason"):
        raise InvalidParameterError(
            f"the checkpointed run already ended ({meta['stop_reason']}); start a new fit "
            "to train more"
        )
    if done >= int(model.epochs if epochs is None else epochs):
        raise InvalidParameterError(
            f"the checkpoint already has {done} epochs; ask for more epochs to resume"
        )
    return meta, tensors


def restore_trainer(trainer: Trainer, saved: tuple[dict, dict], path: Any) -> None:
    """Load a checkpoint's trainer state (networks, optimisers, streams, epoch)."""
    try:
        trainer.load_state(saved[0]["trainer"], saved[1])
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: corrupt or incompatible checkpoint") from exc


__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "autofit_tensors",
    "checked_generator_args",
    "checkpoint_header",
    "json_params",
    "load",
    "read_checkpoint",
    "restore_trainer",
    "save",
]
