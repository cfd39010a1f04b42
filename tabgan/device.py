"""Where and in which precision the GAN runs: device resolution and precision parameters."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from tabgan.errors import InvalidParameterError
from tabgan.validation import check_precision

PRECISIONS = {"float32": torch.float32, "bfloat16": torch.bfloat16}


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


def native_cpu_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX). torch's checks are
    private helpers: if a torch lacks them, the answer is no (float32, always correct)."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def precision_dtype(
    precision: str, device: torch.device, name: str = "sample_precision"
) -> torch.dtype:
    """The dtype a precision parameter (``sample_precision``, or another ``name`` for the error
    message, e.g. ``train_precision``) asks for on ``device`` (see :class:`tabgan.TabGAN`)."""
    if check_precision(name, precision) == "auto":
        return torch.bfloat16 if device.type == "cpu" and native_cpu_bf16() else torch.float32
    return PRECISIONS[precision]


#: ``train_precision="auto"`` trains in bfloat16 only when a step's critic input, batch rows x
#: encoded width, is at least this large: below it the casts cost more than the narrower
#: products save (a 480-row, 52-wide table's step took 9.2 ms in float32 against 12.3 ms in
#: bfloat16 on this project's 2-core AMX machine; Adult's, 500 x 159, 47 ms against 28.5 ms)
BF16_MIN_STEP_WORK = 10_000


def train_dtype(precision: str, device: torch.device, batch_rows: int, width: int) -> torch.dtype:
    """The training dtype ``train_precision`` asks for, for steps of ``batch_rows`` rows of
    ``width`` encoded (and conditional) values: "auto" is bfloat16 where the CPU multiplies it
    natively and the step is large enough to gain (:data:`BF16_MIN_STEP_WORK`)."""
    dtype = precision_dtype(precision, device, "train_precision")
    if precision == "auto" and batch_rows * width < BF16_MIN_STEP_WORK:
        return torch.float32
    return dtype


@contextlib.contextmanager
def forked_torch_rng(seed: int, device: torch.device) -> Iterator[None]:
    """Seed torch's global RNG (dropout, weight init) inside a fork that is undone on exit,
    so the user's own global random state is never changed."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


__all__ = [
    "BF16_MIN_STEP_WORK",
    "PRECISIONS",
    "forked_torch_rng",
    "native_cpu_bf16",
    "precision_dtype",
    "resolve_device",
    "train_dtype",
]
