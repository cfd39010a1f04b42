"""An auxiliary model of one target column (CTAB-GAN's classifier loss, for any column kind).

With ``TabGAN(target=...)`` a small network learns, from real rows, to predict the target
column's encoded spans from the other columns' encoded values. The generator is then also
trained to make rows whose other columns predict their own target value under that network,
which pushes it to keep the feature -> target relation that train-on-synthetic models need.

Discrete targets: one cross-entropy per SOFTMAX span of the target. Numeric targets: the mode
span's cross-entropy plus the squared error of the within-mode scalar (TANH span), so the same
code serves classification and regression tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from tabgan.encoding.spans import Activation, Span


class TargetModel(nn.Module):
    """Predicts the target column's encoded spans from the rest of an encoded row.

    Parameters
    ----------
    spans
        The encoder's spans (they tile the encoded row).
    target
        The target column's name; it must own at least one span.
    hidden
        Hidden layer widths.
    """

    def __init__(self, spans: Sequence[Span], target: str, hidden: Sequence[int] = (256, 256)):
        super().__init__()
        spans = sorted(spans, key=lambda s: s.offset)
        owned = [s for s in spans if s.column == target]
        if not owned:
            raise ValueError(f"column {target!r} has no encoded values to predict")
        width = spans[-1].stop if spans else 0
        target_cols = {c for s in owned for c in range(s.offset, s.stop)}
        features = [c for c in range(width) if c not in target_cols]
        self.register_buffer("features", torch.tensor(features, dtype=torch.long), persistent=False)
        # (offset in the encoded row, offset in this model's output, width, is softmax)
        self.parts: list[tuple[int, int, int, bool]] = []
        out = 0
        for s in owned:
            self.parts.append((s.offset, out, s.width, s.activation is Activation.SOFTMAX))
            out += s.width
        layers: list[nn.Module] = []
        size = len(features)
        for h in hidden:
            layers += [nn.Linear(size, h), nn.LeakyReLU(0.2)]
            size = h
        layers.append(nn.Linear(size, out))
        self.net = nn.Sequential(*layers)

    def loss(self, rows: Tensor) -> Tensor:
        """How badly the other columns of ``rows`` predict each row's own target value.

        ``rows`` are encoded (real) or activated generator output (fake); the target values
        are taken as labels (detached: a generator is not rewarded for changing the label to
        fit the prediction, only for making the features fit the label).
        """
        pred = self.net(rows.index_select(1, self.features))
        total = rows.new_zeros(())
        for offset, out, width, softmax in self.parts:  # one to three spans: the target's
            truth = rows[:, offset : offset + width].detach()
            if softmax:
                total = total + nn.functional.cross_entropy(
                    pred[:, out : out + width], truth.argmax(dim=1)
                )
            else:
                total = total + nn.functional.mse_loss(pred[:, out], truth[:, 0])
        return total
