"""Sampling a fitted :class:`~tabgan.TabGAN`: units of rows on lanes, refined or plain.

Rows are made in units (at most ``chunk`` rows, or with a refiner ``chunk`` candidates), each
from its own seed, spawned in order from the call's seed. Units run on parallel lanes on the
CPU (:mod:`tabgan.lanes`) and come back in order, so a seed gives the same rows whatever the
thread count. With a refiner (:mod:`tabgan.refine`), each unit keeps the candidates the filter
accepts and only those are decoded. Conditional sampling (:mod:`tabgan.conditions`) builds on
the same pieces.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch

from tabgan.encoding import Draw
from tabgan.gan.sampler import noise
from tabgan.lanes import Lanes, lane_count

if TYPE_CHECKING:
    from tabgan.model import TabGAN


def iter_samples(
    model: TabGAN, n: int, ss: np.random.SeedSequence, chunk: int
) -> Iterator[pd.DataFrame]:
    """``n`` rows as DataFrames of ``chunk`` rows (the last one shorter)."""
    refiner = getattr(model, "refiner_", None)
    with sampling_generator(model) as generator, Lanes(lane_count(model.device_)) as lanes:
        if refiner is not None:
            yield from _refined_chunks(model, generator, lanes, refiner, n, ss, chunk)
            return
        sizes = [min(chunk, n - lo) for lo in range(0, n, chunk)][::-1]
        while sizes or len(lanes):
            while sizes and not lanes.full:
                lanes.submit(unit, model, generator, sizes.pop(), ss.spawn(1)[0], None)
            yield lanes.next()


def _refined_chunks(model, generator, lanes: Lanes, refiner, n: int, ss, chunk: int):
    """Chunks of accepted rows: units of ``size`` candidates are kept in flight while the
    accepted rows seen so far, plus what the units in flight should bring at the acceptance
    rate seen so far, fall short of ``n`` (decided on finished units only, so the same seed
    gives the same units)."""
    from tabgan.conditions import candidate_rows

    size = min(chunk, candidate_rows(n, 0, 0, refiner.accept_rate))
    kept: list[pd.DataFrame] = []
    have = generated = accepted = 0
    remaining = n
    while remaining > 0:
        rate = (accepted + 1) / (generated + 1) if generated else refiner.accept_rate
        while not lanes.full and have + len(lanes) * size * rate < (remaining + 16) * 1.1:
            lanes.submit(unit, model, generator, size, ss.spawn(1)[0], refiner)
        frame = lanes.next()
        generated, accepted = generated + size, accepted + len(frame)
        kept.append(frame)
        have += len(frame)
        while have >= min(chunk, remaining) and remaining > 0:
            want = min(chunk, remaining)
            rows = pd.concat(kept, ignore_index=True) if len(kept) > 1 else kept[0]
            yield rows.iloc[:want].reset_index(drop=True)
            kept, have, remaining = [rows.iloc[want:]], have - want, remaining - want


def unit(
    model: TabGAN, generator, size: int, ss: np.random.SeedSequence, refiner: Any
) -> pd.DataFrame:
    """``size`` rows decoded (with a refiner: the accepted ones among ``size`` candidates),
    from their own seed."""
    rng, decode_rng = unit_streams(model, ss)
    draw = generate_rows(model, generator, size, rng, None)
    if refiner is not None:
        draw = draw.take(refiner.accept(draw, decode_rng, model._sample_dtype()))
    return model.encoder_.decode(draw, decode_rng)


def unit_streams(
    model: TabGAN, ss: np.random.SeedSequence
) -> tuple[torch.Generator, np.random.Generator]:
    """A unit's random streams: torch's (noise, conditions, draws) on the model's device, and
    numpy's (refiner acceptance, decoding)."""
    from tabgan.model import _torch_seed

    torch_ss, numpy_ss = ss.spawn(2)
    rng = torch.Generator(device=model.device_)
    rng.manual_seed(_torch_seed(torch_ss))
    return rng, np.random.default_rng(numpy_ss)


@contextlib.contextmanager
def sampling_generator(model: TabGAN):
    """The generator to sample from (mid-training: the trainer's), in eval mode."""
    trainer = getattr(model, "_trainer", None)
    generator = trainer.sampling_generator() if trainer is not None else model.generator_
    was_training = generator.training
    generator.eval()
    try:
        yield generator
    finally:
        generator.train(was_training)


def generate_rows(
    model: TabGAN,
    generator,
    n: int,
    rng: torch.Generator,
    condition: tuple[int, int] | None = None,
) -> Draw:
    """``n`` generated rows in span form. ``condition=(span, category)`` fixes the conditional
    vector (an index into ``layout_.cond_spans`` and a category within it) instead of drawing
    it."""
    layout = model.layout_
    device = model.device_
    values = torch.empty(len(layout.tanh_index), n, device=device)
    choices = torch.zeros(layout.soft.n, n, dtype=torch.int32, device=device)
    if layout.output_dim:
        with torch.inference_mode():
            if condition is None:
                ids = model.sampler_.sample_ids(n, rng)
            else:
                ids = model.sampler_.fixed_ids(n, *condition)
            z = noise(n, generator.args["noise_dim"], device, rng)
            # CPU blocks stay in cache; a GPU wants them large
            block = 4096 if device.type == "cpu" else 65536
            for lo, raw_t in generator.blocks(z, ids, block, model._sample_dtype()):
                part_values, part_choices = layout.draw(raw_t, rng)
                values[:, lo : lo + raw_t.shape[1]] = part_values
                choices[:, lo : lo + raw_t.shape[1]] = part_choices
    return Draw(values.to("cpu").numpy(), choices.to("cpu").numpy())
