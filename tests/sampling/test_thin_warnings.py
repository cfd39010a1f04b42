"""Warnings where conditioned rows may mislead: a condition few training rows meet, and a
combination of categories of two or more columns that few or no training rows hold."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tabgan import TabGAN
from tabgan.encoding import TableEncoder
from tabgan.encoding.pairs import MAX_PAIR_CELLS, PairCounts
from tabgan.errors import TabGANWarning
from tabgan.sampling import sample_balanced


def _table(n: int = 900, seed: int = 0) -> pd.DataFrame:
    """``cls=a`` never comes with ``g=x`` (no rule: ``a`` has both ``m`` and ``f``); ``tag=r``
    is rare (8 rows)."""
    rng = np.random.default_rng(seed)
    cls = rng.choice(["a", "b", "c"], n)
    g = np.where(cls == "a", rng.choice(["m", "f"], n), rng.choice(["m", "f", "x"], n))
    tag = np.array(["q"] * n, dtype=object)
    tag[rng.choice(n, 8, replace=False)] = "r"
    return pd.DataFrame({"cls": cls, "g": g, "tag": tag, "v": rng.normal(size=n)})


@pytest.fixture(scope="module")
def model() -> TabGAN:
    return TabGAN(epochs=1, min_steps_per_epoch=2, refine=False, seed=0).fit(_table())


def _messages(fn) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TabGANWarning)
        fn()
    return [str(w.message) for w in caught if issubclass(w.category, TabGANWarning)]


def test_pair_counts_are_exact() -> None:
    df = _table()
    enc = TableEncoder(seed=0).fit(df)
    codes = {c: enc._codec(c).indices(df[c], c) for c in ("cls", "g")}
    pairs = PairCounts.fit(codes)
    a, x = enc.category_index("cls", "a"), enc.category_index("g", "x")
    assert pairs.rows_with({"cls": np.array([a]), "g": np.array([x])}) == (0, 2)
    b, m = enc.category_index("cls", "b"), enc.category_index("g", "m")
    expected = int(((df["cls"] == "b") & (df["g"] == "m")).sum())
    assert pairs.rows_with({"cls": np.array([b]), "g": np.array([m])}) == (expected, 2)
    # the other order of the columns gives the same count
    assert pairs.rows_with({"g": np.array([m]), "cls": np.array([b])}) == (expected, 2)
    assert pairs.rows_with({"cls": np.array([b])}) is None  # one column: nothing to say


def test_pairs_with_too_many_combinations_are_left_out() -> None:
    n = MAX_PAIR_CELLS + 10
    pairs = PairCounts.fit({"a": np.arange(n), "c": np.zeros(n, int), "d": np.ones(n, int)})
    assert set(pairs.cells) == {("c", "d")}


def test_pairs_round_trip_and_corrupt_states_fail(model: TabGAN) -> None:
    enc = model.encoder_
    again = TableEncoder.from_dict(enc.to_dict())
    assert again.pairs_.to_dict() == enc.pairs_.to_dict() and len(again.pairs_) == 3
    state = enc.to_dict()
    state["pairs"]["pairs"][0]["cells"][0][0] = 99
    with pytest.raises(ValueError, match="out of range"):
        TableEncoder.from_dict(state)
    state = enc.to_dict()
    state["pairs"]["pairs"][0]["columns"] = ["cls", "nope"]
    with pytest.raises(ValueError, match="unknown columns"):
        TableEncoder.from_dict(state)
    old = enc.to_dict()
    del old["pairs"]  # saved before pair counts: loads, warns about nothing combined
    assert len(TableEncoder.from_dict(old).pairs_) == 0


def test_unseen_combination_warns_once(model: TabGAN) -> None:
    messages = _messages(lambda: model.sample(40, conditions={"cls": "a", "g": "x"}))
    assert len(messages) == 1
    assert "no training row has cls == 'a' and g == 'x' together" in messages[0]


def test_common_conditions_do_not_warn(model: TabGAN) -> None:
    assert _messages(lambda: model.sample(40, conditions={"cls": "b", "g": "m"})) == []
    assert _messages(lambda: model.sample(40, conditions={"cls": "b"})) == []


def test_rare_category_warns(model: TabGAN) -> None:
    messages = _messages(lambda: model.sample(200, conditions={"tag": "r"}))
    assert len(messages) == 1 and "only 8 training rows have tag == 'r'" in messages[0]
    assert _messages(lambda: model.sample(20, conditions={"tag": "r"})) == []  # few asked


def test_balancing_with_a_condition_warns_about_the_unseen_class(model: TabGAN) -> None:
    messages = _messages(lambda: sample_balanced(model, "cls", 90, conditions={"g": "x"}))
    assert any("no training row has g == 'x' and cls == 'a'" in m for m in messages)


def test_private_fit_keeps_no_pair_counts() -> None:
    m = TabGAN(epochs=1, min_steps_per_epoch=2, refine=False, protect_rare=5, seed=0)
    m.fit(_table())
    assert len(m.encoder_.pairs_) == 0


def test_cli_prints_the_combination_warning_once(model: TabGAN, tmp_path) -> None:
    from tabgan_cli.main import app
    from typer.testing import CliRunner

    path = tmp_path / "m.tabgan"
    model.save(path)
    conditions = ["-c", "cls=a", "-c", "g=x"]
    result = CliRunner().invoke(app, ["sample", "-n", "30", "-m", str(path), *conditions])
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warned) == 1 and "no training row has cls == 'a' and g == 'x'" in warned[0]
    assert len(result.stdout.splitlines()) == 31
