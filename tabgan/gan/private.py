"""DP-SGD for the critic: Poisson-sampled rows, per-pack clipping, Gaussian noise.

The unit of clipping is the PacGAN pack, the only thing in a step that reads real rows. One
step (docs/privacy.md gives the argument):

1. every training row joins the step independently with probability ``q`` (Poisson sampling,
   what Opacus's RDP accountant assumes) and, with ``pac > 1``, lands in one of a fixed number
   ``K`` of packs drawn uniformly. A pack holding more than ``pac`` rows keeps ``pac`` of them
   at random; one holding fewer repeats its own rows; an empty pack is skipped. So a pack is a
   function of its own rows only, and one row touches exactly one pack;
2. each real row is conditioned on its own category in a conditional column chosen uniformly
   (training-by-sampling's row lookup would pick rows by their category, which no accountant
   covers); the pack's fake rows are generated for the same conditions;
3. the pack's whole critic loss, ``D(fake) - D(real)`` plus a gradient penalty computed on that
   pack's own interpolates (a double backward inside ``torch.func``), is differentiated per
   pack with ``vmap(grad(...))``; each pack's gradient is clipped to L2 norm ``C``;
4. the clipped gradients are summed, Gaussian noise of standard deviation
   ``noise_multiplier * sensitivity * C`` is added (sensitivity 1 for ``pac=1``, 2 for packs:
   the pack a row lands in exists with or without it), and the sum is divided by the expected
   number of units, a constant, before the optimiser step.

The generator never reads real rows: it is trained through the critic only, so it inherits
the guarantee by post-processing. Dropout masks are shared by the packs of a forward pass
(``vmap(randomness="same")``); they do not depend on the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor
from torch.func import functional_call, grad, vmap

from tabgan.errors import InvalidParameterError
from tabgan.gan.sampler import ConditionalSampler, ConditionBatch
from tabgan.privacy.accountant import Accountant

if TYPE_CHECKING:
    from tabgan.gan.train import Trainer
    from tabgan.privacy.budget import TrainingPlan


def poisson_packs(
    n_rows: int, rate: float, packs: int, pac: int, generator: torch.Generator, device
) -> tuple[Tensor, Tensor]:
    """One step's Poisson-sampled row ids arranged in packs.

    Returns ``(index, valid)``: ``(units, pac)`` row ids and ``(units,)`` booleans. With
    ``pac == 1`` every sampled row is its own unit (all valid); otherwise there are ``packs``
    units, each a function of the rows that landed in it only (see the module docstring).
    """
    chosen = torch.rand(n_rows, device=device, generator=generator) < rate
    rows = chosen.nonzero().squeeze(1)
    if pac == 1:
        return rows[:, None], torch.ones(len(rows), dtype=torch.bool, device=device)
    which = torch.randint(packs, (len(rows),), device=device, generator=generator)
    # random order within each pack: sort by pack, ties broken by a random key
    key = which.double() + torch.rand(
        len(rows), device=device, generator=generator, dtype=torch.float64
    )
    order = torch.argsort(key)
    rows, which = rows[order], which[order]
    count = torch.bincount(which, minlength=packs)
    start = torch.cumsum(count, 0) - count
    slot = torch.arange(pac, device=device)
    # slot j of pack k: its (j mod count)-th row (so a short pack repeats its own rows)
    within = slot[None, :] % count.clamp_min(1)[:, None]
    index = (
        rows[(start[:, None] + within).clamp_max(max(len(rows) - 1, 0))]
        if len(rows)
        else (torch.zeros(packs, pac, dtype=torch.long, device=device))
    )
    return index, count > 0


def own_conditions(
    category_ids: Tensor, rows: Tensor, sampler: ConditionalSampler, generator: torch.Generator
) -> ConditionBatch | None:
    """Each row's condition: its own category in a conditional column chosen uniformly."""
    if sampler.n_columns == 0:
        return None
    column = torch.randint(sampler.n_columns, (len(rows),), device=rows.device, generator=generator)
    ids = category_ids[rows, column]
    vector = torch.zeros(len(rows), sampler.dim, device=rows.device)
    vector[torch.arange(len(rows), device=rows.device), ids] = 1.0
    return ConditionBatch(vector, column, ids - sampler.span_start[column])


