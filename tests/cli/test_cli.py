"""The tabgan command: fit, sample, info; clean errors; stdout holds data only."""

from __future__ import annotations

import io
import subprocess
import sys

import pandas as pd
import pytest
from tabgan_cli.main import app
from typer.testing import CliRunner

from tests.conftest import make_mixed_table

runner = CliRunner()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    make_mixed_table(200, seed=2).to_csv(d / "data.csv", index=False)
    result = runner.invoke(
        app,
        [
            "fit",
            str(d / "data.csv"),
            "-m",
            str(d / "m.tabgan"),
            "--epochs",
            "1",
            "--batch-size",
            "50",
            "--seed",
            "0",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    return d


def test_sample_to_stdout_is_pure_csv(workdir):
    result = runner.invoke(
        app, ["sample", "-n", "25", "-m", str(workdir / "m.tabgan"), "--seed", "1"]
    )
    assert result.exit_code == 0, result.stderr
    df = pd.read_csv(io.StringIO(result.stdout))
    assert len(df) == 25
    assert list(df.columns) == list(pd.read_csv(workdir / "data.csv").columns)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_sample_to_file(workdir, suffix):
    out = workdir / f"out{suffix}"
    result = runner.invoke(
        app, ["sample", "-n", "30", "-m", str(workdir / "m.tabgan"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    df = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    assert len(df) == 30


def test_info(workdir):
    result = runner.invoke(app, ["info", str(workdir / "m.tabgan")])
    assert result.exit_code == 0, result.stderr
    assert "income" in result.stderr and "200 rows" in result.stderr
    from tabgan import TabGAN

    refined = TabGAN.load(workdir / "m.tabgan").refiner_ is not None
    assert ("refinement: on, keeps about" if refined else "refinement: off") in result.stderr


def test_fit_no_refine_in_float32(workdir):
    from tabgan import TabGAN

    model = workdir / "plain.tabgan"
    args = ["fit", str(workdir / "data.csv"), "-m", str(model), "--epochs", "1"]
    args += ["--precision", "float32"]
    result = runner.invoke(app, [*args, "--batch-size", "50", "--no-refine", "--quiet"])
    assert result.exit_code == 0, result.output
    info = runner.invoke(app, ["info", str(model)])
    assert "refinement: off" in info.stderr
    assert TabGAN.load(model).train_precision == "float32"


def test_seeded_sample_is_reproducible(workdir):
    args = ["sample", "-n", "10", "-m", str(workdir / "m.tabgan"), "--seed", "4"]
    assert runner.invoke(app, args).stdout == runner.invoke(app, args).stdout


def test_sample_precision_option(workdir):
    args = ["sample", "-n", "10", "-m", str(workdir / "m.tabgan"), "--seed", "4"]
    exact = runner.invoke(app, [*args, "--precision", "float32"])
    rough = runner.invoke(app, [*args, "--precision", "bfloat16"])
    assert exact.exit_code == 0 and rough.exit_code == 0, exact.stderr + rough.stderr
    assert len(pd.read_csv(io.StringIO(rough.stdout))) == 10
    assert exact.stdout != rough.stdout  # the rounding moves the numbers


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "missing.csv"], "no such file"),
        (["sample", "-n", "5", "-m", "missing.tabgan"], "no such model file"),
        (["fit", "{data}", "--discrete", "nope", "--epochs", "1"], "nope"),
        (["fit", "{data}", "--batch-size", "1", "--epochs", "1"], "at least 2"),
        (["sample", "-n", "5", "-m", "{model}", "-o", "/no/such/dir/out.csv"], "does not exist"),
        (["sample", "-n", "5", "-m", "{data}"], "not a tabgan model"),
        (["fit", "{data}", "-m", "/no/such/dir/m.tabgan"], "does not exist"),
        (["sample", "-n", "5", "-m", "{model}", "--precision", "half"], "sample_precision"),
        (["fit", "{data}", "--precision", "fp8", "--epochs", "1"], "train_precision"),
    ],
)
def test_errors_are_one_line_exit_1(workdir, args, message):
    args = [a.format(data=workdir / "data.csv", model=workdir / "m.tabgan") for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(workdir):
    assert runner.invoke(app, ["sample", "-n", "0", "-m", str(workdir / "m.tabgan")]).exit_code == 2
    assert runner.invoke(app, ["fit", str(workdir / "data.csv"), "--epochs", "x"]).exit_code == 2


def test_failed_fit_leaves_no_model(tmp_path):
    bad = tmp_path / "tiny.csv"
    bad.write_text("a,b\n1,2\n3,4\n")
    result = runner.invoke(
        app, ["fit", str(bad), "-m", str(tmp_path / "m.tabgan"), "--epochs", "1"]
    )
    assert result.exit_code == 1 and "at least" in result.stderr
    assert list(tmp_path.iterdir()) == [bad]


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("tabgan ")


def test_real_subprocess_end_to_end(tmp_path):
    make_mixed_table(120, seed=3).to_csv(tmp_path / "d.csv", index=False)
    cmd = [sys.executable, "-m", "tabgan_cli.main"]
    fit = subprocess.run(
        [*cmd, "fit", "d.csv", "--epochs", "1", "--batch-size", "20", "--seed", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert fit.returncode == 0, fit.stderr
    assert fit.stdout == ""  # progress and messages go to stderr
    assert (tmp_path / "model.tabgan").exists()
    sample = subprocess.run(
        [*cmd, "sample", "-n", "7"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert sample.returncode == 0, sample.stderr
    assert len(pd.read_csv(io.StringIO(sample.stdout))) == 7
    bad = subprocess.run(
        [*cmd, "sample", "-n", "7", "-m", "nope.tabgan"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (
        bad.returncode == 1 and bad.stderr.startswith("Error: ") and "Traceback" not in bad.stderr
    )


def test_checkpoint_and_resume(tmp_path):
    make_mixed_table(100, seed=5).to_csv(tmp_path / "d.csv", index=False)
    base = [
        "fit",
        str(tmp_path / "d.csv"),
        "-m",
        str(tmp_path / "m.tabgan"),
        "--batch-size",
        "20",
        "--seed",
        "1",
        "--quiet",
    ]
    first = runner.invoke(app, [*base, "--epochs", "1", "--checkpoint-every", "1"])
    assert first.exit_code == 0, first.stderr
    assert (tmp_path / "m.tabgan.ckpt").exists()
    more = runner.invoke(app, [*base, "--epochs", "2", "--resume", "--checkpoint-every", "1"])
    assert more.exit_code == 0, more.stderr
    again = runner.invoke(app, [*base, "--epochs", "2", "--resume"])
    assert again.exit_code == 1 and "already has" in again.stderr
    missing = runner.invoke(app, [*base, "-m", str(tmp_path / "x.tabgan"), "--resume"])
    assert missing.exit_code == 1 and "no such" in missing.stderr


def _fit_info_sample(tmp_path, table: pd.DataFrame, name: str) -> tuple[str, pd.DataFrame]:
    """Fit ``table`` for one epoch from a CSV; return what ``info`` prints and 40 sampled rows."""
    table.to_csv(tmp_path / f"{name}.csv", index=False)
    model = tmp_path / f"{name}.tabgan"
    args = ["fit", str(tmp_path / f"{name}.csv"), "-m", str(model), "--epochs", "1", "--quiet"]
    assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, ["info", str(model)])
    assert result.exit_code == 0, result.stderr
    out = runner.invoke(app, ["sample", "-n", "40", "-m", str(model), "--seed", "0"])
    return result.stderr, pd.read_csv(io.StringIO(out.stdout))


def test_an_id_like_column_is_named_by_info_and_drawn_from_training_values(tmp_path):
    table = make_mixed_table(120, seed=4)
    table["name"] = [f"customer {i}" for i in range(len(table))]  # every value seen once
    info, rows = _fit_info_sample(tmp_path, table, "ids")
    assert "ID-like columns" in info and ": name" in info
    assert rows["name"].isin(table["name"]).all() and rows["name"].nunique() > 10


def test_numbers_written_as_text_are_learned_as_numbers(tmp_path):
    table = make_mixed_table(120, seed=5)
    table["price"] = [f"${v:,.2f}" for v in table["income"] / 12]
    info, rows = _fit_info_sample(tmp_path, table, "money")
    assert "numbers written as text" in info and "price ($1,234.50)" in info
    prices = rows["price"].dropna()
    assert prices.str.fullmatch(r"\$[\d,]+\.\d\d").all() and prices.nunique() > 10
