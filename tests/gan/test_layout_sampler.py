"""The torch span layout and the conditional sampler, on a hand-made span list."""

import torch

from tabgan.encoding.spans import Activation, Span, SpanRole
from tabgan.gan import ConditionalSampler, TorchLayout

SPANS = [
    Span(0, 1, Activation.TANH, SpanRole.VALUE, "x"),
    Span(1, 3, Activation.SOFTMAX, SpanRole.MODE, "x"),
    Span(4, 2, Activation.SOFTMAX, SpanRole.CATEGORY, "a", conditional=True),
    Span(6, 4, Activation.SOFTMAX, SpanRole.CATEGORY, "b", conditional=True),
]


def _data(n: int = 200) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    x = torch.zeros(n, 10)
    x[:, 0] = torch.rand(n, generator=g) * 2 - 1
    x[torch.arange(n), 1 + torch.randint(3, (n,), generator=g)] = 1
    a = (torch.rand(n, generator=g) < 0.1).long()  # a: 90% / 10%
    x[torch.arange(n), 4 + a] = 1
    b = torch.multinomial(torch.tensor([0.5, 0.3, 0.2, 0.0]), n, True, generator=g)
    x[torch.arange(n), 6 + b] = 1  # b's last category never occurs
    return x


def test_activate_outputs_valid_blocks():
    layout = TorchLayout(SPANS, torch.device("cpu"))
    raw = torch.randn(32, 10) * 5
    out = layout.activate(raw, 0.2, torch.Generator().manual_seed(1))
    assert out.shape == (32, 10)
    assert torch.all(out[:, 0].abs() <= 1)
    for start, stop in [(1, 4), (4, 6), (6, 10)]:
        torch.testing.assert_close(out[:, start:stop].sum(1), torch.ones(32))
    # tanh column is exactly tanh of the raw column (order restored correctly)
    torch.testing.assert_close(out[:, 0], torch.tanh(raw[:, 0]))


def test_activate_is_differentiable():
    layout = TorchLayout(SPANS, torch.device("cpu"))
    raw = torch.randn(8, 10, requires_grad=True)
    layout.activate(raw, 0.2, None).sum().backward()
    assert raw.grad is not None and torch.isfinite(raw.grad).all()


def test_conditional_loss_matches_per_span_cross_entropy():
    layout = TorchLayout(SPANS, torch.device("cpu"))
    raw = torch.randn(6, 10)
    column = torch.tensor([0, 1, 0, 1, 1, 0])
    category = torch.tensor([1, 3, 0, 2, 0, 1])
    expected = []
    for i in range(6):
        span = layout.cond_spans[int(column[i])]
        logits = raw[i, span.offset : span.stop]
        expected.append(torch.nn.functional.cross_entropy(logits[None], category[i : i + 1]))
    torch.testing.assert_close(
        layout.conditional_loss(raw, column, category), torch.stack(expected).mean()
    )


def test_sampler_rows_match_their_condition():
    data = _data()
    layout = TorchLayout(SPANS, torch.device("cpu"))
    sampler = ConditionalSampler.from_data(data, layout)
    cond, rows = sampler.train_batch(500, torch.Generator().manual_seed(2))
    assert cond.vector.shape == (500, 6)
    for i in range(500):
        span = layout.cond_spans[int(cond.column[i])]
        assert data[rows[i], span.offset + cond.category[i]] == 1
    # the never-seen category of b is never asked for
    assert not torch.any((cond.column == 1) & (cond.category == 3))


def test_sampler_log_frequency_oversamples_rare_categories():
    data = _data(2000)
    layout = TorchLayout(SPANS, torch.device("cpu"))
    g = torch.Generator().manual_seed(3)
    log = ConditionalSampler.from_data(data, layout, log_frequency=True)
    plain = ConditionalSampler.from_data(data, layout, log_frequency=False)
    rare_log = log.train_probs[1] / log.train_probs[:2].sum()
    rare_plain = plain.train_probs[1] / plain.train_probs[:2].sum()
    assert rare_log > rare_plain
    # generation uses real frequencies
    cond = plain.sample_batch(4000, g)
    a_rows = cond.column == 0
    share = (cond.category[a_rows] == 1).float().mean()
    assert abs(float(share) - float(data[:, 5].mean())) < 0.05


def test_sampler_without_discrete_columns():
    spans = [Span(0, 1, Activation.TANH, SpanRole.VALUE, "x")]
    data = torch.rand(50, 1)
    layout = TorchLayout(spans, torch.device("cpu"))
    sampler = ConditionalSampler.from_data(data, layout)
    cond, rows = sampler.train_batch(20, torch.Generator().manual_seed(0))
    assert cond is None and rows.shape == (20,) and int(rows.max()) < 50
    assert sampler.sample_batch(5, None) is None
    assert layout.conditional_loss(torch.randn(3, 1), None, None) == 0


