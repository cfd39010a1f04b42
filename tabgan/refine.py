"""Refinement: reject the synthetic rows a real-vs-synthetic classifier finds least real.

After the GAN is trained, a small classifier learns to tell real training rows from rows the
generator made. Its odds ``w(x) = P(real | x) / P(synthetic | x)`` estimate the density ratio
``p_real(x) / p_gan(x)`` (the sides are balanced), so accepting a generated row with probability
``min(1, w(x) / c)`` draws rows whose density is ``p_gan(x) * min(1, w(x) / c)``: where the
generator over-produces (``w`` small) rows are thinned, where it is right they are kept. This is
discriminator rejection sampling (Azadi et al., 2019) with the likelihood-free importance weights
of Grover et al. (2019). The threshold ``c`` is the ``ACCEPT_QUANTILE`` quantile of ``w`` on
held-out generated rows, so about ``1 - ACCEPT_QUANTILE`` of them are accepted outright and the
cost is a bounded factor of generation (a 300-epoch Adult model keeps 46% of the rows it generates).

The classifier sees each row as: per numeric column its rank among the real values (an
interpolated quantile, in [0, 1]) plus a missing flag where the column had missing values, and per
discrete column a one-hot of its category. It is early-stopped on held-out rows of both sides and
skipped altogether unless its held-out gain over chance is at least ``MIN_Z`` standard errors,
so a gain within noise never filters anything; it is chosen by held-out log loss, not by how well
it fits the training rows. Measured on Adult, the filtered rows lie as close to the training rows
as fresh real rows do, not closer (benchmarks/results/ablation-20261125.md).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from tabgan.encoding.convert import numeric_values
from tabgan.encoding.numeric import NumericCodec
from tabgan.encoding.spans import Activation, Draw, SpanRole
from tabgan.encoding.table import TableEncoder
from tabgan.gan.networks import ByteDropout
from tabgan.gan.optim import adam

ACCEPT_QUANTILE = 0.8  # c: this quantile of the odds on held-out generated rows
QUANTILE_POINTS = 129  # per numeric column, for the rank feature
MAX_ROWS = 50_000  # per side: more rows barely sharpen the classifier and cost seconds
MIN_ROWS = 100  # fewer real rows: no classifier (it would learn noise)
MIN_Z = 3.0  # the classifier's held-out gain over chance must be this many standard errors
HIDDEN = (256, 256)
MAX_EPOCHS = 10
BATCH = 256
VALIDATION = 0.2
DROPOUT = 26 / 256  # about 10%, a whole number of 256ths (ByteDropout)


class RowFeatures:
    """Rows in span form plus their numbers -> the classifier's float32 features."""

    def __init__(self, encoder: TableEncoder, quantiles: dict[str, list[float]]) -> None:
        self.encoder = encoder
        self.quantiles = {k: np.asarray(v, dtype=np.float64) for k, v in quantiles.items()}
        self.numeric = []  # (column name, quantile grid, has a missing flag)
        for spec, codec in zip(encoder.schema_, encoder.codecs_, strict=True):
            if isinstance(codec, NumericCodec):
                self.numeric.append((spec.name, self.quantiles[spec.name], bool(codec.states)))
        self.numeric_width = sum(1 + m for _, _, m in self.numeric)
        soft = [s for s in encoder.spans if s.activation is Activation.SOFTMAX]
        # the Draw rows of the CATEGORY spans, and where each one's one-hot starts
        self.category_rows = [i for i, s in enumerate(soft) if s.role is SpanRole.CATEGORY]
        widths = [soft[i].width for i in self.category_rows]
        self.category_starts = np.cumsum([self.numeric_width, *widths[:-1]], dtype=np.int64)
        self.width = self.numeric_width + sum(widths)

    @classmethod
    def fit(cls, encoder: TableEncoder, real: pd.DataFrame) -> RowFeatures:
        """Learn each numeric column's quantile grid from the real rows."""
        quantiles = {}
        for spec, codec in zip(encoder.schema_, encoder.codecs_, strict=True):
            if isinstance(codec, NumericCodec):
                values = numeric_values(real[spec.name], spec)
                values = values[np.isfinite(values)]
                grid = (
                    np.quantile(values, np.linspace(0, 1, QUANTILE_POINTS))
                    if values.size
                    else [0.0]
                )
                quantiles[spec.name] = [float(q) for q in grid]
        return cls(encoder, quantiles)

    def ranks(self, numbers: dict[str, np.ndarray], n: int) -> np.ndarray:
        """``(n, numeric_width)``: each numeric column's rank, then its missing flag if any.
        ``numbers`` maps column names to float values (:meth:`TableEncoder.numbers`)."""
        out = np.zeros((n, self.numeric_width), dtype=np.float32)
        col = 0
        for name, grid, flag in self.numeric:
            values = numbers[name]
            finite = np.isfinite(values)
            ranks = np.linspace(0.0, 1.0, len(grid)) if len(grid) > 1 else np.zeros(1)
            out[:, col] = np.interp(np.where(finite, values, grid[0]), grid, ranks)
            col += 1
            if flag:
                out[:, col] = ~finite
                col += 1
        return out

    def category_ids(self, draw: Draw) -> np.ndarray:
        """``(n, n_categorical)``: the feature index of each categorical column's one-hot 1."""
        return (draw.choices[self.category_rows] + self.category_starts[:, None]).T

    def __call__(self, draw: Draw, numbers: dict[str, np.ndarray]) -> np.ndarray:
        """The dense features: numeric ranks and flags, then the categories' one-hots."""
        n = len(draw)
        out = np.zeros((n, self.width), dtype=np.float32)
        out[:, : self.numeric_width] = self.ranks(numbers, n)
        ids = self.category_ids(draw)
        out[np.arange(n)[:, None], ids] = 1.0
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"quantiles": {k: [float(x) for x in v] for k, v in self.quantiles.items()}}


