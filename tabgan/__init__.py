"""tabgan: fast, useful synthetic tabular data.

``TabGAN``, ``TabGANResampler``, ``evaluate`` and ``NotFittedError`` are imported lazily, so
``tabgan.encoding`` and ``tabgan.evaluate`` can be used (and tested) without loading torch, and
the command line answers ``--help`` without loading torch or scikit-learn.
"""

from __future__ import annotations

__version__ = "0.1.0"

from tabgan.errors import (
    ConditionError,
    DataFileError,
    InvalidDataError,
    InvalidParameterError,
    ModelFileError,
    TabGANError,
    TabGANWarning,
    ThinConditionWarning,
)
from tabgan.lazy import lazy_exports

_LAZY = {
    "NotFittedError": "tabgan.errors",
    "TabGAN": "tabgan.model",
    "TabGANResampler": "tabgan.augment",
    "evaluate": "tabgan.evaluate",
}
__getattr__ = lazy_exports(globals(), _LAZY)


__all__ = [
    "ConditionError",
    "DataFileError",
    "InvalidDataError",
    "InvalidParameterError",
    "ModelFileError",
    "NotFittedError",
    "TabGAN",
    "TabGANError",
    "TabGANResampler",
    "TabGANWarning",
    "ThinConditionWarning",
    "__version__",
    "evaluate",
]
