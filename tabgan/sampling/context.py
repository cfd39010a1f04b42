"""The sampling context: the fitted parts every draw needs, and the draw of raw rows.

A :class:`SamplingContext` is built from a fitted :class:`~tabgan.TabGAN` (or, mid-fit, from
the trainer's current generator) and holds nothing else: the engine, the conditions and the
balancing code take it instead of the estimator, so they never reach into estimator internals.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from tabgan.encoding import Draw, TableEncoder
from tabgan.gan import ConditionalSampler, Generator, TorchLayout
from tabgan.gan.sampler import noise
from tabgan.validation import torch_seed


@dataclass(frozen=True)
class SamplingContext:
    """What sampling needs from a fitted model.

    Parameters
    ----------
    encoder : TableEncoder
        Decodes generated rows and answers questions about the columns.
    layout : TorchLayout
        The encoder's spans on the device.
    condition_sampler : ConditionalSampler
        Draws conditional vectors at the training frequencies; knows each discrete column's
        span and category counts.
    generator : Generator
        The network to sample from.
    refiner : tabgan.refine.Refiner or None
        The post-training real-vs-synthetic filter, if any.
    device : torch.device
        Where the generator runs.
    dtype : torch.dtype
        Precision of the generator's (and the refiner's) matrix products.
    constraints : tabgan.constraints.ConstraintSet or None
        Declared constraints every kept row must satisfy (repaired where a value can be
        derived, otherwise rejected).
    """

    encoder: TableEncoder
    layout: TorchLayout
    condition_sampler: ConditionalSampler
    generator: Generator
    refiner: Any
    device: torch.device
    dtype: torch.dtype
    constraints: Any = None

    @property
    def constrained(self) -> bool:
        """Whether declared constraints filter the rows."""
        return self.constraints is not None and len(self.constraints) > 0

    @property
    def columns(self) -> list[str]:
        """The table's column names, in order."""
        return list(self.encoder.schema_.names)

    @contextlib.contextmanager
    def eval_mode(self) -> Iterator[Generator]:
        """The generator in eval mode for the duration (its mode is restored after)."""
        generator = self.generator
        was_training = generator.training
        generator.eval()
        try:
            yield generator
        finally:
            generator.train(was_training)

    def streams(self, ss: np.random.SeedSequence) -> tuple[torch.Generator, np.random.Generator]:
        """A unit's random streams: torch's (noise, conditions, draws) on the device, and
        numpy's (refiner acceptance, decoding)."""
        torch_ss, numpy_ss = ss.spawn(2)
        rng = torch.Generator(device=self.device)
        rng.manual_seed(torch_seed(torch_ss))
        return rng, np.random.default_rng(numpy_ss)

    def generate(
        self, n: int, rng: torch.Generator, condition: tuple[int, int] | None = None
    ) -> Draw:
        """``n`` generated rows in span form. ``condition=(span, category)`` fixes the
        conditional vector (an index into ``layout.cond_spans`` and a category within it)
        instead of drawing it at the training frequencies. Call within :meth:`eval_mode`."""
        layout, device, generator = self.layout, self.device, self.generator
        values = torch.empty(len(layout.tanh_index), n, device=device)
        choices = torch.zeros(layout.soft.n, n, dtype=torch.int32, device=device)
        if layout.output_dim:
            with torch.inference_mode():
                if condition is None:
                    ids = self.condition_sampler.sample_ids(n, rng)
                else:
                    ids = self.condition_sampler.fixed_ids(n, *condition)
                z = noise(n, generator.args["noise_dim"], device, rng)
                # CPU blocks stay in cache; a GPU wants them large
                block = 4096 if device.type == "cpu" else 65536
                for lo, raw_t in generator.blocks(z, ids, block, self.dtype):
                    part_values, part_choices = layout.draw(raw_t, rng)
                    values[:, lo : lo + raw_t.shape[1]] = part_values
                    choices[:, lo : lo + raw_t.shape[1]] = part_choices
        return Draw(values.to("cpu").numpy(), choices.to("cpu").numpy())


def context_of(source: Any) -> SamplingContext:
    """``source`` itself if it is a context, else ``source.sampling_context()`` (a fitted
    :class:`~tabgan.TabGAN`)."""
    if isinstance(source, SamplingContext):
        return source
    return source.sampling_context()


__all__ = ["SamplingContext", "context_of"]