def test_fixed_batch():
    layout = TorchLayout(SPANS, torch.device("cpu"))
    sampler = ConditionalSampler.from_data(_data(), layout)
    cond = sampler.fixed_batch(4, span=1, category=2)
    assert torch.all(cond.vector[:, 2 + 2] == 1) and torch.all(cond.vector.sum(1) == 1)
    assert torch.all(cond.column == 1) and torch.all(cond.category == 2)
    assert torch.equal(sampler.fixed_ids(4, span=1, category=2), cond.vector.argmax(1))


def test_sample_ids_are_the_sample_batch_without_its_vectors():
    layout = TorchLayout(SPANS, torch.device("cpu"))
    sampler = ConditionalSampler.from_data(_data(), layout)
    cond = sampler.sample_batch(500, torch.Generator().manual_seed(3))
    ids = sampler.sample_ids(500, torch.Generator().manual_seed(3))
    assert torch.equal(ids, cond.vector.argmax(1))


def test_draw_samples_categories_from_the_softmax_of_the_logits():
    layout = TorchLayout(SPANS, torch.device("cpu"))
    logits = torch.randn(10, 20000)  # transposed: one row per encoded column
    logits[6:10] = (
        torch.log(torch.tensor([0.1, 0.2, 0.3, 0.4]))[:, None] + 100.0
    )  # exp overflows unless shifted
    logits[2:6, :10] = float("nan")  # a diverged generator's rows draw the first category
    values, choices = layout.draw(logits, torch.Generator().manual_seed(0))
    assert values.shape == (1, 20000) and choices.shape == (len(layout.soft_bounds), 20000)
    torch.testing.assert_close(values[0], torch.tanh(logits[0]))
    last = choices[-1]  # the 4-wide span at 6:10
    share = torch.bincount(last, minlength=4).float() / 20000
    torch.testing.assert_close(share, torch.tensor([0.1, 0.2, 0.3, 0.4]), atol=0.015, rtol=0)
    assert int(choices.min()) >= 0
    for i, (lo, hi) in enumerate(layout.soft_bounds):
        assert int(choices[i].max()) < hi - lo
    assert torch.all(choices[:2, :10] == 0)  # the NaN rows of the spans at 1:4 and 4:6
    # the same seed draws the same rows
    again = layout.draw(logits, torch.Generator().manual_seed(0))
    assert torch.equal(again[1], choices)


def test_generator_inference_path_matches_module_path():
    from tabgan.gan import Generator

    torch.manual_seed(0)
    gen = Generator(8, 6, (16, 12), 10)
    gen.train()
    gen(torch.randn(64, 14))  # populate batch-norm running statistics
    gen.eval()
    z = torch.randn(32, 14)
    with torch.no_grad():
        fast = gen(z)
    with torch.enable_grad():
        slow = gen(z)
    torch.testing.assert_close(fast, slow.detach(), rtol=1e-5, atol=1e-5)


def test_generate_with_condition_ids_matches_the_one_hot_input():
    from tabgan.gan import Generator

    torch.manual_seed(0)
    gen = Generator(8, 6, (16, 12), 10)
    gen(torch.randn(64, 14))  # batch-norm running statistics
    gen.eval()
    noise = torch.randn(32, 8)
    ids = torch.randint(6, (32,))
    one_hot = torch.nn.functional.one_hot(ids, 6).float()
    with torch.enable_grad():
        slow = gen(torch.cat([noise, one_hot], dim=1)).detach()
    torch.testing.assert_close(gen.generate(noise, ids), slow, rtol=1e-5, atol=1e-5)
    # in blocks of rows (a last partial block included): the same rows
    torch.testing.assert_close(gen.generate(noise, ids, block=5), slow, rtol=1e-5, atol=1e-5)


def test_noise_is_seeded_standard_normal_whatever_the_thread_count():
    from tabgan.gan.sampler import NOISE_MIN_ROWS, noise

    cpu = torch.device("cpu")
    n = NOISE_MIN_ROWS * 3 + 5  # uneven parts
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = noise(n, 16, cpu, torch.Generator().manual_seed(0))
        torch.set_num_threads(2)
        two = noise(n, 16, cpu, torch.Generator().manual_seed(0))
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(one, two) and one.shape == (n, 16)
    assert abs(float(one.mean())) < 0.01 and abs(float(one.std()) - 1.0) < 0.01
    # the parts come from different streams (no repeated block)
    quarter = n // 4
    assert not torch.equal(one[:quarter], one[quarter : 2 * quarter])
    assert not torch.equal(one, noise(n, 16, cpu, torch.Generator().manual_seed(1)))
    with torch.inference_mode():  # the workers follow the caller's inference mode
        assert noise(n, 4, cpu, torch.Generator().manual_seed(0)).is_inference()
    small = noise(10, 4, cpu, torch.Generator().manual_seed(0))
    assert torch.equal(small, torch.randn(10, 4, generator=torch.Generator().manual_seed(0)))
