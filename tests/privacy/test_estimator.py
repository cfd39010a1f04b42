"""TabGAN(epsilon=...) end to end: a private fit keeps its budget, records it in the model file,
never stores a rare category, and saves, loads and samples like any other model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tabgan import InvalidParameterError, TabGAN
from tabgan.persist import read_header

pytest.importorskip("opacus")


def _table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    city = rng.choice(["oslo", "lima", "pune"], size=n).astype(object)
    city[:3] = "tiny-town"  # seen 3 times: below the default threshold of 5
    return pd.DataFrame(
        {"city": city, "age": rng.integers(18, 80, n), "spend": rng.gamma(2.0, 50.0, n)}
    )


def _private(**kw) -> TabGAN:
    params = {"epochs": 2, "batch_size": 50, "epsilon": 3.0, "seed": 0, "device": "cpu"}
    return TabGAN(**{**params, **kw})


def test_private_fit_keeps_its_budget_and_round_trips(tmp_path) -> None:
    df = _table()
    model = _private(pac=10).fit(df)
    assert model.pac_ == 1  # DP-SGD clips each row: the critic judges rows one by one
    record = model.privacy_
    assert record["epsilon"] <= 3.0 + 1e-9 and record["delta"] < 1 / len(df)
    assert model.refiner_ is None  # the filter would read real rows outside the budget
    path = tmp_path / "dp.tabgan"
    model.save(path)
    header = read_header(path)
    assert header["privacy"]["epsilon"] == pytest.approx(record["epsilon"])
    assert "tiny-town" not in json.dumps(header)
    assert b"tiny-town" not in path.read_bytes()
    again = TabGAN.load(path)
    out = again.sample(200, seed=1)
    assert list(out.columns) == list(df.columns) and len(out) == 200
    assert "tiny-town" not in set(out["city"])
    pd.testing.assert_frame_equal(out, TabGAN.load(path).sample(200, seed=1))


def test_a_private_fit_finds_no_rules_and_protect_rare_keeps_them() -> None:
    # `region` follows `city` exactly: an exact statistic of the rows, which a DP fit must not
    # release (nor their row counts), while protect_rare finds it as usual
    df = _table(600)
    df["region"] = df["city"].map({"oslo": "north", "lima": "south", "pune": "south"}).fillna("x")
    assert len(TabGAN(epochs=1, batch_size=50, seed=0).fit(df).encoder_.rules_)
    assert len(TabGAN(epochs=1, batch_size=50, protect_rare=5, seed=0).fit(df).encoder_.rules_)
    private = _private(detect_rules=True).fit(df)
    assert len(private.encoder_.rules_) == 0


def test_protect_rare_without_dp_drops_rare_categories_only() -> None:
    model = TabGAN(epochs=1, batch_size=50, protect_rare=5, seed=0).fit(_table())
    assert model.privacy_["rare_threshold"] == 5 and "epsilon" not in model.privacy_
    assert "tiny-town" not in model.encoder_.categories("city")
    assert model.refiner_ is not None or model.refine  # refinement is unaffected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epsilon": -1.0}, "epsilon must be a positive number"),
        ({"epsilon": 1.0, "delta": 0.5}, "delta"),
        ({"epsilon": None, "delta": 1e-6}, "delta needs epsilon"),
        ({"protect_rare": 0}, "protect_rare must be a positive integer"),
    ],
)
def test_bad_privacy_parameters_fail_at_fit(kwargs, message) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        _private(**kwargs).fit(_table())


def test_cli_fit_with_epsilon_reports_and_info_shows_the_guarantee(tmp_path) -> None:
    from tabgan_cli.main import app
    from typer.testing import CliRunner

    runner = CliRunner()
    _table().to_csv(tmp_path / "d.csv", index=False)
    model = str(tmp_path / "m.tabgan")
    fit = runner.invoke(
        app, ["fit", str(tmp_path / "d.csv"), "-m", model, "--epochs", "1", "--epsilon", "2"]
    )
    assert fit.exit_code == 0, fit.output
    assert "spent epsilon" in fit.stderr
    info = runner.invoke(app, ["info", model])
    assert info.exit_code == 0 and "differential privacy" in info.stderr
    bad = runner.invoke(app, ["fit", str(tmp_path / "d.csv"), "-m", model, "--epsilon", "-1"])
    assert bad.exit_code == 1 and "epsilon must be a positive number" in bad.stderr
