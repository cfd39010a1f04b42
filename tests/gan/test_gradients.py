"""The critic's closed-form gradients against autograd's."""

from __future__ import annotations

import pytest
import torch

from tabgan.gan.gradients import critic_gradients, mean_score
from tabgan.gan.networks import Discriminator


def autograd_gradients(
    critic: Discriminator, real: torch.Tensor, fake: torch.Tensor, mixed: torch.Tensor, gp: float
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The textbook WGAN-GP loss through autograd (the code the closed form replaced)."""
    k = real.shape[0] // critic.pac
    mixed = mixed.clone().requires_grad_(True)
    scores = critic(torch.cat([real, fake, mixed], dim=0))
    (grad,) = torch.autograd.grad(scores[2 * k :].sum(), mixed, create_graph=True)
    norm = grad.reshape(-1, critic.packed_dim).norm(2, dim=1)
    penalty = ((norm - 1) ** 2).mean() * gp
    wasserstein = scores[k : 2 * k].mean() - scores[:k].mean()
    critic.zero_grad(set_to_none=True)
    (wasserstein + penalty).backward()
    return wasserstein.detach(), {n: p.grad.clone() for n, p in critic.named_parameters()}


@pytest.mark.parametrize(
    ("hidden", "pac", "train"),
    [
        ([32, 16], 4, True),
        ([32, 16], 4, False),
        ([24], 1, True),
        ([], 3, False),
        ([8, 8, 8], 2, True),
    ],
)
def test_matches_autograd(hidden: list[int], pac: int, train: bool) -> None:
    torch.manual_seed(0)
    width, rows = 7, 12 * pac
    critic = Discriminator(width, hidden, pac, dropout=0.5).train(train)
    real, fake = torch.rand(rows, width), torch.randn(rows, width)
    alpha = torch.rand(rows // pac, 1).repeat_interleave(pac, dim=0)
    mixed = alpha * real + (1 - alpha) * fake

    torch.manual_seed(1)  # the same dropout masks for both
    want_w, want = autograd_gradients(critic, real, fake, mixed, gp=10.0)
    critic.zero_grad(set_to_none=True)
    torch.manual_seed(1)
    got_w = critic_gradients(critic, real, fake, mixed, gp_weight=10.0)

    torch.testing.assert_close(got_w, want_w, rtol=1e-5, atol=1e-6)
    for name, param in critic.named_parameters():
        assert param.grad is not None, name
        assert param.grad.shape == param.shape and param.grad.is_contiguous()
        torch.testing.assert_close(param.grad, want[name], rtol=1e-4, atol=1e-6, msg=name)
    assert any(want[n].abs().max() > 1e-3 for n in want)  # not trivially zero


def test_penalty_is_in_the_gradients() -> None:
    """A critic far from unit input-gradient norm gets a different gradient with the penalty
    than without it: the closed form does include the second-order term."""
    torch.manual_seed(0)
    critic = Discriminator(5, [16], 2).eval()
    real, fake = torch.rand(8, 5), torch.rand(8, 5)
    with torch.no_grad():
        critic.net[0].weight.mul_(20.0)
    critic_gradients(critic, real, fake, real, gp_weight=0.0)
    plain = critic.net[0].weight.grad.clone()
    critic_gradients(critic, real, fake, real, gp_weight=10.0)
    assert (critic.net[0].weight.grad - plain).abs().max() > 1e-2


@pytest.mark.parametrize(("hidden", "train"), [([32, 16], True), ([24], False), ([], True)])
def test_mean_score_matches_autograd(hidden: list[int], train: bool) -> None:
    torch.manual_seed(0)
    critic = Discriminator(6, hidden, 3, dropout=0.5).train(train)
    x = torch.randn(18, 6)
    torch.manual_seed(1)
    want_x = x.clone().requires_grad_(True)
    want = critic(want_x).float().mean()
    (want_grad,) = torch.autograd.grad(want * 1.7, want_x)
    torch.manual_seed(1)
    got_x = x.clone().requires_grad_(True)
    got = mean_score(critic, got_x)
    (got * 1.7).backward()
    torch.testing.assert_close(got, want.detach(), rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(got_x.grad, want_grad, rtol=1e-5, atol=1e-6)
    assert all(p.grad is None for p in critic.parameters())  # the critic's weights get none


def test_under_bfloat16_autocast_the_gradients_stay_close_and_float32() -> None:
    """train_precision='bfloat16' runs the critic's products under autocast: the closed form
    follows it and still hands the optimiser float32 gradients close to autograd's."""
    torch.manual_seed(0)
    critic = Discriminator(7, [32, 16], 4).eval()
    real, fake = torch.rand(48, 7), torch.randn(48, 7)
    mixed = 0.3 * real + 0.7 * fake
    with torch.autocast("cpu", dtype=torch.bfloat16):
        want_w, want = autograd_gradients(critic, real, fake, mixed, gp=10.0)
        critic.zero_grad(set_to_none=True)
        got_w = critic_gradients(critic, real, fake, mixed, gp_weight=10.0)
    assert got_w.dtype == torch.float32
    torch.testing.assert_close(got_w, want_w.float(), rtol=0.05, atol=0.02)
    for name, param in critic.named_parameters():
        assert param.grad.dtype == torch.float32, name
        scale = want[name].abs().max().clamp_min(1e-3)
        assert (param.grad - want[name]).abs().max() / scale < 0.05, name
