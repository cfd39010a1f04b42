"""Declared constraints and the table's own rules through the estimator: every kind of draw
keeps them, exactly n rows come back, contradictions and bad training rows fail clearly, and
they survive the model file and the command line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tabgan_cli.main import app
from typer.testing import CliRunner

from tabgan import ConditionError, InvalidDataError, TabGAN
from tabgan.constraints import ConstraintSet

CONSTRAINTS = [
    "checkin <= checkout",
    "0 <= discount <= 1",
    "fixed(city, country)",
    "total = price + tax",
]


def _table(n: int = 240, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    city = rng.choice(["paris", "lyon", "rome", "milan"], size=n)
    country = np.where(np.isin(city, ["paris", "lyon"]), "fr", "it")
    checkin = rng.integers(0, 300, n)
    price = rng.gamma(3.0, 40.0, n).round(2)
    tax = (price * 0.2).round(2)
    return pd.DataFrame(
        {
            "city": city,
            "country": country,
            "checkin": checkin,
            "checkout": checkin + rng.integers(0, 14, n),
            "discount": rng.beta(2, 5, n).round(3),
            "price": price,
            "tax": tax,
            "total": (price + tax).round(2),
        }
    )


@pytest.fixture(scope="module")
def model() -> TabGAN:
    params = {"epochs": 2, "batch_size": 40, "seed": 0, "device": "cpu"}
    return TabGAN(constraints=CONSTRAINTS, **params).fit(_table())


def _keeps(frame: pd.DataFrame) -> None:
    cs = ConstraintSet(CONSTRAINTS).fit(_table())
    assert cs.mask(frame).all()


def test_every_kind_of_draw_keeps_the_constraints(model) -> None:
    plain = model.sample(150, seed=1)
    streamed = pd.concat(list(model.iter_samples(130, seed=2, chunk=50)), ignore_index=True)
    conditional = model.sample(60, seed=3, conditions={"city": "rome"})
    from tabgan.sampling import sample_balanced

    balanced = sample_balanced(model, "city", 80, seed=4)
    for frame, n in ((plain, 150), (streamed, 130), (conditional, 60), (balanced, 80)):
        assert len(frame) == n
        _keeps(frame)
    assert (conditional["country"] == "it").all()


def test_conditions_that_contradict_a_constraint_fail_at_once(model) -> None:
    with pytest.raises(ConditionError, match="discount"):
        model.sample(10, conditions={"discount": (">=", 2)})
    with pytest.raises(ConditionError, match="country"):
        model.sample(10, conditions={"city": "paris", "country": "it"})


def test_training_rows_that_break_a_constraint_fail_at_fit() -> None:
    bad = _table()
    bad.loc[[3, 7], "checkout"] = bad.loc[[3, 7], "checkin"] - 5
    with pytest.raises(InvalidDataError, match="2 of 240 training rows break") as info:
        TabGAN(epochs=1, batch_size=40, constraints=["checkin <= checkout"]).fit(bad)
    assert "\n" not in str(info.value)


def test_constraints_survive_the_model_file(model, tmp_path) -> None:
    path = tmp_path / "c.tabgan"
    model.save(path)
    loaded = TabGAN.load(path)
    assert [str(c) for c in loaded.constraints_] == [str(c) for c in model.constraints_]
    out = loaded.sample(100, seed=5)
    _keeps(out)
    pd.testing.assert_frame_equal(out, model.sample(100, seed=5))


def test_rules_found_at_fit_are_kept_and_can_be_turned_off() -> None:
    df = _table(400, seed=1)
    fitted = TabGAN(epochs=1, batch_size=40, seed=0).fit(df)
    assert any("city" in line and "country" in line for line in fitted.encoder_.rules_.describe())
    out = fitted.sample(300, seed=0)
    pairs = set(zip(df["city"], df["country"], strict=True))
    assert set(zip(out["city"], out["country"], strict=True)) <= pairs
    off = TabGAN(epochs=1, batch_size=40, seed=0, detect_rules=False).fit(df)
    assert len(off.encoder_.rules_.describe()) == 0


def test_cli_constraints_rules_and_info(tmp_path) -> None:
    runner = CliRunner()
    _table().to_csv(tmp_path / "d.csv", index=False)
    model = str(tmp_path / "m.tabgan")
    args = ["fit", str(tmp_path / "d.csv"), "-m", model, "--epochs", "1", "-q"]
    for c in CONSTRAINTS:
        args += ["--constraint", c]
    assert runner.invoke(app, args).exit_code == 0
    info = runner.invoke(app, ["info", model])
    assert info.exit_code == 0 and "checkin <= checkout" in info.stderr
    assert "rules found" in info.stderr
    out = runner.invoke(app, ["sample", "-n", "40", "-m", model, "--seed", "0"])
    assert out.exit_code == 0
    import io

    _keeps(pd.read_csv(io.StringIO(out.stdout)))
    bad = runner.invoke(app, [*args[:4], "--constraint", "checkin <= = checkout"])
    assert bad.exit_code == 1 and bad.stderr.startswith("Error:")
