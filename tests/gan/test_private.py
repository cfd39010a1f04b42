"""DP-SGD of the critic: per-pack gradients, clipping, noise, sampling and the budget stop."""

import dataclasses

import pytest
import torch

pytest.importorskip("opacus")

from tabgan.gan import ConditionalSampler, Discriminator, Generator, TorchLayout, Trainer
from tabgan.gan.private import own_conditions, poisson_packs
from tabgan.gan.train import TrainConfig
from tabgan.privacy import Accountant, PrivacyBudget, plan_training
from tests.gan.test_layout_sampler import SPANS

N = 300


def _data(n: int) -> torch.Tensor:
    """Rows in the layout of SPANS: x's value and mode, a (90/10) and b (50/30/20/0)."""
    g = torch.Generator().manual_seed(0)
    x = torch.zeros(n, 10)
    x[:, 0] = torch.rand(n, generator=g) * 2 - 1
    x[torch.arange(n), 1 + torch.randint(3, (n,), generator=g)] = 1
    x[torch.arange(n), 4 + (torch.rand(n, generator=g) < 0.1).long()] = 1
    b = torch.multinomial(torch.tensor([0.5, 0.3, 0.2, 0.0]), n, True, generator=g)
    x[torch.arange(n), 6 + b] = 1
    return x


