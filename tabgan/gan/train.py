r"""The training loop: WGAN-GP with PacGAN and CTGAN's conditional loss.

One small config, one conditioning helper shared by the discriminator and generator steps, no
host syncs inside a step (losses are summed on the device and read once per epoch). Progress,
checkpoints and anything else that runs between epochs are :class:`Callback`\ s (skorch's and
minGPT's way): the loop knows nothing of files, progress bars or the estimator.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor

from tabgan.gan.gradients import critic_gradients, mean_score
from tabgan.gan.layout import TorchLayout
from tabgan.gan.networks import Discriminator, Generator
from tabgan.gan.optim import adam, autocast
from tabgan.gan.sampler import ConditionalSampler, ConditionBatch

if TYPE_CHECKING:
    from tabgan.privacy.budget import TrainingPlan


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run (built from the estimator's parameters)."""

    epochs: int
    batch_size: int
    pac: int = 1
    noise_dim: int = 128
    generator_lr: float = 2e-4
    discriminator_lr: float = 2e-4
    generator_decay: float = 1e-6
    discriminator_decay: float = 1e-6
    discriminator_steps: int = 1
    gp_weight: float = 10.0
    tau: float = 0.2
    ema_decay: float = 0.0  # > 0: sample from an exponential moving average of the generator
    min_steps: int = 1  # steps per epoch at least (small tables: an epoch is not one pass)
    # bfloat16: the networks' matrix products run in it (autocast); weights, optimiser state
    # and losses stay float32, and both networks' outputs are cast back to float32 before the
    # output activations and the losses. None (or float32): float32 throughout
    dtype: torch.dtype | None = None
    # differential privacy (tabgan.gan.private): the critic trains by DP-SGD under this plan
    # and training stops before an epoch that would pass its epsilon. None: no DP
    privacy: TrainingPlan | None = None


def critic_pac(pac: int, private: bool) -> int:
    """Rows the critic judges together: ``pac``, or 1 in a private fit (DP-SGD clips each real
    row's gradient, so the critic judges rows one by one)."""
    return 1 if private else pac


@dataclass(frozen=True)
class EpochInfo:
    """What the progress callback receives after each epoch."""

    epoch: int  # 1-based
    epochs: int
    generator_loss: float
    discriminator_loss: float
    seconds: float  # since training started


def prefixed(tensors: dict[str, Tensor], prefix: str) -> dict[str, Tensor]:
    """The tensors whose names start with ``prefix``, with it removed (one module's state from
    a dict that holds several, e.g. ``prefixed(tensors, "generator.")``)."""
    n = len(prefix)
    return {k[n:]: v for k, v in tensors.items() if k.startswith(prefix)}


class Callback:
    """Hooks the training loop calls; subclass and override what you need.

    A callback may end training after the current epoch with ``trainer.stop(reason)``.
    """

    def on_train_begin(self, trainer: Trainer) -> None:
        """Before the first epoch of this call to :meth:`Trainer.fit`."""

    def on_epoch_end(self, trainer: Trainer, info: EpochInfo) -> None:
        """After every epoch, once ``trainer.epoch`` is updated (so :meth:`Trainer.state`
        describes the finished epoch)."""

    def on_train_end(self, trainer: Trainer, history: list[EpochInfo]) -> None:
        """After the last epoch (also when a callback stopped training, or on an error)."""


class EpochCallback(Callback):
    """A plain function of the :class:`EpochInfo`, called after every epoch."""

    def __init__(self, fn: Callable[[EpochInfo], None]) -> None:
        self.fn = fn

    def on_epoch_end(self, trainer: Trainer, info: EpochInfo) -> None:
        self.fn(info)


