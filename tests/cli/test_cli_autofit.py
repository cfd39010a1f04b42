"""tabgan fit --epochs auto|N --max-time, the stop lines of fit and info, tabgan report-fit."""

from __future__ import annotations

import base64
import re

import pytest
from tabgan_cli.main import app
from typer.testing import CliRunner

from tabgan import TabGAN, autofit
from tests.conftest import make_mixed_table

runner = CliRunner()


@pytest.fixture(scope="module")
def auto_model(tmp_path_factory):
    """A tiny model fitted with epochs="auto" on a short schedule (so it has a curve)."""
    path = tmp_path_factory.mktemp("autofit") / "auto.tabgan"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(autofit, "AUTO_MAX_EPOCHS", 6)
        mp.setattr(autofit, "AUTO_EVERY", 2)
        mp.setattr(autofit, "VALIDATION_ROWS", 200)
        mp.setattr(autofit, "HOLDOUT_MIN", 30)
        mp.setattr(autofit, "AUTO_MIN_STEPS", 0)
        mp.setattr(autofit, "AUTO_PATIENCE_STEPS", 0)
        model = TabGAN(
            batch_size=50,
            generator_dims=(16,),
            discriminator_dims=(16,),
            min_steps_per_epoch=1,
            refine=False,
            seed=0,
            device="cpu",
        ).fit(make_mixed_table(400, seed=4))
    model.save(path)
    return path, model


def _fit(tmp_path, *options):
    data = tmp_path / "data.csv"
    make_mixed_table(120, seed=2).to_csv(data, index=False)
    args = ["fit", str(data), "-m", str(tmp_path / "m.tabgan"), "--batch-size", "40", *options]
    return runner.invoke(app, args)


def test_fit_with_integer_epochs_and_max_time_says_why_it_stopped(tmp_path):
    result = _fit(tmp_path, "--epochs", "2", "--max-time", "10m")
    assert result.exit_code == 0, result.output
    assert "2 epochs in" in result.stderr and "Stopped: epochs=2 done." in result.stderr
    info = runner.invoke(app, ["info", str(tmp_path / "m.tabgan")])
    assert info.exit_code == 0, info.output
    assert "2 epochs (epochs=2)" in info.stderr and "stopped: epochs=2 done" in info.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [(["--epochs", "many"], "must be auto or a positive whole number, got 'many'"),
     (["--epochs", "0"], "must be auto or a positive whole number"),
     (["--max-time", "soon"], "'soon' is not a duration"),
     (["--max-time", "2x"], "'2x' is not a duration")],
)  # fmt: skip
def test_bad_epochs_or_max_time_is_a_usage_error(tmp_path, options, message):
    result = _fit(tmp_path, *options)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "m.tabgan").exists()


def test_info_shows_the_validation_curve(auto_model):
    path, model = auto_model
    result = runner.invoke(app, ["info", str(path)])
    assert result.exit_code == 0, result.output
    assert f"stopped: {model.stop_reason_}" in result.stderr
    assert "Validation score by epoch" in result.stderr
    assert f"{model.best_epoch_}:" in result.stderr


def test_report_fit_writes_a_self_contained_page(auto_model, tmp_path):
    path, model = auto_model
    out = tmp_path / "fit.html"
    result = runner.invoke(app, ["report-fit", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(images) == 2  # losses, validation score
    assert all(base64.b64decode(b).startswith(b"\x89PNG") for b in images)
    assert "Validation score on the held-out rows" in page and "<script" not in page
    assert f"<td>{model.best_epoch_}</td>" in page


def test_report_fit_on_a_missing_model_is_a_clean_error(tmp_path):
    out = tmp_path / "fit.html"
    result = runner.invoke(app, ["report-fit", str(tmp_path / "none.tabgan"), "-o", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert not out.exists()