class PrivateCritic:
    """Runs the critic's DP-SGD steps for a :class:`~tabgan.gan.Trainer` and keeps the account.

    Parameters
    ----------
    trainer
        The trainer whose discriminator, optimiser, data and random stream are used.
    plan
        Noise, clipping, sampling rate and the epsilon not to exceed.
    accountant
        Holds the releases made before training; default: one built from ``plan.prior`` (the
        preprocessing). Training adds its steps to it.
    """

    def __init__(
        self, trainer: Trainer, plan: TrainingPlan, accountant: Accountant | None = None
    ) -> None:
        if trainer.grad_sync is not None:
            raise InvalidParameterError("differentially private training runs on one process")
        if plan.pac != trainer.config.pac:
            raise InvalidParameterError(
                f"the privacy plan is for pac={plan.pac}, training uses {trainer.config.pac}"
            )
        self.trainer = trainer
        self.plan = plan
        self.accountant = Accountant(plan.prior) if accountant is None else accountant
        self.steps = 0
        self.category_ids = (
            ConditionalSampler.category_ids(trainer.data, trainer.layout)
            if trainer.layout.cond_spans
            else None
        )
        self._names = [n for n, p in trainer.discriminator.named_parameters() if p.requires_grad]

    # ------------------------------------------------------------ accounting
    def epsilon(self) -> float:
        """Epsilon spent so far (preprocessing and training steps), at the plan's delta."""
        return self.accountant.epsilon(self.plan.delta)

    def can_run(self, steps: int) -> bool:
        """Whether ``steps`` more steps stay within the plan's epsilon."""
        after = self.accountant.epsilon_after(
            self.plan.noise_multiplier, self.plan.sample_rate, steps, self.plan.delta
        )
        return after <= self.plan.max_epsilon

    # ------------------------------------------------------------ one step
    def unit_gradients(self) -> tuple[dict[str, Tensor], Tensor]:
        """This step's per-unit gradients of the critic loss (``{name: (units, *shape)}``) and
        which units are real (non-empty) packs."""
        t = self.trainer
        cfg = t.config
        pac = cfg.pac
        index, valid = poisson_packs(
            t.data.shape[0], self.plan.sample_rate, self.plan.packs, pac, t.rng, t.data.device
        )
        rows = index.reshape(-1)
        cond = (
            None
            if self.category_ids is None
            else own_conditions(self.category_ids, rows, t.sampler, t.rng)
        )
        with torch.no_grad():
            _, fake = t.fake(cond, len(rows))
        real = t.data[rows] if cond is None else torch.cat([t.data[rows], cond.vector], dim=1)
        fake = fake if cond is None else torch.cat([fake, cond.vector], dim=1)
        units = index.shape[0]
        real = real.reshape(units, pac, -1)
        fake = fake.reshape(units, pac, -1)
        alpha = torch.rand(units, 1, 1, device=real.device, generator=t.rng)
        disc = t.discriminator
        params = {n: p.detach() for n, p in disc.named_parameters() if p.requires_grad}
        gp_weight = cfg.gp_weight

        def score(p: dict[str, Tensor], x: Tensor) -> Tensor:
            return functional_call(disc, p, (x,)).sum()

        def pack_loss(p: dict[str, Tensor], r: Tensor, f: Tensor, a: Tensor) -> Tensor:
            mixed = a * r + (1 - a) * f
            g = grad(lambda m: score(p, m))(mixed)  # the penalty's inner gradient, this pack only
            penalty = gp_weight * (g.reshape(-1).norm(2) - 1) ** 2
            return score(p, f) - score(p, r) + penalty

        if units == 0:
            empty = {n: params[n].new_zeros((0, *params[n].shape)) for n in self._names}
            return empty, valid
        grads = vmap(grad(pack_loss), in_dims=(None, 0, 0, 0), randomness="same")(
            params, real, fake, alpha
        )
        return grads, valid

    def clipped_sum(self, grads: dict[str, Tensor], valid: Tensor) -> dict[str, Tensor]:
        """Sum over valid units of each unit's gradient scaled to L2 norm at most ``C``."""
        c = self.plan.max_grad_norm
        flat = [g.reshape(g.shape[0], -1) for g in grads.values()]
        if not flat or flat[0].shape[0] == 0:
            return {n: g.new_zeros(g.shape[1:]) for n, g in grads.items()}
        norms = torch.cat(flat, dim=1).norm(2, dim=1)
        scale = (c / (norms + 1e-6)).clamp_max(1.0) * valid.to(norms.dtype)
        return {n: torch.einsum("u,u...->...", scale, g) for n, g in grads.items()}

    def step(self) -> Tensor:
        """One DP-SGD step of the critic; returns 0 (the critic loss reads real rows outside
        the accountant, so it is not measured)."""
        t = self.trainer
        grads, valid = self.unit_gradients()
        summed = self.clipped_sum(grads, valid)
        std = self.plan.noise_multiplier * self.plan.sensitivity * self.plan.max_grad_norm
        t.opt_d.zero_grad(set_to_none=True)
        for name, param in t.discriminator.named_parameters():
            if name not in summed:
                continue
            noise = torch.randn(
                param.shape, device=param.device, dtype=param.dtype, generator=t.rng
            )
            param.grad = (summed[name] + std * noise) / self.plan.packs
        t.opt_d.step()
        self.accountant.step(self.plan.noise_multiplier, self.plan.sample_rate)
        self.steps += 1
        return torch.zeros((), device=t.data.device)