def as_callbacks(
    callbacks: Callback | Callable[[EpochInfo], None] | Sequence[Any] | None,
) -> list[Callback]:
    """Callbacks from None, one callback, a plain function of the epoch info, or a list."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) or callable(callbacks):
        callbacks = [callbacks]
    return [c if isinstance(c, Callback) else EpochCallback(c) for c in callbacks]


def _with_cond(x: Tensor, cond: ConditionBatch | None) -> Tensor:
    return x if cond is None else torch.cat([x, cond.vector], dim=1)


class Trainer:
    """Owns the optimisers and runs the steps; the networks are trained in place."""

    def __init__(
        self,
        data: Tensor,
        layout: TorchLayout,
        sampler: ConditionalSampler,
        generator: Generator,
        discriminator: Discriminator,
        config: TrainConfig,
        rng: torch.Generator,
        grad_sync: Callable[[torch.nn.Module], None] | None = None,
    ) -> None:
        self.data = data
        # distributed runs average gradients across ranks here (explicitly: DDP's hooks
        # never see the critic's gradients, which are set in closed form, not by backward)
        self.grad_sync = grad_sync
        self.layout = layout
        self.sampler = sampler
        self.generator = generator
        self.discriminator = discriminator
        self.config = config
        self.rng = rng
        self.epoch = 0  # epochs completed
        self.stop_reason: str | None = None  # set by a callback that ends training early
        self.ema: Generator | None = None
        self.ema_steps = 0
        if config.ema_decay > 0:
            self.ema = copy.deepcopy(generator).requires_grad_(False)
            self._ema_params = list(self.ema.parameters())
            self._live_params = list(generator.parameters())
        self.opt_g = adam(
            generator.parameters(),
            data.device,
            lr=config.generator_lr,
            betas=(0.5, 0.9),
            weight_decay=config.generator_decay,
        )
        self.opt_d = adam(
            discriminator.parameters(),
            data.device,
            lr=config.discriminator_lr,
            betas=(0.5, 0.9),
            weight_decay=config.discriminator_decay,
        )
        # ---- differential privacy (tabgan.gan.private): None without a plan
        self.private = None
        self.stopped_early = False  # training ended before config.epochs to keep the budget
        if config.privacy is not None:
            from tabgan.gan.private import PrivateCritic

            self.private = PrivateCritic(self, config.privacy)

    @property
    def steps_per_epoch(self) -> int:
        """``rows // batch_size``, but at least ``config.min_steps`` (batches are drawn with
        replacement by training-by-sampling, so an epoch is a step budget, not a pass)."""
        return max(1, self.config.min_steps, self.data.shape[0] // self.config.batch_size)

    def fake(self, cond: ConditionBatch | None, n: int) -> tuple[Tensor, Tensor]:
        """Generate ``n`` rows for the given conditions: (raw logits, activated rows)."""
        z = torch.randn(n, self.config.noise_dim, device=self.data.device, generator=self.rng)
        with self._autocast():
            raw = self.generator(_with_cond(z, cond)).float()
        return raw, self.layout.activate(raw, self.config.tau, self.rng)

    def _autocast(self) -> torch.autocast:
        # one block per step's critic calls: autocast casts each weight once per block (and a
        # block must end before the optimiser moves the weights it cached)
        return autocast(self.data.device, self.config.dtype)

    def discriminator_step(self) -> Tensor:
        if self.private is not None:
            return self.private.step()
        n, pac = self.config.batch_size, self.config.pac
        cond, rows = self.sampler.train_batch(n, self.rng)
        with torch.no_grad():
            _, fake = self.fake(cond, n)
        real = _with_cond(self.data[rows], cond)
        fake = _with_cond(fake, cond)
        # WGAN-GP: one alpha per pac group, so each interpolated pack is a real/fake blend
        alpha = torch.rand(n // pac, 1, device=real.device, generator=self.rng)
        alpha = alpha.repeat_interleave(pac, dim=0)
        mixed = alpha * real + (1 - alpha) * fake
        self.opt_d.zero_grad(set_to_none=True)
        with self._autocast():
            # the loss's gradients in closed form (tabgan.gan.gradients): one critic pass over
            # the real, fake and mixed packs, no double backward
            wasserstein = critic_gradients(
                self.discriminator, real, fake, mixed, self.config.gp_weight
            )
        if self.grad_sync is not None:
            self.grad_sync(self.discriminator)
        self.opt_d.step()
        return wasserstein.detach()

    def generator_step(self) -> Tensor:
        n = self.config.batch_size
        cond = self.sampler.sample_train_conditions(n, self.rng)
        raw, fake = self.fake(cond, n)
        with self._autocast():
            # input gradients only, in closed form (tabgan.gan.gradients)
            loss = -mean_score(self.discriminator, _with_cond(fake, cond))
        if cond is not None:
            loss = loss + self.layout.conditional_loss(raw, cond.column, cond.category)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        if self.grad_sync is not None:
            self.grad_sync(self.generator)
        self.opt_g.step()
        if self.ema is not None:
            # warm-up (as in TF's ExponentialMovingAverage): early on, follow the live weights
            # closely, so short runs on small tables do not keep their random initial weights
            self.ema_steps += 1
            decay = min(self.config.ema_decay, (1 + self.ema_steps) / (10 + self.ema_steps))
            with torch.no_grad():
                torch._foreach_lerp_(self._ema_params, self._live_params, 1 - decay)
        return loss.detach()

    def sampling_generator(self) -> Generator:
        """The generator to sample from: the EMA copy (if enabled) with batch-norm statistics
        re-estimated for its own weights, else the live generator."""
        if self.ema is None:
            return self.generator
        ema = self.ema
        momenta = {}
        for module in ema.modules():
            if isinstance(module, torch.nn.BatchNorm1d):
                module.reset_running_stats()
                momenta[module] = module.momentum
                module.momentum = None  # cumulative average over the passes below
        ema.train()
        # its own random stream: calling this mid-training must not change the training run
        rng = torch.Generator(device=self.data.device)
        rng.manual_seed(0)
        with torch.no_grad():
            for _ in range(16):
                cond = self.sampler.sample_batch(self.config.batch_size, rng)
                z = torch.randn(
                    self.config.batch_size,
                    self.config.noise_dim,
                    device=self.data.device,
                    generator=rng,
                )
                ema(_with_cond(z, cond))
        for module, momentum in momenta.items():
            module.momentum = momentum
        return ema.eval()

    def privacy_spent(self) -> dict[str, Any] | None:
        """Under DP: epsilon spent so far, its delta, the critic steps and epochs run, whether
        training stopped early for the budget, and the accountant's history; else ``None``."""
        if self.private is None:
            return None
        return {
            "epsilon": self.private.epsilon(),
            "delta": self.private.plan.delta,
            "steps": self.private.steps,
            "epochs": self.epoch,
            "stopped_early": self.stopped_early,
            "history": [list(h) for h in self.private.accountant.history],
        }

    # ------------------------------------------------------------ checkpoints
    def _modules(self) -> list[tuple[str, torch.nn.Module]]:
        mods = [("generator", self.generator), ("discriminator", self.discriminator)]
        return mods + ([("ema", self.ema)] if self.ema is not None else [])

    def state(self) -> tuple[dict[str, Any], dict[str, Tensor]]:
        """Everything needed to resume exactly: JSON-able metadata and tensors."""
        tensors: dict[str, Tensor] = {}
        meta: dict[str, Any] = {"epoch": self.epoch, "ema_steps": self.ema_steps, "optimizers": {}}
        for name, module in self._modules():
            for key, value in module.state_dict().items():
                tensors[f"{name}.{key}"] = value
        for name, opt in (("opt_g", self.opt_g), ("opt_d", self.opt_d)):
            sd = opt.state_dict()
            meta["optimizers"][name] = {
                "param_groups": sd["param_groups"],
                "state": {str(i): sorted(st) for i, st in sd["state"].items()},
            }
            for i, st in sd["state"].items():
                for key, value in st.items():
                    tensors[f"{name}.{i}.{key}"] = value
        if self.private is not None:  # the account resumes with the run
            meta["privacy"] = {"history": self.private.accountant.history,
                               "steps": self.private.steps}  # fmt: skip
        tensors["rng.sampler"] = self.rng.get_state()
        tensors["rng.torch"] = torch.get_rng_state()
        if self.data.device.type == "cuda":
            tensors["rng.cuda"] = torch.cuda.get_rng_state(self.data.device)
        return meta, tensors

    def load_state(self, meta: dict[str, Any], tensors: dict[str, Tensor]) -> None:
        """Restore :meth:`state` output (networks, optimisers, random streams, epoch)."""
        for name, module in self._modules():
            module.load_state_dict(prefixed(tensors, f"{name}."))
        for name, opt in (("opt_g", self.opt_g), ("opt_d", self.opt_d)):
            saved = meta["optimizers"][name]
            groups = [
                {**g, "betas": tuple(g["betas"])} if "betas" in g else g
                for g in saved["param_groups"]
            ]
            state = {
                int(i): {key: tensors[f"{name}.{i}.{key}"] for key in keys}
                for i, keys in saved["state"].items()
            }
            opt.load_state_dict({"state": state, "param_groups": groups})
        self.rng.set_state(tensors["rng.sampler"])
        torch.set_rng_state(tensors["rng.torch"])
        if "rng.cuda" in tensors and self.data.device.type == "cuda":
            torch.cuda.set_rng_state(tensors["rng.cuda"], self.data.device)
        self.epoch = int(meta["epoch"])
        self.ema_steps = int(meta.get("ema_steps", 0))
        if self.private is not None:
            from tabgan.privacy.accountant import Accountant

            saved = meta["privacy"]  # a KeyError: the checkpoint was not a private run
            self.private.accountant = Accountant(tuple(h) for h in saved["history"])
            self.private.steps = int(saved["steps"])

    # ------------------------------------------------------------ the loop
    def stop(self, reason: str) -> None:
        """End training after the current epoch (called by a callback); ``reason`` is kept in
        :attr:`stop_reason`."""
        self.stop_reason = reason

    def fit(
        self, callbacks: Callback | Callable[[EpochInfo], None] | Sequence[Any] | None = None
    ) -> list[EpochInfo]:
        """Train from the current epoch up to ``config.epochs``; returns the per-epoch losses.

        ``callbacks`` (see :class:`Callback`; a plain function is called with each epoch's
        :class:`EpochInfo`) run after every epoch, once ``self.epoch`` is updated, so one may
        save a checkpoint with :meth:`state` or end training with :meth:`stop`.
        """
        hooks = as_callbacks(callbacks)
        cfg = self.config
        steps = self.steps_per_epoch
        self.stop_reason = None
        self.generator.train()
        self.discriminator.train()
        history: list[EpochInfo] = []
        for hook in hooks:
            hook.on_train_begin(self)
        start = time.perf_counter()
        try:
            for epoch in range(self.epoch + 1, cfg.epochs + 1):
                if self.private is not None and not self.private.can_run(
                    steps * cfg.discriminator_steps
                ):
                    self.stopped_early = True  # the next epoch would pass the privacy budget
                    self.stop("privacy budget spent")
                    break
                loss_g = torch.zeros((), device=self.data.device)
                loss_d = torch.zeros((), device=self.data.device)
                for _ in range(steps):
                    for _ in range(cfg.discriminator_steps):
                        loss_d += self.discriminator_step()
                    loss_g += self.generator_step()
                info = EpochInfo(
                    epoch=epoch,
                    epochs=cfg.epochs,
                    generator_loss=float(loss_g) / steps,  # the one host sync per epoch
                    discriminator_loss=float(loss_d) / (steps * cfg.discriminator_steps),
                    seconds=time.perf_counter() - start,
                )
                history.append(info)
                self.epoch = epoch
                for hook in hooks:
                    hook.on_epoch_end(self, info)
                if self.stop_reason is not None:
                    break
        finally:  # also on an error or Ctrl-C, so a progress bar is closed
            for hook in hooks:
                hook.on_train_end(self, history)
        return history