def _trainer(pac: int, epochs: int = 2, sigma: float | None = None, dropout: float = 0.0):
    data = _data(N)
    layout = TorchLayout(SPANS, torch.device("cpu"))
    sampler = ConditionalSampler.from_data(data, layout)
    init = torch.Generator().manual_seed(0)
    with torch.random.fork_rng():
        torch.manual_seed(int(torch.randint(2**31, (1,), generator=init)))
        gen = Generator(8, layout.cond_dim, [16], layout.output_dim)
        disc = Discriminator(layout.output_dim + layout.cond_dim, [16, 16], pac, dropout)
    budget = PrivacyBudget(epsilon=4.0, noise_multiplier=sigma).validated(N)
    acc = Accountant([(6.0, 1.0, 1)])  # stands for the preprocessing's release
    steps = max(1, N // 30)
    plan = plan_training(budget, N, 30, pac, epochs * steps, acc)
    config = TrainConfig(epochs=epochs, batch_size=30, pac=pac, noise_dim=8, privacy=plan)
    return Trainer(data, layout, sampler, gen, disc, config, torch.Generator().manual_seed(1))


def _naive_pack_grads(trainer, real, fake, alpha):
    """Each pack's critic-loss gradient by plain autograd, one pack at a time."""
    disc = trainer.discriminator
    params = [p for p in disc.parameters()]
    out = []
    for r, f, a in zip(real, fake, alpha, strict=True):
        mixed = (a * r + (1 - a) * f).requires_grad_(True)
        (g,) = torch.autograd.grad(disc(mixed).sum(), mixed, create_graph=True)
        loss = disc(f).sum() - disc(r).sum() + 10.0 * (g.reshape(-1).norm() - 1) ** 2
        out.append(torch.autograd.grad(loss, params))
    return [torch.stack(gs) for gs in zip(*out, strict=True)]


@pytest.mark.parametrize("pac", [1, 3])
def test_per_pack_gradients_match_autograd_pack_by_pack(pac):
    trainer = _trainer(pac)
    critic = trainer.private
    state = trainer.rng.get_state()
    grads, valid = critic.unit_gradients()
    # redo the same draws to get the packs the step used
    trainer.rng.set_state(state)
    index, _ = poisson_packs(N, critic.plan.sample_rate, critic.plan.packs, pac, trainer.rng, "cpu")
    rows = index.reshape(-1)
    cond = own_conditions(critic.category_ids, rows, trainer.sampler, trainer.rng)
    with torch.no_grad():
        _, fake = trainer.fake(cond, len(rows))
    real = torch.cat([trainer.data[rows], cond.vector], 1).reshape(index.shape[0], pac, -1)
    fake = torch.cat([fake, cond.vector], 1).reshape(index.shape[0], pac, -1)
    alpha = torch.rand(index.shape[0], 1, 1, generator=trainer.rng)
    expected = _naive_pack_grads(trainer, real, fake, alpha)
    for got, want in zip(grads.values(), expected, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)
    assert valid.any()


@pytest.mark.parametrize("pac", [1, 3])
def test_clipping_bounds_every_pack_and_the_noiseless_update_is_their_mean(pac):
    trainer = _trainer(pac)
    critic = trainer.private
    c = 0.05  # small enough that most packs are clipped
    critic.plan = dataclasses.replace(critic.plan, max_grad_norm=c, sensitivity=0.0)  # no noise
    state = trainer.rng.get_state()
    grads, valid = critic.unit_gradients()
    flat = torch.cat([g.reshape(g.shape[0], -1) for g in grads.values()], 1)
    norms = flat.norm(dim=1)
    assert (norms[valid] > c).any()  # the test clips something
    clipped = flat * (c / (norms + 1e-6)).clamp_max(1.0)[:, None]
    assert (clipped.norm(dim=1) <= c * (1 + 1e-5)).all()
    summed = critic.clipped_sum(grads, valid)
    flat_sum = torch.cat([s.reshape(-1) for s in summed.values()])
    torch.testing.assert_close(flat_sum, clipped[valid].sum(0))
    # one step with plain SGD (lr 1) moves the weights by exactly -sum / expected units
    trainer.opt_d = torch.optim.SGD(trainer.discriminator.parameters(), lr=1.0)
    before = torch.cat([p.detach().reshape(-1).clone() for p in trainer.discriminator.parameters()])
    trainer.rng.set_state(state)
    trainer.discriminator_step()
    after = torch.cat([p.detach().reshape(-1) for p in trainer.discriminator.parameters()])
    torch.testing.assert_close(before - after, flat_sum / critic.plan.packs, rtol=1e-4, atol=1e-6)


def test_noise_has_the_planned_scale():
    trainer = _trainer(3, sigma=2.0)
    critic = trainer.private
    critic.plan = dataclasses.replace(critic.plan, max_grad_norm=0.5)
    # the clipped sum set to 0, so the update is the noise alone
    critic.clipped_sum = lambda grads, valid: {n: torch.zeros_like(g[0]) for n, g in grads.items()}
    trainer.opt_d = torch.optim.SGD(trainer.discriminator.parameters(), lr=1.0)
    before = torch.cat([p.detach().reshape(-1).clone() for p in trainer.discriminator.parameters()])
    trainer.discriminator_step()
    after = torch.cat([p.detach().reshape(-1) for p in trainer.discriminator.parameters()])
    std = float((before - after).std()) * critic.plan.packs
    assert std == pytest.approx(2.0 * 2.0 * 0.5, rel=0.1)  # sigma * sensitivity(2) * C


def test_packs_hold_each_sampled_row_once_and_only_their_own_rows():
    g = torch.Generator().manual_seed(3)
    index, valid = poisson_packs(1000, 0.05, 10, 4, g, "cpu")
    assert index.shape == (10, 4) and valid.all()
    seen = [set(index[k].tolist()) for k in range(10)]
    for a in range(10):
        for b in range(a + 1, 10):
            assert not seen[a] & seen[b]  # a row lands in one pack only
    g = torch.Generator().manual_seed(4)
    rows, valid = poisson_packs(1000, 0.05, 50, 1, g, "cpu")
    assert rows.shape[1] == 1 and len(set(rows[:, 0].tolist())) == len(rows)
    assert 20 < len(rows) < 90  # Poisson(50)
    index, valid = poisson_packs(1000, 0.002, 10, 4, torch.Generator().manual_seed(5), "cpu")
    assert not valid.all()  # ~2 rows over 10 packs: empty packs are marked, not filled


def test_conditions_are_each_rows_own_categories():
    trainer = _trainer(1)
    rows = torch.arange(50)
    cond = own_conditions(trainer.private.category_ids, rows, trainer.sampler, trainer.rng)
    real = trainer.data[rows]
    for i in range(50):
        span = trainer.layout.cond_spans[int(cond.column[i])]
        assert real[i, span.offset + int(cond.category[i])] == 1.0


@pytest.mark.parametrize("sigma", [None, 1.1])
def test_training_never_exceeds_the_budget_and_reports_what_it_spent(sigma):
    trainer = _trainer(2, epochs=4 if sigma is None else 50, sigma=sigma, dropout=0.5)
    history = trainer.fit()
    spent = trainer.privacy_spent()
    assert spent["epsilon"] <= 4.0
    assert spent["steps"] == len(history) * trainer.steps_per_epoch
    assert spent["epochs"] == len(history) == trainer.epoch
    if sigma is None:  # planned: every epoch fits, nearly all the budget is used
        assert len(history) == 4 and not spent["stopped_early"] and spent["epsilon"] > 3.8
    else:  # fixed noise: stops before the epoch that would overspend
        assert len(history) == 2 and spent["stopped_early"]
        critic = trainer.private
        assert not critic.can_run(trainer.steps_per_epoch)
    assert all(torch.isfinite(p).all() for p in trainer.generator.parameters())


def test_the_account_resumes_with_a_checkpoint():
    trainer = _trainer(1, epochs=2)
    trainer.fit()
    meta, tensors = trainer.state()
    again = _trainer(1, epochs=4)
    again.load_state(meta, tensors)
    assert again.privacy_spent()["epsilon"] == trainer.privacy_spent()["epsilon"]
    assert again.private.steps == trainer.private.steps


def test_distributed_private_training_is_refused():
    from tabgan.errors import InvalidParameterError

    trainer = _trainer(1)
    with pytest.raises(InvalidParameterError, match="one process"):
        Trainer(
            trainer.data, trainer.layout, trainer.sampler, trainer.generator,
            trainer.discriminator, trainer.config, trainer.rng, grad_sync=lambda m: None,
        )  # fmt: skip
