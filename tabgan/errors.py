"""Error types. Every error a user can cause derives from :class:`TabGANError`.

The CLI catches :class:`TabGANError`, prints ``Error: <message>`` and exits 1, so messages are
one line, name the culprit (column, file, option) and, where possible, the fix.
"""

from __future__ import annotations

from typing import Any


class TabGANError(Exception):
    """Base class of every error tabgan raises on purpose."""


class InvalidDataError(TabGANError, ValueError):
    """The input table (or an option that refers to it) cannot be used as given."""


class InvalidParameterError(TabGANError, ValueError):
    """An estimator or command parameter has an invalid value."""


class DataFileError(TabGANError, OSError):
    """A data file cannot be read or written (missing, unreadable, malformed, bad folder)."""


class ModelFileError(TabGANError, OSError):
    """A model file is missing, corrupt, truncated, foreign, unsafe or from a newer version."""


class ConditionError(TabGANError, ValueError):
    """A sampling condition is unknown, impossible, or could not be met within the budget."""


class TabGANWarning(UserWarning):
    """Rows that may mislead: e.g. many rows asked for from a handful of training rows."""


class ThinConditionWarning(TabGANWarning):
    """Many rows asked for conditions that only a handful of training rows meet, or none."""


def _not_fitted_error() -> type:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    class NotFittedError(TabGANError, SklearnNotFittedError):
        """The estimator was used before ``fit`` (or ``load``)."""

    NotFittedError.__module__ = __name__
    NotFittedError.__qualname__ = "NotFittedError"
    return NotFittedError


def __getattr__(name: str) -> Any:
    # NotFittedError subclasses scikit-learn's, whose import takes about a second: it is made
    # on first use, so the CLI's --help and error paths do not pay for scikit-learn
    if name == "NotFittedError":
        cls = _not_fitted_error()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
