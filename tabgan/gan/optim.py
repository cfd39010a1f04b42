"""Optimiser and precision settings shared by every network tabgan trains (the GAN and the
refiner's classifier)."""

from __future__ import annotations

import torch


def fast_adam(device: torch.device) -> dict:
    """Keyword arguments for torch's Adam/AdamW: the fused kernel where there is one."""
    # the fused kernel does Adam's ~10 element-wise passes in one, on CPU and CUDA alike
    return {"fused": True} if device.type in ("cpu", "cuda") else {}


def autocast(device: torch.device, dtype: torch.dtype | None) -> torch.autocast:
    """Matrix products in ``dtype`` within the block (a no-op for None or float32)."""
    enabled = dtype is not None and dtype != torch.float32
    return torch.autocast(device.type, dtype=dtype if enabled else None, enabled=enabled)


__all__ = ["autocast", "fast_adam"]
