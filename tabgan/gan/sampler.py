"""Training-by-sampling (CTGAN): conditional vectors and the real rows that match them.

Everything is a device tensor built once; drawing a batch is a handful of vectorised ops:
one ``multinomial`` over all categories of all discrete columns (column chosen uniformly, then a
category by log-frequency, folded into one distribution), and one gather of matching row ids.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import torch
from torch import Tensor

from tabgan.gan.layout import TorchLayout


@dataclass
class ConditionBatch:
    """One batch of conditions: the one-hot vector, which span and which category within it."""

    vector: Tensor  # (B, cond_dim)
    column: Tensor  # (B,) index into layout.cond_spans
    category: Tensor  # (B,) index within that span


class ConditionalSampler:
    """Draws condition vectors for training and for generation.

    Parameters
    ----------
    layout
        The torch layout of the encoder's spans.
    counts
        How often each category of each conditional span occurs in the training rows
        (``(cond_dim,)``); saved with the model so generation needs no training data.
    log_frequency
        Draw training categories by log-frequency (CTGAN's default), which shows rare categories
        to the generator more often than their share.
    """

    def __init__(self, layout: TorchLayout, counts: Tensor, log_frequency: bool = True) -> None:
        self.layout = layout
        device = layout.restore.device
        spans = layout.cond_spans
        self.n_columns = len(spans)
        self.dim = layout.cond_dim
        self.n_rows = 0
        self.counts = counts.to(device=device, dtype=torch.float64)
        if not spans:
            return
        widths = torch.tensor([s.width for s in spans], device=device)
        self.span_start = torch.cumsum(widths, 0) - widths  # first global category id of each span
        self.cat_column = torch.repeat_interleave(torch.arange(len(spans), device=device), widths)
        self.cat_local = torch.arange(self.dim, device=device) - self.span_start[self.cat_column]

        def per_column(weights: Tensor) -> Tensor:
            totals = torch.zeros(len(spans), dtype=torch.float64, device=device)
            totals.index_add_(0, self.cat_column, weights)
            return (weights / totals[self.cat_column].clamp_min(1e-12) / len(spans)).float()

        present = (self.counts > 0).to(torch.float64)
        train_w = torch.log1p(self.counts) * present if log_frequency else self.counts
        self.train_probs = per_column(train_w)
        self.sample_probs = per_column(self.counts)

    @staticmethod
    def category_ids(data: Tensor, layout: TorchLayout) -> Tensor:
        """Global category id of every row in every conditional span: ``(n_rows, n_spans)``."""
        spans = layout.cond_spans
        start = 0
        ids = []
        for span in spans:  # once per fit, not per step
            ids.append(data[:, span.offset : span.stop].argmax(dim=1) + start)
            start += span.width
        return torch.stack(ids, dim=1)

    @classmethod
    def from_data(
        cls,
        data: Tensor,
        layout: TorchLayout,
        log_frequency: bool = True,
        counts: Tensor | None = None,
    ) -> ConditionalSampler:
        """Build the sampler with the row index needed for training-by-sampling.

        ``counts`` (``(cond_dim,)``), when given, replaces the category counts that the
        conditions are drawn by (and that are saved with the model), e.g. the noisy counts of
        a private fit (:func:`tabgan.privacy.preprocess.condition_counts`); the row index
        still uses the true counts, and a private critic does not use it.
        """
        if not layout.cond_spans:
            sampler = cls(layout, torch.zeros(0), log_frequency)
            sampler.n_rows = data.shape[0]
            return sampler
        global_ids = cls.category_ids(data, layout)
        counts_true = torch.bincount(global_ids.flatten(), minlength=layout.cond_dim)
        if counts is not None and tuple(counts.shape) != (layout.cond_dim,):
            raise ValueError(f"counts must have shape ({layout.cond_dim},)")
        sampler = cls(layout, counts_true if counts is None else counts, log_frequency)
        sampler.n_rows = n_rows = data.shape[0]
        # rows grouped by category: span j's rows sorted by category, concatenated over j
        order = torch.argsort(global_ids, dim=0, stable=True)
        sampler.rows_by_category = order.T.flatten()
        counts_f = counts_true.to(torch.float64)
        within = torch.cumsum(counts_f, 0) - counts_f
        col_start = within[sampler.span_start][sampler.cat_column]
        sampler.category_start = sampler.cat_column * n_rows + (within - col_start).long()
        sampler.category_count = counts_true.long()
        return sampler

    def _batch(self, probs: Tensor, n: int, generator: torch.Generator | None) -> ConditionBatch:
        return self._from_ids(torch.multinomial(probs, n, replacement=True, generator=generator))

    def _from_ids(self, ids: Tensor) -> ConditionBatch:
        vector = torch.zeros(len(ids), self.dim, device=ids.device)
        vector[torch.arange(len(ids), device=ids.device), ids] = 1.0
        return ConditionBatch(vector, self.cat_column[ids], self.cat_local[ids])

    def sample_train_conditions(
        self, n: int, generator: torch.Generator | None
    ) -> ConditionBatch | None:
        """Conditions drawn as for training, without looking up matching rows."""
        if self.n_columns == 0:
            return None
        return self._batch(self.train_probs, n, generator)

    def train_batch(
        self, n: int, generator: torch.Generator | None
    ) -> tuple[ConditionBatch | None, Tensor]:
        """Conditions for a training batch and ids of real rows that satisfy them."""
        if self.n_columns == 0:
            rows = torch.randint(
                self.n_rows, (n,), device=self.layout.restore.device, generator=generator
            )
            return None, rows
        cond = self._batch(self.train_probs, n, generator)
        ids = cond.vector.argmax(dim=1)
        offset = torch.rand(n, device=ids.device, generator=generator)
        pick = (offset * self.category_count[ids]).long().clamp_max(self.category_count[ids] - 1)
        rows = self.rows_by_category[self.category_start[ids] + pick]
        return cond, rows

    def sample_batch(self, n: int, generator: torch.Generator | None) -> ConditionBatch | None:
        """Conditions for generation, at the real categories' frequencies."""
        ids = self.sample_ids(n, generator)
        return None if ids is None else self._from_ids(ids)

    def sample_ids(self, n: int, generator: torch.Generator | None) -> Tensor | None:
        """:meth:`sample_batch`'s conditions as indices into the conditional vector only (what
        :meth:`Generator.generate <tabgan.gan.networks.Generator.generate>` takes), without
        building the one-hot vectors."""
        if self.n_columns == 0:
            return None
        return torch.multinomial(self.sample_probs, n, replacement=True, generator=generator)

    def span_index(self, column: str) -> int:
        """Index into ``layout.cond_spans`` of a discrete column's conditional span.

        Raises
        ------
        KeyError
            ``column`` has no conditional span (not discrete, or constant).
        """
        for i, span in enumerate(self.layout.cond_spans):
            if span.column == column:
                return i
        raise KeyError(column)

    def span_counts(self, span: int) -> Tensor:
        """Training rows per category of one conditional span (float64, on the CPU)."""
        start = int(self.span_start[span])
        width = self.layout.cond_spans[span].width
        return self.counts[start : start + width].detach().to("cpu")

    def fixed_batch(self, n: int, span: int, category: int) -> ConditionBatch:
        """``n`` copies of one condition (span index, category within it)."""
        return self._from_ids(self.fixed_ids(n, span, category))

    def fixed_ids(self, n: int, span: int, category: int) -> Tensor:
        """:meth:`fixed_batch` as indices into the conditional vector only."""
        device = self.cat_column.device
        return torch.full((n,), int(self.span_start[span]) + category, device=device)


NOISE_PARTS = 4  # fixed, so a seed gives the same noise whatever the thread count
NOISE_MIN_ROWS = 4096  # fewer rows: one part (threads cost more than they save)


def noise(n: int, dim: int, device: torch.device, generator: torch.Generator) -> Tensor:
    """``(n, dim)`` standard normal noise for the generator.

    torch draws normal numbers on one CPU core, so
    on the CPU the rows are split into ``NOISE_PARTS`` parts, each drawn by its own generator,
    seeded from ``generator``, in threads (torch releases the GIL while it draws).
    """
    if device.type != "cpu" or n < NOISE_MIN_ROWS:
        return torch.randn(n, dim, device=device, generator=generator)
    seeds = torch.randint(2**62, (NOISE_PARTS,), generator=generator, device=device).tolist()
    out = torch.empty(n, dim, device=device)
    parts = out.chunk(NOISE_PARTS)

    inference = torch.is_inference_mode_enabled()  # thread-local: carried into the workers

    def fill(i: int) -> None:
        with torch.inference_mode(inference):
            parts[i].normal_(generator=torch.Generator(device).manual_seed(seeds[i]))

    workers = min(NOISE_PARTS, torch.get_num_threads())
    if workers <= 1:  # e.g. in a sampling lane: a pool of one thread would only add a hand-off
        for i in range(len(parts)):
            fill(i)
        return out
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(fill, range(len(parts))))
    return out
