r"""The critic's gradients in closed form: the WGAN-GP loss without a double backward, and the
generator's adversarial loss without autograd through the critic.

The critic is an MLP of linear layers, leaky ReLUs and dropout. For a fixed dropout mask each
hidden unit is linear in its input with slope :math:`s = m \cdot (1 \text{ if } h > 0 \text{ else }
0.2)`, and :math:`s` does not change under a small change of the weights. So the score's input
gradient of a pack is a chain of matrix products,

.. math:: v_L = w_{head}, \quad u_l = v_l \odot s_l, \quad v_{l-1} = u_l W_l, \quad g = v_0,

and the penalty :math:`\lambda\,\mathrm{mean}(\lVert g \rVert - 1)^2` differentiates through that
chain with first-order products only: with :math:`G_0 = \partial P / \partial g` and
:math:`G_l = (G_{l-1} W_l^\top) \odot s_l`, the penalty adds :math:`u_l^\top G_{l-1}` to
:math:`\partial W_l` and :math:`\sum G_L` to the head's weight (biases only move the slopes).

These are the gradients autograd gives (tests/gan/test_gradients.py checks them against it).
Autograd sent the penalty's input gradient through all real and fake packs too (zeros for
them), ran the first layer's products again for the second order, and summed two first-layer
weight gradients of different memory layouts, the slowest add of a step on the project's 2-core
CPU. Here every weight gradient is one matrix product over the real, fake and mixed packs; with
the generator side below, 500-row fits ran about 1.2x faster there
(benchmarks/results/abfit-*-closed-form-*).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from tabgan.gan.networks import LEAKY_SLOPE, ByteDropout, Discriminator

Blocks = list[tuple[nn.Linear, ByteDropout]]


def _forward(
    hidden: Blocks, head: nn.Linear, x: Tensor
) -> tuple[list[Tensor], list[Tensor], Tensor]:
    """The critic (``Discriminator.blocks()``) on packed rows ``x``: each layer's input (the
    last is the head's), each hidden layer's slopes (dropout included, masks drawn as
    :meth:`Discriminator.forward` draws them) and the scores, float32 ``(packs, 1)``."""
    inputs, slopes = [], []
    a = x
    for linear, dropout in hidden:
        h = torch.addmm(linear.bias, a, linear.weight.t())
        slope = torch.where(h > 0, 1.0, LEAKY_SLOPE).to(h.dtype)
        mask = dropout.mask(h)
        if mask is not None:
            slope = slope * mask
        inputs.append(a)
        slopes.append(slope)
        a = h * slope
    inputs.append(a)
    return inputs, slopes, torch.addmm(head.bias, a, head.weight.t()).float()


def _input_gradient(
    hidden: Blocks, slopes: list[Tensor], top: Tensor, to_input: bool = True
) -> tuple[list[Tensor], Tensor | None]:
    """Back from the head: ``([u_1, ..., u_L], g)`` for packs whose score gradients times the
    head's weight are ``top`` (``(packs, width_L)``); ``slopes`` are those packs'. ``u_l`` is
    the gradient at layer ``l``'s pre-activation and ``g`` at the input (``None`` unless
    ``to_input``: the first layer's product is skipped)."""
    chain: list[Tensor] = []
    v: Tensor | None = top
    for i in range(len(hidden) - 1, -1, -1):
        chain.insert(0, v * slopes[i])
        v = chain[0] @ hidden[i][0].weight if (i or to_input) else None
    return chain, v


@torch.no_grad()
def critic_gradients(
    critic: Discriminator, real: Tensor, fake: Tensor, mixed: Tensor, gp_weight: float
) -> Tensor:
    """Set ``.grad`` of every critic parameter to the gradient of the WGAN-GP loss
    ``mean(critic(fake)) - mean(critic(real)) + gp_weight * mean((|grad_mixed critic| - 1)^2)``
    and return its Wasserstein part (``fake - real`` mean scores, a 0-d float32 tensor).

    ``real``, ``fake`` and ``mixed`` are rows (conditions appended) that the critic packs in
    groups of ``critic.pac``; all three have the same number of rows, a multiple of ``pac``.
    Dropout masks are drawn as :meth:`Discriminator.forward` draws them on the three parts
    together. Runs under whatever autocast the caller set (the products follow it).
    """
    x = torch.cat([real, fake, mixed], dim=0).reshape(-1, critic.packed_dim)
    k = x.shape[0] // 3
    hidden, head = critic.blocks()
    inputs, slopes, score = _forward(hidden, head, x)
    wasserstein = score[k : 2 * k].mean() - score[:k].mean()

    # the Wasserstein loss, back through the real and fake packs (each hidden layer's
    # pre-activation delta, first layer first)
    d_score = torch.cat([score.new_full((k, 1), -1.0 / k), score.new_full((k, 1), 1.0 / k)])
    top = d_score @ head.weight
    d_hidden, _ = _input_gradient(hidden, [s[: 2 * k] for s in slopes], top, to_input=False)
    # the penalty: the mixed packs' input gradient g, then back up the same chain
    chain, g = _input_gradient(hidden, [s[2 * k :] for s in slopes], head.weight.expand(k, -1))
    g = g.float()
    norm = g.norm(2, dim=1, keepdim=True)
    back = g * ((2.0 * gp_weight / k) * (norm - 1.0) / norm.clamp_min(1e-12))
    for i, (linear, _) in enumerate(hidden):
        # this weight's Wasserstein and penalty parts in one product
        grad = torch.cat([d_hidden[i], chain[i]]).t() @ torch.cat([inputs[i][: 2 * k], back])
        _set_grad(linear.weight, grad)
        _set_grad(linear.bias, d_hidden[i].sum(0))
        back = (back @ linear.weight.t()) * slopes[i][2 * k :]
    _set_grad(head.weight, d_score.t() @ inputs[-1][: 2 * k] + back.sum(0, keepdim=True))
    _set_grad(head.bias, d_score.sum(0))
    return wasserstein


def _set_grad(param: Tensor, grad: Tensor) -> None:
    param.grad = grad.to(param.dtype).reshape(param.shape).contiguous()


class _MeanScore(torch.autograd.Function):
    """``critic(x).mean()`` with a gradient for ``x`` only (the critic's weights get none)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, critic: Discriminator) -> Tensor:
        hidden, head = critic.blocks()
        with torch.no_grad():
            _, slopes, score = _forward(hidden, head, x.reshape(-1, critic.packed_dim))
        ctx.pac, ctx.hidden, ctx.head = critic.pac, hidden, head
        ctx.slopes, ctx.shape, ctx.dtype = slopes, x.shape, x.dtype
        return score.mean()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        slopes = [s.float() for s in ctx.slopes]
        packs = ctx.shape[0] // ctx.pac
        top = (ctx.head.weight * (grad / packs)).expand(packs, -1)
        _, g = _input_gradient(ctx.hidden, slopes, top)
        return g.reshape(ctx.shape).to(ctx.dtype), None


def mean_score(critic: Discriminator, x: Tensor) -> Tensor:
    """The critic's mean score over the packs of rows ``x`` (float32, 0-d), differentiable in
    ``x`` but not in the critic's weights: the generator's adversarial loss, without autograd
    recording the critic (or the weight gradients it would have computed and thrown away)."""
    return _MeanScore.apply(x, critic)
