"""tabgan's own fused Adam: the same updates as torch's, torch's state layout, no dynamo import."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from tabgan.device import BF16_MIN_STEP_WORK, native_cpu_bf16, train_dtype
from tabgan.gan.optim import FusedAdam, adam


def _pair(seed: int = 0) -> tuple[torch.nn.Module, torch.nn.Module]:
    torch.manual_seed(seed)
    a = torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    b = torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    b.load_state_dict(a.state_dict())
    return a, b


def _train(model: torch.nn.Module, opt, steps: int, seed: int = 1) -> None:
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        x = torch.randn(8, 6, generator=gen)
        opt.zero_grad(set_to_none=True)
        model(x).pow(2).sum().backward()
        opt.step()


@pytest.mark.parametrize("decoupled", [False, True])
def test_same_weights_as_torch_fused_adam(decoupled: bool) -> None:
    a, b = _pair()
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    ref = cls(a.parameters(), lr=1e-2, betas=(0.5, 0.9), weight_decay=1e-3, fused=True)
    ours = FusedAdam(b.parameters(), 1e-2, (0.5, 0.9), weight_decay=1e-3, decoupled=decoupled)
    _train(a, ref, 7)
    _train(b, ours, 7)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_state_dict_loads_both_ways_and_resumes_exactly() -> None:
    a, b = _pair()
    ref = torch.optim.Adam(a.parameters(), lr=1e-2, betas=(0.5, 0.9), fused=True)
    ours = FusedAdam(b.parameters(), 1e-2, (0.5, 0.9))
    _train(a, ref, 3)
    _train(b, ours, 3)
    # swap the optimisers' states: each continues the other's run
    ours2 = FusedAdam(b.parameters(), 1.0, (0.1, 0.2))
    ours2.load_state_dict(ref.state_dict())
    ref2 = torch.optim.Adam(a.parameters(), lr=1.0, fused=True)
    ref2.load_state_dict(ours.state_dict())
    assert ours2.param_groups[0]["betas"] == (0.5, 0.9) and ours2.param_groups[0]["lr"] == 1e-2
    _train(a, ref2, 4, seed=5)
    _train(b, ours2, 4, seed=5)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert float(ours2.state[0]["step"]) == 7


def test_parameters_without_gradients_are_skipped() -> None:
    a, _ = _pair()
    opt = FusedAdam(a.parameters(), 1e-2)
    a[0].requires_grad_(False)
    before = a[0].weight.clone()
    _train(a, opt, 2)
    assert torch.equal(a[0].weight, before)
    assert set(opt.state) == {2, 3}  # only the last layer's weight and bias


def test_mismatched_state_is_refused() -> None:
    a, _ = _pair()
    opt = FusedAdam(list(a.parameters())[:2], 1e-2)
    with pytest.raises(ValueError, match="different set of parameters"):
        opt.load_state_dict(FusedAdam(a.parameters(), 1e-2).state_dict())
    with pytest.raises(ValueError, match="empty"):
        FusedAdam([], 1e-2)


def test_adam_picks_the_fused_optimiser_on_cpu() -> None:
    a, _ = _pair()
    assert isinstance(adam(a.parameters(), torch.device("cpu"), lr=1e-3), FusedAdam)


def test_a_fit_does_not_import_dynamo() -> None:
    # constructing any torch.optim optimiser imports torch._dynamo: seconds of every fit
    code = (
        "import sys, pandas as pd\n"
        "from tabgan import TabGAN\n"
        "df = pd.DataFrame({'a': [0.1 * i for i in range(60)], 'b': ['x', 'y', 'z'] * 20})\n"
        "TabGAN(epochs=1, min_steps_per_epoch=2, seed=0).fit(df).sample(5)\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_auto_training_precision_keeps_float32_for_small_steps() -> None:
    cpu = torch.device("cpu")
    assert train_dtype("float32", cpu, 10**6, 100) == torch.float32
    assert train_dtype("bfloat16", cpu, 10, 10) == torch.bfloat16  # asked for: kept
    assert train_dtype("auto", cpu, 10, 10) == torch.float32
    native = torch.bfloat16 if native_cpu_bf16() else torch.float32
    assert train_dtype("auto", cpu, BF16_MIN_STEP_WORK, 1) == native
