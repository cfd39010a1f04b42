"""The span layout: how one encoded row is laid out, read by the encoder, the generator's output
activations, the conditional vector and the conditional loss alike."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


class Activation(enum.Enum):
    """Output activation the generator applies to a span."""

    TANH = "tanh"  # one scalar in [-1, 1] (a continuous value within its mode)
    SOFTMAX = "softmax"  # a one-hot block (Gumbel-softmax in the generator)


class SpanRole(enum.Enum):
    """What a span encodes; lets consumers pick spans without comparing strings."""

    VALUE = "value"  # scalar of a numeric/datetime column, normalised within its mode
    MODE = "mode"  # one-hot of the mixture component of a numeric/datetime column
    CATEGORY = "category"  # one-hot of a categorical/boolean/discrete column
    MISSING = "missing"  # 2-wide one-hot [present, missing] of a numeric/datetime column


@dataclass(frozen=True)
class Span:
    """A contiguous block of columns of the encoded matrix.

    Attributes
    ----------
    offset, width
        Position in the encoded matrix: columns ``offset : offset + width``.
    activation
        ``TANH`` spans have width 1; ``SOFTMAX`` spans have width >= 1.
    role
        See :class:`SpanRole`.
    column
        Name of the source column this span belongs to.
    conditional
        True for the CATEGORY spans the conditional vector runs over (discrete columns).
    """

    offset: int
    width: int
    activation: Activation
    role: SpanRole
    column: str
    conditional: bool = False

    @property
    def stop(self) -> int:
        return self.offset + self.width

    def to_dict(self) -> dict:
        return {
            "offset": self.offset,
            "width": self.width,
            "activation": self.activation.value,
            "role": self.role.value,
            "column": self.column,
            "conditional": self.conditional,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Span:
        return cls(
            offset=int(d["offset"]),
            width=int(d["width"]),
            activation=Activation(d["activation"]),
            role=SpanRole(d["role"]),
            column=str(d["column"]),
            conditional=bool(d["conditional"]),
        )


@dataclass(frozen=True)
class Draw:
    """Rows in span form: what decoding reads from an encoded or generated matrix.

    A generator's SOFTMAX spans are drawn straight to indices (:meth:`TorchLayout.draw
    <tabgan.gan.layout.TorchLayout.draw>`), so sampled rows never become a one-hot matrix that
    decoding would then take the argmax of again. Arrays are span-major: one row per span, one
    column per table row, so each span's values are contiguous for the per-column decoders.

    Attributes
    ----------
    values
        ``(n_tanh, n)`` float: each TANH span's value, in span order.
    choices
        ``(n_softmax, n)`` integer: each SOFTMAX span's chosen index, in span order.
    """

    values: np.ndarray
    choices: np.ndarray

    def __len__(self) -> int:
        return int(self.values.shape[1])

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, spans: Sequence[Span]) -> Draw:
        """Read a matrix (one-hot, probabilities or logits in SOFTMAX spans) by argmax."""
        n = matrix.shape[0]
        tanh = [s.offset for s in spans if s.activation is Activation.TANH]
        soft = [s for s in spans if s.activation is Activation.SOFTMAX]
        choices = np.empty((len(soft), n), dtype=np.int64)
        for i, s in enumerate(soft):
            choices[i] = np.argmax(matrix[:, s.offset : s.stop], axis=1)
        return cls(np.ascontiguousarray(matrix[:, tanh].T), choices)

    def take(self, rows: np.ndarray) -> Draw:
        """The rows at ``rows`` (indices or a boolean mask), in that order."""
        return Draw(self.values[:, rows], self.choices[:, rows])

    @staticmethod
    def concat(draws: Sequence[Draw]) -> Draw:
        return Draw(
            np.concatenate([d.values for d in draws], axis=1),
            np.concatenate([d.choices for d in draws], axis=1),
        )