def classifier_network(input_dim: int, hidden: tuple[int, ...] = HIDDEN) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = input_dim
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU(), ByteDropout(DROPOUT)]
        width = h
    layers.append(nn.Linear(width, 1))
    return nn.Sequential(*layers)


class Refiner:
    """A fitted real-vs-synthetic classifier and its acceptance threshold."""

    def __init__(
        self,
        features: RowFeatures,
        classifier: nn.Sequential,
        log_threshold: float,
        accept_rate: float,
    ) -> None:
        self.features = features
        self.classifier = classifier.eval()
        self.log_threshold = float(log_threshold)
        self.accept_rate = float(accept_rate)  # expected share of generated rows kept
        self.evidence: float | None = None  # held-out gain over chance in standard errors

    def log_odds(
        self, draw: Draw, block: int = 8192, dtype: torch.dtype | None = None
    ) -> np.ndarray:
        """The classifier's log-odds that each generated row is real.

        The eval-mode forward written out (dropout is the identity), in cache-sized blocks
        whose one-hot features are built in place; ``dtype`` (default: the weights') runs the
        products in another precision, as :meth:`Generator.blocks
        <tabgan.gan.networks.Generator.blocks>` does."""
        linears = [m for m in self.classifier if isinstance(m, nn.Linear)]
        device = linears[0].weight.device
        dtype = dtype or linears[0].weight.dtype
        layers = [(m.weight.T.to(dtype), m.bias.to(dtype)) for m in linears]
        n, k = len(draw), self.features.numeric_width
        ranks = self.features.ranks(self.features.encoder.numbers(draw), n)
        ranks = torch.from_numpy(ranks).to(device)
        ids = torch.from_numpy(self.features.category_ids(draw)).to(device)
        x = torch.empty(min(block, n), self.features.width, device=device, dtype=dtype)
        out = torch.empty(n, device=device)
        with torch.inference_mode():
            for lo in range(0, n, block):
                h = x[: min(block, n - lo)]
                h.zero_()
                h[:, :k] = ranks[lo : lo + block]
                h.scatter_(1, ids[lo : lo + block], 1.0)
                for weight, bias in layers[:-1]:
                    h = torch.addmm(bias, h, weight).clamp_min_(0)
                weight, bias = layers[-1]
                out[lo : lo + block] = torch.addmm(bias, h, weight).squeeze(1)
        return out.to("cpu", torch.float64).numpy()

    def accept(
        self, draw: Draw, rng: np.random.Generator, dtype: torch.dtype | None = None
    ) -> np.ndarray:
        """Boolean mask of the rows to keep: each with probability ``min(1, w / c)``."""
        log_p = np.minimum(self.log_odds(draw, dtype=dtype) - self.log_threshold, 0.0)
        return np.log(rng.random(len(draw))) < log_p

    # ------------------------------------------------------------ persistence
    def to_state(self) -> tuple[dict[str, Any], dict[str, Tensor]]:
        meta = {
            "features": self.features.to_dict(),
            "log_threshold": self.log_threshold,
            "accept_rate": self.accept_rate,
        }
        tensors = {k: v.detach().to("cpu") for k, v in self.classifier.state_dict().items()}
        return meta, tensors

    @classmethod
    def from_state(
        cls, encoder: TableEncoder, meta: dict[str, Any], tensors: dict[str, Tensor]
    ) -> Refiner:
        """Rebuild from :meth:`to_state` output; layer sizes come from the stored weights
        (bounded by the file's size), and must chain from the feature width to one output."""
        features = RowFeatures(encoder, meta["features"]["quantiles"])
        weights = sorted(k for k in tensors if k.endswith(".weight"))
        shapes = [
            tuple(tensors[k].shape) for k in sorted(weights, key=lambda k: int(k.split(".")[0]))
        ]
        if not shapes or shapes[0][1:] != (features.width,) or shapes[-1][0] != 1:
            raise ValueError("refiner weights do not match the encoder's features")
        hidden = tuple(s[0] for s in shapes[:-1])
        for (out_dim, _), (_, in_dim) in itertools.pairwise(shapes):
            if out_dim != in_dim:
                raise ValueError("refiner layers do not chain")
        classifier = classifier_network(features.width, hidden)
        classifier.load_state_dict(tensors, strict=True)
        threshold, rate = float(meta["log_threshold"]), float(meta["accept_rate"])
        if not (math.isfinite(threshold) and 0.0 < rate <= 1.0):
            raise ValueError("refiner threshold or acceptance rate out of range")
        return cls(features, classifier, threshold, rate)


