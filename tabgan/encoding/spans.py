"""The span layout: how one encoded row is laid out, read by the encoder, the generator's output
activations, the conditional vector and the conditional loss alike."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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
