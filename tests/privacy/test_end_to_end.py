"""A private fit through the lower layers: preprocessing, DP training, save, load, sample.

The steps ``TabGAN(epsilon=...)`` wires together (tests/privacy/test_estimator.py tests the
estimator itself, and benchmarks/privacy.py fits through it), here called one by one on a tiny
table with a category seen fewer times than the threshold.
"""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
import torch

pytest.importorskip("opacus")

from tabgan.encoding import Draw, TableEncoder
from tabgan.gan import ConditionalSampler, Discriminator, Generator, TorchLayout, Trainer, prefixed
from tabgan.gan.train import TrainConfig
from tabgan.persist import load_model, save_model
from tabgan.privacy import Accountant, PrivacyBudget, plan_training, privacy_record
from tabgan.privacy.preprocess import PrivatePreprocessor, condition_counts

N, EPS = 400, 4.0


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    city = list(rng.choice(["Oslo", "Rome", "Lima"], N - 3)) + ["Tiny-Town"] * 3
    return pd.DataFrame(
        {
            "city": city,
            "age": rng.integers(18, 80, N),
            "income": rng.lognormal(10, 0.5, N),
            "member": rng.random(N) < 0.3,
        }
    )


def _sample(encoder, sampler, generator, n: int, seed: int) -> pd.DataFrame:
    layout = sampler.layout
    rng = torch.Generator().manual_seed(seed)
    generator.eval()
    with torch.inference_mode():
        ids = sampler.sample_ids(n, rng)
        raw = generator.generate(torch.randn(n, generator.args["noise_dim"], generator=rng), ids)
        values, choices = layout.draw(raw.T.contiguous(), rng)
    return encoder.decode(Draw(values.numpy(), choices.numpy()), np.random.default_rng(seed))


def test_private_fit_saves_loads_and_samples(tmp_path):
    df = _table()
    budget = PrivacyBudget(epsilon=EPS).validated(N)
    hook = PrivatePreprocessor(budget)
    encoder = TableEncoder(max_modes=3, seed=0).fit(df, privacy=hook)
    layout = TorchLayout(encoder.spans, torch.device("cpu"))
    data = torch.as_tensor(encoder.transform(df, rng=np.random.default_rng(0)))
    counts = torch.as_tensor(condition_counts(encoder, hook))
    sampler = ConditionalSampler.from_data(data, layout, counts=counts)
    torch.testing.assert_close(sampler.counts, counts)  # the noisy counts, not the true ones
    accountant = Accountant([hook.release])
    steps = N // 40
    plan = plan_training(budget, N, 40, 1, 3 * steps, accountant)
    config = TrainConfig(epochs=3, batch_size=40, pac=1, noise_dim=8, privacy=plan)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        gen = Generator(8, layout.cond_dim, [32], layout.output_dim)
        disc = Discriminator(layout.output_dim + layout.cond_dim, [32], 1)
    trainer = Trainer(data, layout, sampler, gen, disc, config, torch.Generator().manual_seed(0))
    history = trainer.fit()
    spent = trainer.privacy_spent()
    assert len(history) == 3 and spent["epsilon"] <= EPS
    # what the model file records (the lead's TabGAN does this in its save)
    final = Accountant(tuple(h) for h in spent["history"])
    record = privacy_record(budget, final, **hook.record())
    assert record["epsilon"] == pytest.approx(spent["epsilon"])
    assert record["accountant"] == "opacus-rdp" and record["delta"] == budget.delta
    meta = {
        "encoder": encoder.to_dict(),
        "generator": gen.args,
        "privacy": record,
        "history": [[h.generator_loss, h.discriminator_loss] for h in history],
    }
    tensors = {f"generator.{k}": v for k, v in trainer.sampling_generator().state_dict().items()}
    tensors["condition_counts"] = sampler.counts.clone()
    path = tmp_path / "private.tabgan"
    save_model(path, meta, tensors)
    assert b"Tiny-Town" not in path.read_bytes()  # seen 3 times < threshold 5: never stored

    meta2, tensors2 = load_model(path)
    encoder2 = TableEncoder.from_dict(meta2["encoder"])
    gen2 = Generator(**meta2["generator"])
    gen2.load_state_dict(prefixed(tensors2, "generator."))
    layout2 = TorchLayout(encoder2.spans, torch.device("cpu"))
    sampler2 = ConditionalSampler(layout2, tensors2["condition_counts"])
    out = _sample(encoder2, sampler2, gen2, 500, seed=1)
    again = _sample(encoder2, sampler2, gen2, 500, seed=1)
    pd.testing.assert_frame_equal(out, again)
    assert list(out.columns) == list(df.columns)
    assert out.dtypes.astype(str).tolist() == df.dtypes.astype(str).tolist()
    assert "Tiny-Town" not in set(out["city"])
    assert out["age"].between(0, 200).all()
    json.dumps(meta2["privacy"], allow_nan=False)
    assert meta2["privacy"]["protected"]["rare_threshold"] == 5


def test_fixed_noise_run_stops_within_the_budget():
    df = _table()
    budget = PrivacyBudget(epsilon=1.0, noise_multiplier=2.5).validated(N)
    hook = PrivatePreprocessor(budget)
    encoder = TableEncoder(max_modes=3, seed=0).fit(df, privacy=hook)
    layout = TorchLayout(encoder.spans, torch.device("cpu"))
    data = torch.as_tensor(encoder.transform(df, rng=np.random.default_rng(0)))
    sampler = ConditionalSampler.from_data(
        data, layout, counts=torch.as_tensor(condition_counts(encoder, hook))
    )
    plan = plan_training(budget, N, 40, 1, 100, Accountant([hook.release]))
    config = dataclasses.replace(
        TrainConfig(epochs=100, batch_size=40, pac=1, noise_dim=8), privacy=plan
    )
    with torch.random.fork_rng():
        torch.manual_seed(0)
        gen = Generator(8, layout.cond_dim, [16], layout.output_dim)
        disc = Discriminator(layout.output_dim + layout.cond_dim, [16], 1)
    trainer = Trainer(data, layout, sampler, gen, disc, config, torch.Generator().manual_seed(0))
    history = trainer.fit()
    spent = trainer.privacy_spent()
    assert spent["stopped_early"] and len(history) == 2  # a third epoch would pass 1.0
    assert spent["epsilon"] <= 1.0
