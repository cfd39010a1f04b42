"""Torch view of the encoder's span layout: output activations and conditional spans.

Every span-wise operation is done with one padded gather instead of a Python loop over spans,
so a training step costs the same number of kernel launches for 5 columns or 500.
"""

from __future__ import annotations

from collections.abc import Sequence

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
        self.flat_valid = mask.flatten().nonzero().squeeze(1).to(device)

    def gather(self, x: Tensor, fill: float = float("-inf")) -> Tensor:
        """``(B, D) -> (B, n, max_width)`` with padding set to ``fill``."""
        # index_select: its backward is an index_add, far cheaper than advanced indexing's
        block = torch.index_select(x, 1, self.flat_index).view(x.shape[0], self.n, -1)
        return block.masked_fill(~self.mask, fill)


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
            logits = self.soft.gather(raw + gumbel)
            probs = torch.softmax(logits / tau, dim=-1).reshape(raw.shape[0], -1)
            parts.append(torch.index_select(probs, 1, self.soft.flat_valid))
        return torch.index_select(torch.cat(parts, dim=1), 1, self.restore)

    def sample_activate(self, raw: Tensor, generator: torch.Generator | None) -> Tensor:
        """Rows for decoding only, computed in place: tanh on scalar spans, logits plus Gumbel
        noise on one-hot spans. Decoding takes each span's argmax, so a category is drawn from
        the softmax of the logits exactly as Gumbel-softmax would (whatever the temperature),
        without paying for the padded softmax."""
        if self.soft.n:
            soft = self.soft.flat_index[self.soft.flat_valid]
            uniform = torch.rand(
                (raw.shape[0], soft.numel()),
                device=raw.device,
                dtype=raw.dtype,
                generator=generator,
            )
            gumbel = uniform.clamp_(1e-10, 1.0 - 1e-7).log_().neg_().log_().neg_()
            raw.index_add_(1, soft, gumbel)
        if self.tanh_index.numel():
            raw.index_copy_(1, self.tanh_index, torch.tanh(raw[:, self.tanh_index]))
        return raw

    def conditional_loss(self, raw: Tensor, column: Tensor, category: Tensor) -> Tensor:
        """Mean cross-entropy of each row's chosen conditional span against its asked category."""
        if self.cond.n == 0:
            return raw.new_zeros(())
        logits = self.cond.gather(raw)[torch.arange(raw.shape[0], device=raw.device), column]
        return torch.nn.functional.cross_entropy(logits, category)
