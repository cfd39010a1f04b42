"""Optimiser and precision settings shared by every network tabgan trains (the GAN and the
refiner's classifier).

:class:`FusedAdam` is torch's fused Adam/AdamW kernel (``torch._fused_adam_``, the one
``torch.optim.Adam(fused=True)`` runs) behind a small optimiser of our own. It exists for start-up
time: constructing any ``torch.optim.Optimizer`` imports ``torch._dynamo``, which took 2.3-2.5 s
of every fit on this project's CPU machine, longer than a whole fit of a small table should take.
The update is the same kernel with the same arguments, so a fit gives the same weights as with
torch's optimiser, and :meth:`FusedAdam.state_dict` has torch's layout, so checkpoints written by
either load in the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor

_FUSED_DEVICES = ("cpu", "cuda")


class FusedAdam:
    """Adam (or AdamW with ``decoupled=True``) on torch's fused kernel, one parameter group.

    The subset of ``torch.optim.Optimizer`` tabgan uses: :meth:`step`, :meth:`zero_grad`,
    :meth:`state_dict`, :meth:`load_state_dict` and ``param_groups``. Parameters without a
    gradient are skipped, as torch's optimisers do.
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        self.decoupled = decoupled
        self.param_groups = [
            {
                "lr": lr,
                "betas": tuple(betas),
                "eps": eps,
                "weight_decay": weight_decay,
                "amsgrad": False,
                "maximize": False,
                "foreach": None,
                "capturable": False,
                "differentiable": False,
                "fused": True,
                "decoupled_weight_decay": decoupled,
                "params": list(range(len(self.params))),
            }
        ]
        self.state: dict[int, dict[str, Tensor]] = {}

    def _state(self, i: int, p: Tensor) -> dict[str, Tensor]:
        st = self.state.get(i)
        if st is None:
            st = self.state[i] = {
                "step": torch.zeros((), dtype=torch.float32, device=p.device),
                "exp_avg": torch.zeros_like(p, memory_format=torch.preserve_format),
                "exp_avg_sq": torch.zeros_like(p, memory_format=torch.preserve_format),
            }
        return st

    @torch.no_grad()
    def step(self) -> None:
        group = self.param_groups[0]
        params, grads, avgs, sqs, steps = [], [], [], [], []
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            st = self._state(i, p)
            params.append(p)
            grads.append(p.grad)
            avgs.append(st["exp_avg"])
            sqs.append(st["exp_avg_sq"])
            steps.append(st["step"])
        if not params:
            return
        torch._foreach_add_(steps, 1)
        kernel = torch._fused_adamw_ if self.decoupled else torch._fused_adam_
        beta1, beta2 = group["betas"]
        kernel(
            params,
            grads,
            avgs,
            sqs,
            [],
            steps,
            amsgrad=False,
            lr=group["lr"],
            beta1=beta1,
            beta2=beta2,
            weight_decay=group["weight_decay"],
            eps=group["eps"],
            maximize=False,
            grad_scale=None,
            found_inf=None,
        )

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.zero_()

    def state_dict(self) -> dict[str, Any]:
        """torch's layout: ``{"state": {index: {...}}, "param_groups": [...]}``."""
        return {
            "state": {i: dict(st) for i, st in self.state.items()},
            "param_groups": [dict(g, params=list(g["params"])) for g in self.param_groups],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore :meth:`state_dict` output, or a ``torch.optim.Adam``'s of the same
        parameters (as older checkpoints hold)."""
        (saved,) = state_dict["param_groups"]
        if len(saved["params"]) != len(self.params):
            raise ValueError("the saved optimizer state is for a different set of parameters")
        group = self.param_groups[0]
        for key in ("lr", "eps", "weight_decay"):
            if key in saved:
                group[key] = saved[key]
        if "betas" in saved:
            group["betas"] = tuple(saved["betas"])
        position = {int(pid): k for k, pid in enumerate(saved["params"])}
        self.state = {}
        for pid, st in state_dict["state"].items():
            k = position[int(pid)]
            p = self.params[k]
            self.state[k] = {
                "step": torch.as_tensor(st["step"], dtype=torch.float32).to(p.device).reshape(()),
                "exp_avg": st["exp_avg"].to(device=p.device, dtype=p.dtype).clone(),
                "exp_avg_sq": st["exp_avg_sq"].to(device=p.device, dtype=p.dtype).clone(),
            }


def adam(
    params: Iterable[Tensor],
    device: torch.device,
    *,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    weight_decay: float = 0.0,
    decoupled: bool = False,
) -> Any:
    """An Adam (``decoupled=True``: AdamW) optimiser for parameters on ``device``:
    :class:`FusedAdam` where torch has the fused kernel (CPU, CUDA), torch's own elsewhere."""
    if device.type in _FUSED_DEVICES:
        return FusedAdam(params, lr, betas, weight_decay=weight_decay, decoupled=decoupled)
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    return cls(params, lr=lr, betas=betas, weight_decay=weight_decay)


def autocast(device: torch.device, dtype: torch.dtype | None) -> torch.autocast:
    """Matrix products in ``dtype`` within the block (a no-op for None or float32)."""
    enabled = dtype is not None and dtype != torch.float32
    return torch.autocast(device.type, dtype=dtype if enabled else None, enabled=enabled)


__all__ = ["FusedAdam", "adam", "autocast"]
