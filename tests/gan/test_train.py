"""The training loop's critic step: the gradient penalty, every step or lazily."""

import pytest
import torch

from tabgan.gan import ConditionalSampler, Discriminator, Generator, TorchLayout, Trainer
from tabgan.gan.train import TrainConfig
from tests.gan.test_layout_sampler import SPANS


def _data(n: int) -> torch.Tensor:
    """Rows in the layout of SPANS: x's value and mode, a (90/10) and b (50/30/20)."""
    g = torch.Generator().manual_seed(0)
    x = torch.zeros(n, 10)
    x[:, 0] = torch.rand(n, generator=g) * 2 - 1
    x[torch.arange(n), 1 + torch.randint(3, (n,), generator=g)] = 1
    x[torch.arange(n), 4 + (torch.rand(n, generator=g) < 0.1).long()] = 1
    b = torch.multinomial(torch.tensor([0.5, 0.3, 0.2, 0.0]), n, True, generator=g)
    x[torch.arange(n), 6 + b] = 1
    return x


def _trainer(**config) -> Trainer:
    data = _data(200)
    layout = TorchLayout(SPANS, torch.device("cpu"))
    sampler = ConditionalSampler.from_data(data, layout)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        gen = Generator(8, layout.cond_dim, [16], layout.output_dim)
        disc = Discriminator(layout.output_dim + layout.cond_dim, [16, 16], 5, 0.0)
    cfg = TrainConfig(epochs=1, batch_size=20, pac=5, noise_dim=8, **config)
    return Trainer(data, layout, sampler, gen, disc, cfg, torch.Generator().manual_seed(1))


def _penalty_steps(monkeypatch, trainer: Trainer, steps: int) -> list[int]:
    """The critic steps (1-based) that took the penalty's input gradient."""
    calls: list[int] = []
    grad = torch.autograd.grad

    def counting(*args, **kwargs):
        calls.append(trainer.critic_steps)
        return grad(*args, **kwargs)

    monkeypatch.setattr(torch.autograd, "grad", counting)
    for _ in range(steps):
        trainer.discriminator_step()
    return calls


@pytest.mark.parametrize(("every", "expected"), [(1, [1, 2, 3, 4, 5, 6, 7]), (3, [1, 4, 7])])
def test_the_penalty_runs_on_one_critic_step_in_gp_every(monkeypatch, every, expected):
    trainer = _trainer(gp_every=every)
    assert _penalty_steps(monkeypatch, trainer, 7) == expected
    assert trainer.critic_steps == 7


def test_a_lazy_penalty_step_weighs_the_penalty_by_gp_every():
    # the first step carries the penalty in both runs and draws the same numbers: weight 10
    # every 2 steps must move the critic exactly as weight 20 every step does
    lazy, eager = _trainer(gp_every=2, gp_weight=10.0), _trainer(gp_every=1, gp_weight=20.0)
    with torch.random.fork_rng():
        torch.manual_seed(3)
        lazy.discriminator_step()
    with torch.random.fork_rng():
        torch.manual_seed(3)
        eager.discriminator_step()
    for a, b in zip(lazy.discriminator.parameters(), eager.discriminator.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    plain = _trainer(gp_every=1, gp_weight=10.0)
    with torch.random.fork_rng():
        torch.manual_seed(3)
        plain.discriminator_step()
    first = next(plain.discriminator.parameters())
    assert not torch.allclose(first, next(lazy.discriminator.parameters()))


def test_steps_without_the_penalty_still_train_the_critic():
    trainer = _trainer(gp_every=4)
    trainer.discriminator_step()  # step 1: with the penalty
    before = [p.detach().clone() for p in trainer.discriminator.parameters()]
    loss = trainer.discriminator_step()  # step 2: without
    assert torch.isfinite(loss)
    moved = [
        not torch.equal(a, b)
        for a, b in zip(before, trainer.discriminator.parameters(), strict=True)
    ]
    assert all(moved)


def test_checkpoint_state_keeps_the_critic_step_count():
    trainer = _trainer(gp_every=3)
    for _ in range(5):
        trainer.discriminator_step()
    meta, tensors = trainer.state()
    fresh = _trainer(gp_every=3)
    fresh.load_state(meta, tensors)
    assert fresh.critic_steps == 5


def test_gp_every_must_be_a_positive_integer(mixed_table):
    from tabgan import TabGAN
    from tabgan.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="gp_every"):
        TabGAN(epochs=1, gp_every=0).fit(mixed_table)
