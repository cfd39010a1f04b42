"""Lanes (tabgan.lanes): ordered parallel sampling units, one torch thread each."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
import torch

from tabgan import TabGAN
from tabgan.sampling.lanes import MAX_LANES, Lanes, lane_count
from tests.conftest import make_mixed_table


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_results_come_back_in_submission_order(two_threads):
    def unit(i: int) -> tuple[int, int, str]:
        time.sleep(0.05 if i % 2 == 0 else 0.0)  # even units finish last
        return i, torch.get_num_threads(), threading.current_thread().name

    with Lanes(2) as lanes:
        for i in range(5):
            lanes.submit(unit, i)
        out = [lanes.next() for _ in range(5)]
        assert len(lanes) == 0
    assert [i for i, _, _ in out] == list(range(5))
    assert {threads for _, threads, _ in out} == {1}  # each worker runs torch on one thread
    assert all(name.startswith("tabgan-lane") for _, _, name in out)
    assert torch.get_num_threads() == 2  # the caller's count is back


def test_a_failing_unit_raises_in_order(two_threads):
    started = []

    def unit(i: int) -> int:
        started.append(i)
        if i == 1:
            raise ValueError("unit 1 failed")
        time.sleep(0.02)
        return i

    with Lanes(2) as lanes:
        for i in range(lanes.depth):
            lanes.submit(unit, i)
        assert lanes.full
        assert lanes.next() == 0
        with pytest.raises(ValueError, match="unit 1"):
            lanes.next()
    assert torch.get_num_threads() == 2


def test_one_lane_runs_each_unit_at_once_on_the_caller(two_threads):
    names = []
    with Lanes(1) as lanes:
        assert lanes.depth == 1
        lanes.submit(lambda: names.append(threading.current_thread().name) or 7)
        assert names == [threading.current_thread().name]  # ran during submit
        assert lanes.full and lanes.next() == 7
    assert torch.get_num_threads() == 2


def test_lane_count_follows_torch_threads_on_the_cpu(two_threads):
    assert lane_count(torch.device("cpu")) == 2
    torch.set_num_threads(1)
    assert lane_count(torch.device("cpu")) == 1
    torch.set_num_threads(MAX_LANES + 3)
    assert lane_count(torch.device("cpu")) == MAX_LANES
    assert lane_count(torch.device("meta")) == 1


@pytest.fixture(scope="module")
def refined_model():
    df = make_mixed_table(2000, seed=3)  # enough rows for the filter's evidence
    model = TabGAN(epochs=1, batch_size=100, seed=0, device="cpu").fit(df)
    assert model.refiner_ is not None
    return model


@pytest.mark.parametrize("refined", [True, False])
def test_a_seed_gives_the_same_rows_whatever_the_thread_count(refined_model, refined, two_threads):
    model = refined_model
    refiner = model.refiner_ if refined else None
    saved, model.refiner_ = model.refiner_, refiner
    try:
        draws = {}
        for threads in (1, 2, 3):
            torch.set_num_threads(threads)
            chunks = list(model.iter_samples(1_050, seed=11, chunk=200))
            assert [len(c) for c in chunks] == [200] * 5 + [50]
            draws[threads] = pd.concat(chunks, ignore_index=True)
        pd.testing.assert_frame_equal(draws[1], draws[2])
        pd.testing.assert_frame_equal(draws[1], draws[3])
        assert not draws[1].duplicated().any()  # units draw from different seeds
    finally:
        model.refiner_ = saved


def test_sampling_leaves_the_generator_mode_and_thread_count_alone(refined_model, two_threads):
    model = refined_model
    model.generator_.train()
    try:
        model.sample(500, seed=0)
        assert model.generator_.training
    finally:
        model.generator_.eval()
    assert torch.get_num_threads() == 2


def test_conditional_rows_do_not_depend_on_the_thread_count(refined_model, two_threads):
    from tabgan.sampling.engine import round_units

    assert round_units(100) == [100]  # small rounds stay one unit
    assert round_units(10_000) == [5_000, 5_000] and round_units(8_193) == [4_097, 4_096]
    assert len(round_units(120_000)) == 4 and max(round_units(260_000)) <= 50_000
    conds = {"group": "c", "age": (">=", 30)}
    draws = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        draws[threads] = refined_model.sample(9_000, seed=5, conditions=conds)
    pd.testing.assert_frame_equal(draws[1], draws[2])
    rows = draws[1]
    assert len(rows) == 9_000 and (rows["group"] == "c").all() and (rows["age"] >= 30).all()
