"""Training precision (autocast) and the byte-mask dropout of the critic and the refiner."""

import pytest
import torch

from tabgan import TabGAN
from tabgan.gan.networks import ByteDropout, Discriminator, random_bytes
from tests.conftest import make_mixed_table


def test_random_bytes_are_uniform_in_every_position():
    torch.manual_seed(0)
    octets = random_bytes(70_001, torch.device("cpu"))
    assert octets.dtype == torch.uint8 and octets.shape == (70_001,)
    counts = torch.bincount(octets.long(), minlength=256).float()
    assert counts.min() > 0.6 * counts.mean() and counts.max() < 1.4 * counts.mean()
    # each of the 7 bytes taken from a word: its top bit is set half the time (the 8th byte
    # of torch's 63-bit words never has it, so taking it would show here)
    top = (octets[:70_000].view(-1, 7) >= 128).float().mean(0)
    assert torch.all((top - 0.5).abs() < 0.02), top
    torch.manual_seed(0)
    assert torch.equal(octets, random_bytes(70_001, torch.device("cpu")))  # torch's stream


@pytest.mark.parametrize(("p", "keep"), [(0.5, 128), (26 / 256, 230), (0.0, 256)])
def test_byte_dropout_keeps_its_share_rescaled(p, keep):
    drop = ByteDropout(p)
    assert drop.keep == keep
    x = torch.ones(300, 400, requires_grad=True)
    torch.manual_seed(1)
    y = drop(x)
    kept = y > 0
    assert kept.float().mean().item() == pytest.approx(keep / 256, abs=0.005)
    assert y.mean().item() == pytest.approx(1.0, abs=0.01)  # rescaled: same expectation
    y.sum().backward()
    assert torch.equal(x.grad > 0, kept)  # gradients only through the kept units
    torch.manual_seed(1)
    assert torch.equal(drop(x), y)  # reproducible from torch's seed
    drop.eval()
    assert torch.equal(drop(x), x)


def test_byte_dropout_that_drops_everything():
    assert torch.equal(ByteDropout(1.0)(torch.ones(3, 4)), torch.zeros(3, 4))


def test_critic_uses_byte_dropout_of_its_rate():
    critic = Discriminator(6, (8, 8), pac=2, dropout=0.25)
    drops = [m for m in critic.modules() if isinstance(m, ByteDropout)]
    assert len(drops) == 2 and all(d.keep == 192 for d in drops)


def _linear_dtypes(monkeypatch) -> list[torch.dtype]:
    """The dtypes the networks' linear layers compute in during a fit (a spy)."""
    seen: list[torch.dtype] = []
    forward = torch.nn.Linear.forward

    def spy(self, x):
        out = forward(self, x)
        seen.append(out.dtype)
        return out

    monkeypatch.setattr(torch.nn.Linear, "forward", spy)
    return seen


@pytest.mark.parametrize(
    ("precision", "dtype"), [("float32", torch.float32), ("bfloat16", torch.bfloat16)]
)
def test_train_precision_sets_the_products_not_the_weights(monkeypatch, precision, dtype):
    seen = _linear_dtypes(monkeypatch)
    df = make_mixed_table(200)
    model = TabGAN(
        epochs=1,
        batch_size=50,
        seed=0,
        device="cpu",
        refine=False,
        ema_decay=0.0,  # the EMA's batch-norm passes after training run in float32
        train_precision=precision,
    ).fit(df)
    assert seen and set(seen) == {dtype}
    assert all(p.dtype == torch.float32 for p in model.generator_.parameters())
    assert all(torch.isfinite(torch.tensor(h)).all() for h in model.history_)
    assert model.sample(50, seed=0).shape == (50, df.shape[1])


def test_bfloat16_training_is_seeded_and_differs_from_float32():
    df = make_mixed_table(200)
    kwargs = {"epochs": 2, "batch_size": 50, "seed": 3, "device": "cpu", "refine": False}
    a = TabGAN(**kwargs, train_precision="bfloat16").fit(df)
    b = TabGAN(**kwargs, train_precision="bfloat16").fit(df)
    c = TabGAN(**kwargs, train_precision="float32").fit(df)
    weights = [next(iter(m.generator_.parameters())) for m in (a, b, c)]
    assert torch.equal(weights[0], weights[1])
    assert not torch.equal(weights[0], weights[2])  # the precision really changed the products
