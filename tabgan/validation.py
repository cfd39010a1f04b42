"""Checks and seeding helpers shared by the estimators, the sampling engine and the CLI.

numpy/pandas only (no torch), so the resampler and the CLI can use them without loading the GAN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tabgan.errors import InvalidDataError, InvalidParameterError

#: fewest training rows any estimator learns from
MIN_ROWS = 10


def positive_int(name: str, value: Any) -> int:
    """``value`` as an int, or :class:`InvalidParameterError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise InvalidParameterError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def positive_float(name: str, value: Any) -> float:
    """``value`` as a float > 0, or :class:`InvalidParameterError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise InvalidParameterError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def unit_interval(name: str, value: Any) -> float:
    """``value`` as a float in [0, 1), or :class:`InvalidParameterError` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise InvalidParameterError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


#: the values of ``train_precision`` / ``sample_precision`` (see :class:`tabgan.TabGAN`)
PRECISION_NAMES = ("auto", "float32", "bfloat16")


def check_precision(name: str, value: Any) -> str:
    """``value`` if it names a precision, else :class:`InvalidParameterError` naming ``name``."""
    if value not in PRECISION_NAMES:
        raise InvalidParameterError(
            f"{name} must be 'auto', 'float32' or 'bfloat16', got {value!r}"
        )
    return value


def seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """The root of every random stream of a call: ``SeedSequence(seed)`` (fresh entropy for
    None); a SeedSequence passes through, so callers can hand down spawned children."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise InvalidParameterError(f"seed must be a non-negative integer, got {seed!r}")
    return np.random.SeedSequence(seed)


def torch_seed(ss: np.random.SeedSequence) -> int:
    """A seed for ``torch.Generator.manual_seed`` drawn from ``ss`` (63 bits)."""
    return int(ss.generate_state(1, dtype=np.uint64)[0] & 0x7FFF_FFFF_FFFF_FFFF)


def int_seed(ss: np.random.SeedSequence) -> int:
    """A 32-bit integer seed drawn from ``ss`` (for parameters that take an int)."""
    return int(ss.generate_state(1)[0])


def check_min_rows(n_rows: int, what: str = "the table") -> None:
    """Refuse tables with fewer than :data:`MIN_ROWS` rows, with one message everywhere."""
    if n_rows < MIN_ROWS:
        raise InvalidDataError(
            f"{what} has {n_rows} rows; tabgan needs at least {MIN_ROWS} rows to learn from"
        )


def unique_names(names: list[str], what: str = "the table") -> None:
    """Refuse duplicate column names (after conversion to text)."""
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise InvalidDataError(
            f"{what} has duplicate column names {dupes}; give every column a unique name"
        )


def as_frame(data: Any) -> pd.DataFrame:
    """A training table as a DataFrame with text column names and a fresh index.

    Accepts a DataFrame, a 2-D numpy array or a list of rows; refuses sparse and complex input,
    duplicate column names, no columns and fewer than :data:`MIN_ROWS` rows.
    """
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
    unique_names(names)
    if df.shape[1] == 0:
        raise InvalidDataError("the table has no columns")
    check_min_rows(len(df))
    if list(df.columns) != names:
        df = df.set_axis(names, axis=1)
    return df.reset_index(drop=True)


def fingerprint(df: pd.DataFrame) -> str:
    """Identifies a table's content, to refuse resuming a checkpoint on other data."""
    hashed = pd.util.hash_pandas_object(df, index=False).to_numpy()
    return f"{len(df)}:{len(df.columns)}:{int(hashed.sum(dtype=np.uint64))}"


__all__ = [
    "MIN_ROWS",
    "PRECISION_NAMES",
    "as_frame",
    "check_min_rows",
    "check_precision",
    "fingerprint",
    "int_seed",
    "positive_float",
    "positive_int",
    "seed_sequence",
    "torch_seed",
    "unique_names",
    "unit_interval",
]
