"""`tabgan sample --condition` and `--balance` through the CLI."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from tabgan_cli.main import app
from typer.testing import CliRunner

from tests.conftest import make_mixed_table

runner = CliRunner()


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_conditions")
    make_mixed_table(200, seed=2).to_csv(d / "data.csv", index=False)
    path = d / "m.tabgan"
    args = ["fit", str(d / "data.csv"), "-m", str(path), "--epochs", "1"]
    result = runner.invoke(app, [*args, "--batch-size", "50", "--seed", "0", "--quiet"])
    assert result.exit_code == 0, result.output
    return path


def _rows(result) -> pd.DataFrame:
    assert result.exit_code == 0, result.stderr
    return pd.read_csv(io.StringIO(result.stdout))


def test_conditions_hold_on_every_row(model_path) -> None:
    conditions = ["--condition", "group=c", "--condition", "age>=50", "-c", "flag=false"]
    result = runner.invoke(app, ["sample", "-n", "40", "-m", str(model_path), *conditions])
    rows = _rows(result)
    assert len(rows) == 40
    assert (rows["group"] == "c").all() and (rows["age"] >= 50).all() and (~rows["flag"]).all()


def test_conditioned_output_file_and_reproducibility(model_path, tmp_path) -> None:
    out = tmp_path / "rows.parquet"
    base = ["sample", "-n", "25", "-m", str(model_path), "--seed", "3", "-c", "color!=red"]
    result = runner.invoke(app, [*base, "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    rows = pd.read_parquet(out)
    assert len(rows) == 25 and (rows["color"] != "red").all()
    again = _rows(runner.invoke(app, base))
    assert again["age"].tolist() == rows["age"].tolist()


def test_balance_without_n_lifts_every_class(model_path) -> None:
    data = pd.read_csv(model_path.parent / "data.csv")
    rows = _rows(runner.invoke(app, ["sample", "--balance", "group", "-m", str(model_path)]))
    after = data["group"].value_counts().add(rows["group"].value_counts(), fill_value=0)
    assert after.nunique() == 1


def test_balance_with_n_generates_exactly_n(model_path) -> None:
    data = pd.read_csv(model_path.parent / "data.csv")
    counts = data["group"].value_counts().sort_values()
    n = int(counts.iloc[1] - counts.iloc[0])  # just lifts the smallest class to the next
    args = ["sample", "--balance", "group", "-n", str(n), "-m", str(model_path), "--seed", "0"]
    rows = _rows(runner.invoke(app, args))
    assert len(rows) == n and (rows["group"] == counts.idxmin()).all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "5", "-c", "group=z"], "group == 'z'"),
        (["-n", "5", "-c", "nope=1"], "unknown column 'nope'"),
        (["-n", "5", "-c", "age>=1000"], "age >= 1000 cannot hold"),
        (["-n", "5", "-c", "group"], "cannot read condition"),
        (["--balance", "income"], "not discrete"),
    ],
)
def test_condition_errors_are_one_line(model_path, args, message) -> None:
    result = runner.invoke(app, ["sample", "-m", str(model_path), *args])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_rows_required_without_balance(model_path) -> None:
    result = runner.invoke(app, ["sample", "-m", str(model_path)])
    assert result.exit_code == 2 and "-n/--rows" in result.stderr