def _layer_index(key: str) -> int:
    head = key.split(".", 1)[0]
    if not head.isdigit():
        raise ValueError(f"unexpected refiner weight {key!r}")
    return int(head)


def _split(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(n)
    cut = max(1, round(n * VALIDATION))
    return order[cut:], order[:cut]


def fit_refiner(
    encoder: TableEncoder,
    real: pd.DataFrame,
    real_matrix: np.ndarray,
    fake: Draw,
    seed: int,
    device: torch.device,
) -> Refiner | None:
    """Train the classifier on real rows (the table and its encoding) vs generated ones
    (``MAX_ROWS`` per side at most).

    Returns ``None`` when there are too few rows or the classifier's held-out gain over chance
    is under ``MIN_Z`` standard errors (then there is nothing to correct, or nothing trustworthy).
    """
    n = min(len(real), len(fake), MAX_ROWS)
    if n < MIN_ROWS:
        return None
    rng = np.random.default_rng(seed)
    pick_real = rng.choice(len(real), n, replace=False) if len(real) > n else np.arange(n)
    real = real.iloc[pick_real]
    real_draw = Draw.from_matrix(real_matrix[pick_real], encoder.spans)
    fake = fake.take(np.arange(n))
    features = RowFeatures.fit(encoder, real)
    real_numbers = {
        name: numeric_values(real[name], encoder.schema_[name]) for name, *_ in features.numeric
    }
    x_real = torch.from_numpy(features(real_draw, real_numbers))
    x_fake = torch.from_numpy(features(fake, encoder.numbers(fake)))
    tr_r, va_r = _split(n, rng)
    tr_f, va_f = _split(n, rng)
    x_train = torch.cat([x_real[tr_r], x_fake[tr_f]]).to(device)
    y_train = torch.cat([torch.ones(len(tr_r)), torch.zeros(len(tr_f))]).to(device)
    x_val = torch.cat([x_real[va_r], x_fake[va_f]]).to(device)
    y_val = torch.cat([torch.ones(len(va_r)), torch.zeros(len(va_f))]).to(device)

    gen = torch.Generator().manual_seed(seed)
    # weight init and dropout draw from torch's global stream: seeded inside forks that are
    # undone on exit (the CUDA device's stream too), so the caller's random state is untouched
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        classifier = classifier_network(features.width).to(device)
    opt = adam(classifier.parameters(), device, lr=1e-3, weight_decay=1e-2, decoupled=True)
    loss_fn = nn.functional.binary_cross_entropy_with_logits
    best, best_state, stale = math.log(2.0) - 1e-3, None, 0
    for _ in range(MAX_EPOCHS):
        classifier.train()
        order = torch.randperm(len(x_train), generator=gen).to(device)
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(int(torch.randint(2**31, (1,), generator=gen)))
            for idx in order.split(BATCH):
                loss = loss_fn(classifier(x_train[idx]).squeeze(1), y_train[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
        classifier.eval()
        with torch.inference_mode():
            val = float(loss_fn(classifier(x_val).squeeze(1), y_val))
        if val < best:
            best, stale = val, 0
            best_state = {k: v.detach().clone() for k, v in classifier.state_dict().items()}
        else:
            stale += 1
            if stale >= 2:
                break
    if best_state is None:
        return None
    classifier.load_state_dict(best_state)
    classifier.eval()
    with torch.inference_mode():
        scores = classifier(x_val).squeeze(1)
        losses = loss_fn(scores, y_val, reduction="none").to("cpu", torch.float64).numpy()
        odds = scores[len(va_r) :].to("cpu", torch.float64).numpy()
    # the held-out gain over chance, in standard errors: a gain within noise is no evidence
    gain = math.log(2.0) - losses
    z = float(gain.mean() / max(gain.std(ddof=1) / math.sqrt(len(gain)), 1e-12))
    if z < MIN_Z:
        return None
    log_threshold = float(np.quantile(odds, ACCEPT_QUANTILE))
    rate = float(np.mean(np.exp(np.minimum(odds - log_threshold, 0.0))))
    refiner = Refiner(features, classifier, log_threshold, rate)
    refiner.evidence = z
    return refiner
