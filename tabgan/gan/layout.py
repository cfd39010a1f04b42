"""Torch view of the encoder's span layout: output activations and conditional spans.

Every span-wise operation of a training step is done with one padded gather instead of a Python
loop over spans, so a step costs the same number of kernel launches for 5 columns or 500.
Sampling's :meth:`TorchLayout.draw` does loop over the softmax spans, on blocks of thousands of
rows, where padding every span to the widest one would cost more than the loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import inf

import torch
from torch import Tensor

from tabgan.encoding.spans import Activation, Span


class _Segments:
    """A set of SOFTMAX spans gathered into a padded ``(batch, n_spans, max_width)`` block."""

    def __init__(self, spans: Sequence[Span], device: torch.device) -> None:
        self.n = len(spans)
        self.max_width = max((s.width for s in spans), default=0)
        index = torch.zeros(self.n, max(self.max_width, 1), dtype=torch.long)
        mask = torch.zeros(self.n, max(self.max_width, 1), dtype=torch.bool)
        for i, span in enumerate(spans):
            index[i, : span.width] = torch.arange(span.offset, span.stop)
            mask[i, : span.width] = True
        self.widths = torch.tensor([s.width for s in spans], dtype=torch.long, device=device)
        self.offsets = torch.tensor([s.offset for s in spans], dtype=torch.long, device=device)
        self.index = index.to(device)
        self.flat_index = index.flatten().to(device)
        self.mask = mask.to(device)
        self.pad = ~self.mask
        self.flat_valid = mask.flatten().nonzero().squeeze(1).to(device)

    def gather(self, x: Tensor, fill: float = float("-inf")) -> Tensor:
        """``(B, D) -> (B, n, max_width)`` with padding set to ``fill``."""
        # index_select: its backward is an index_add, far cheaper than advanced indexing's
        block = torch.index_select(x, 1, self.flat_index).view(x.shape[0], self.n, -1)
        return block.masked_fill(self.pad, fill)


class TorchLayout:
    """Index tensors derived once from the encoder's spans.

    Parameters
    ----------
    spans
        The encoder's spans; they must tile ``[0, output_dim)``.
    device
        Where the index tensors live (the training device).
    """

    def __init__(self, spans: Sequence[Span], device: torch.device) -> None:
        spans = sorted(spans, key=lambda s: s.offset)
        self.output_dim = spans[-1].stop if spans else 0
        tanh = [s for s in spans if s.activation is Activation.TANH]
        soft = [s for s in spans if s.activation is Activation.SOFTMAX]
        self.tanh_index = torch.tensor([s.offset for s in tanh], dtype=torch.long, device=device)
        self.soft = _Segments(soft, device)
        self.soft_bounds = [(sp.offset, sp.stop) for sp in soft]
        self._tril: dict[tuple, Tensor] = {}
        self.cond = _Segments([s for s in soft if s.conditional], device)
        self.cond_spans = tuple(s for s in soft if s.conditional)
        self.cond_dim = sum(s.width for s in self.cond_spans)
        # activated = cat([tanh values, valid softmax values]); `restore` puts columns back in order
        order = torch.cat([self.tanh_index, self.soft.flat_index[self.soft.flat_valid]])
        restore = torch.empty_like(order)
        restore[order] = torch.arange(order.numel(), device=device)
        self.restore = restore

    def activate(self, raw: Tensor, tau: float, generator: torch.Generator | None) -> Tensor:
        """Apply tanh to scalar spans and Gumbel-softmax (temperature ``tau``) to one-hot spans."""
        parts = [torch.tanh(torch.index_select(raw, 1, self.tanh_index))]
        if self.soft.n:
            # Gumbel noise for the real columns only (not the padding), then one padded softmax
            uniform = torch.rand(raw.shape, device=raw.device, dtype=raw.dtype, generator=generator)
            gumbel = -torch.log(-torch.log(uniform.clamp_(1e-10, 1.0 - 1e-7)))
            # the temperature before the padded gather: a third of the elements to divide
            logits = self.soft.gather((raw + gumbel) / tau)
            probs = torch.softmax(logits, dim=-1).reshape(raw.shape[0], -1)
            parts.append(torch.index_select(probs, 1, self.soft.flat_valid))
        return torch.index_select(torch.cat(parts, dim=1), 1, self.restore)

    def draw(self, raw_t: Tensor, generator: torch.Generator | None) -> tuple[Tensor, Tensor]:
        """Sampled rows in span form from a transposed block of raw generator output.

        ``raw_t`` is ``(output_dim, rows)`` (as :meth:`Generator.blocks
        <tabgan.gan.networks.Generator.blocks>` yields it). Returns ``(values, choices)``: tanh
        of every TANH span, ``(n_tanh, rows)``, and every SOFTMAX span's category drawn from
        the softmax of its logits, ``(n_softmax, rows)`` (the rows of a
        :class:`~tabgan.encoding.spans.Draw`). Each category is drawn by inverting the
        cumulative softmax with one uniform per span, the same distribution Gumbel-softmax's
        argmax follows at any temperature, for one exp per logit instead of a uniform and two
        logs; per span the ops run over contiguous rows of ``raw_t``. A span with NaN logits
        draws its first category.
        """
        rows = raw_t.shape[1]
        values = torch.tanh(raw_t.index_select(0, self.tanh_index))
        choices = torch.zeros(self.soft.n, rows, dtype=torch.int32, device=raw_t.device)
        if self.soft.n:
            uniform = torch.rand(
                self.soft.n, rows, device=raw_t.device, dtype=raw_t.dtype, generator=generator
            )
            for i, (lo, hi) in enumerate(self.soft_bounds):
                if hi - lo < 2:
                    continue
                logits = raw_t[lo:hi]
                # the running sums as one small matmul: torch's cumsum over the first
                # dimension, and its sum of booleans, were slower on the CPU (unrecorded
                # micro-benchmark)
                weights = (logits - logits.amax(0)).exp_()
                cumulative = torch.mm(self._lower(hi - lo, raw_t), weights)
                below = cumulative < uniform[i] * cumulative[-1]
                torch.sum(below.to(torch.uint8), 0, dtype=torch.int32, out=choices[i])
        return values, choices

    def _lower(self, width: int, like: Tensor) -> Tensor:
        """The ``width x width`` lower-triangular matrix of ones (cached per width)."""
        key = (width, like.dtype, like.device)
        if key not in self._tril:
            self._tril[key] = torch.ones(width, width, dtype=like.dtype, device=like.device).tril_()
        return self._tril[key]

    def conditional_loss(self, raw: Tensor, column: Tensor, category: Tensor) -> Tensor:
        """Mean cross-entropy of each row's chosen conditional span against its asked category."""
        if self.cond.n == 0:
            return raw.new_zeros(())
        # only each row's own span, not every conditional span padded (a tenth of the block)
        logits = raw.gather(1, self.cond.index[column]).masked_fill(self.cond.pad[column], -inf)
        return torch.nn.functional.cross_entropy(logits, category)
