"""Generator (residual MLP) and PacGAN discriminator, built from plain constructor arguments so a
saved model can rebuild them without pickling any object."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator, Sequence

import torch
from torch import Tensor, nn


class _Residual(nn.Module):
    """``x -> cat([relu(bn(linear(x))), x])``: width grows, earlier features pass straight on."""

    def __init__(self, in_dim: int, out_dim: int) -> None:
        super().__init__()
        self.fc = nn.Linear(in_dim, out_dim)
        self.bn = nn.BatchNorm1d(out_dim)

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([torch.relu(self.bn(self.fc(x))), x], dim=1)


class Generator(nn.Module):
    """Maps noise plus a conditional vector to raw (pre-activation) encoded rows."""

    def __init__(self, noise_dim: int, cond_dim: int, hidden: Sequence[int], output_dim: int):
        super().__init__()
        self.args = {
            "noise_dim": noise_dim,
            "cond_dim": cond_dim,
            "hidden": list(hidden),
            "output_dim": output_dim,
        }
        layers: list[nn.Module] = []
        width = noise_dim + cond_dim
        for h in hidden:
            layers.append(_Residual(width, h))
            width += h
        with warnings.catch_warnings():
            # a table of only constant/empty columns has nothing to generate: a 0-wide layer
            warnings.filterwarnings("ignore", message="Initializing zero-element tensors")
            layers.append(nn.Linear(width, output_dim))
        self.net = nn.Sequential(*layers)

    @staticmethod
    def parameter_shapes(
        noise_dim: int, cond_dim: int, hidden: Sequence[int], output_dim: int
    ) -> dict[str, tuple[int, ...]]:
        """The ``state_dict`` shapes these arguments build, computed without allocating: a
        loader checks untrusted sizes against the stored weights before building anything."""
        shapes: dict[str, tuple[int, ...]] = {}
        width = noise_dim + cond_dim
        for i, h in enumerate(hidden):
            shapes[f"net.{i}.fc.weight"] = (h, width)
            shapes[f"net.{i}.fc.bias"] = (h,)
            for name in ("weight", "bias", "running_mean", "running_var"):
                shapes[f"net.{i}.bn.{name}"] = (h,)
            shapes[f"net.{i}.bn.num_batches_tracked"] = ()
            width += h
        shapes[f"net.{len(hidden)}.weight"] = (output_dim, width)
        shapes[f"net.{len(hidden)}.bias"] = (output_dim,)
        return shapes

    def forward(self, z: Tensor) -> Tensor:
        if self.training or torch.is_grad_enabled():
            return self.net(z)
        return self._infer(z)

    def _infer(self, z: Tensor) -> Tensor:
        """Inference on ``z = cat([noise, condition])``, any condition values."""
        return self.generate(z, None)

    @torch.no_grad()
    def generate(
        self,
        noise: Tensor,
        cond_ids: Tensor | None,
        block: int = 4096,
        dtype: torch.dtype | None = None,
    ) -> Tensor:
        """Eval-mode raw rows ``(n, output_dim)`` in float32; see :meth:`blocks`."""
        out = torch.empty(noise.shape[0], self.args["output_dim"], device=noise.device)
        for lo, raw_t in self.blocks(noise, cond_ids, block, dtype):
            out[lo : lo + raw_t.shape[1]] = raw_t.T
        return out

    @torch.no_grad()
    def blocks(
        self,
        noise: Tensor,
        cond_ids: Tensor | None,
        block: int = 4096,
        dtype: torch.dtype | None = None,
    ) -> Iterator[tuple[int, Tensor]]:
        """Eval-mode raw rows from noise and each row's conditional category (its index in the
        one-hot condition vector), ``block`` rows at a time, without building that vector or the
        residual concatenations. With ``cond_ids=None``, ``noise`` may instead be the whole
        input ``cat([noise, condition])``.

        Yields ``(start, raw_t)``: the rows ``start : start + raw_t.shape[1]`` transposed, a
        float32 ``(output_dim, rows)`` tensor (one span's values contiguous for the per-span
        draws), valid until the next block is asked for.

        Each batch norm is folded into its linear layer once, then rows go through in blocks
        small enough for every layer's activations to stay in cache. Within a block every
        layer writes its output into one preallocated buffer (the layout ``cat`` would build),
        and the one-hot part of every layer's input, a matmul over ``cond_dim`` mostly-zero
        columns, is a row gather of the weight instead (about a quarter of the work on Adult).
        ``dtype`` (default: the weights') runs the layers in another precision, e.g. bfloat16
        where the CPU multiplies it natively;
        the output is float32 either way.
        """
        *hidden, head = self.net
        dtype = dtype or head.weight.dtype
        cond_dim = self.args["cond_dim"]
        layers = []
        for b in hidden:
            bn = b.bn
            scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            weight = b.fc.weight * scale[:, None]
            layers.append((weight, (b.fc.bias - bn.running_mean) * scale + bn.bias))
        layers.append((head.weight, head.bias))
        widths = [b.fc.out_features for b in hidden]
        total = sum(widths) + noise.shape[1]
        # per layer: the whole weight (when x carries the condition), the weight of the other
        # inputs, and bias plus each condition's weight row, contiguous for a fast row gather
        prepared = []
        for weight, bias in layers:
            weight, bias = weight.to(dtype), bias.to(dtype)
            rows = (weight[:, -cond_dim:].T + bias).contiguous() if cond_dim else None
            prepared.append((weight.T, weight[:, : weight.shape[1] - cond_dim].T, bias, rows))

        def linear(layer: tuple, x: Tensor, ids: Tensor | None) -> Tensor:
            whole, other, bias, cond_rows = layer
            if not cond_dim or x.shape[1] == whole.shape[0]:  # the condition is in x
                return torch.addmm(bias, x, whole)
            if ids is None:
                return torch.addmm(bias, x, other)
            return torch.addmm(cond_rows.index_select(0, ids), x, other)

        size = min(block, noise.shape[0])
        buf = torch.empty(size, total, device=noise.device, dtype=dtype)
        raw_t = torch.empty(self.args["output_dim"], size, device=noise.device)
        for lo in range(0, noise.shape[0], block):
            part = noise[lo : lo + block]
            ids = None if cond_ids is None else cond_ids[lo : lo + block]
            rows = buf[: part.shape[0]]
            start = total - part.shape[1]
            rows[:, start:] = part
            for layer, width in zip(prepared[:-1], widths, strict=True):
                h = linear(layer, rows[:, start:], ids)
                start -= width
                rows[:, start : start + width] = h.clamp_min_(0)
            out_t = raw_t[:, : part.shape[0]]
            out_t.copy_(linear(prepared[-1], rows, ids).T)
            yield lo, out_t


def random_bytes(n: int, device: torch.device) -> Tensor:
    """``n`` uniform random bytes from torch's global stream (``uint8``, 1-D)."""
    # random_() fills int64 with 63 random bits: bytes 0-6 are uniform, the top one is not
    words = torch.empty(-(-n // 7), dtype=torch.int64, device=device).random_()
    octets = words.view(torch.uint8).view(-1, 8)
    octets = octets[:, :7] if sys.byteorder == "little" else octets[:, 1:]
    return octets.reshape(-1)[:n]


class ByteDropout(nn.Module):
    """Dropout (while training) whose CPU masks come from random bytes: a unit is kept when its
    byte is below ``keep = round(256 * (1 - p))``, so ``p`` is rounded to a multiple of 1/256
    (0.5 is exact). torch's CPU dropout draws each unit through its Bernoulli sampler, which
    was several times slower than this in an unrecorded micro-benchmark and a visible part of
    a training step's profile. Elsewhere (GPUs) it is torch's dropout. Both draw from torch's
    global random stream.
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = float(p)
        self.keep = round(256 * (1.0 - self.p))

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.keep >= 256:
            return x
        if x.device.type != "cpu":
            return nn.functional.dropout(x, self.p, training=True)
        return x * self.mask(x)

    def mask(self, x: Tensor) -> Tensor | None:
        """The scaled mask that :meth:`forward` multiplies ``x`` by (``None``: it passes
        ``x`` unchanged), for code that applies this layer by hand (the critic's closed-form
        gradients); on a GPU a Bernoulli mask of torch's own."""
        if not self.training or self.keep >= 256:
            return None
        if self.keep <= 0:
            return torch.zeros_like(x)
        if x.device.type != "cpu":
            keep = self.keep / 256.0
            return torch.empty_like(x).bernoulli_(keep).div_(keep)
        octets = random_bytes(x.numel(), x.device).view(x.shape)
        return (octets < self.keep).to(x.dtype).mul_(256.0 / self.keep)


#: negative slope of the critic's leaky ReLUs
LEAKY_SLOPE = 0.2


class Discriminator(nn.Module):
    """PacGAN critic: scores groups of ``pac`` rows (with their conditions) at once."""

    def __init__(self, input_dim: int, hidden: Sequence[int], pac: int, dropout: float = 0.5):
        super().__init__()
        self.args = {
            "input_dim": input_dim,
            "hidden": list(hidden),
            "pac": pac,
            "dropout": dropout,
        }
        self.pac = pac
        self.packed_dim = input_dim * pac
        layers: list[nn.Module] = []
        width = self.packed_dim
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Initializing zero-element tensors")
            for h in hidden:
                layers += [nn.Linear(width, h), nn.LeakyReLU(LEAKY_SLOPE), ByteDropout(dropout)]
                width = h
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.reshape(-1, self.packed_dim))

    def blocks(self) -> tuple[list[tuple[nn.Linear, ByteDropout]], nn.Linear]:
        """The hidden layers as ``(linear, dropout)`` pairs (each followed by a leaky ReLU of
        slope :data:`LEAKY_SLOPE`, then the dropout), and the scoring head."""
        modules = list(self.net)
        hidden = [(modules[i], modules[i + 2]) for i in range(0, len(modules) - 1, 3)]
        return hidden, modules[-1]
