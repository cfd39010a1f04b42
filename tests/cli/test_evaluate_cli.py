"""``tabgan evaluate`` through the CLI: outputs, stdout/stderr discipline, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from tabgan_cli.evaluate import evaluate_command
from typer.testing import CliRunner

from tests.evaluate.tables import make_signal_table

runner = CliRunner()
app = typer.Typer()


@app.callback()
def _root() -> None:
    """A callback keeps ``evaluate`` a subcommand, as in the real app."""


app.command("evaluate")(evaluate_command)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("evaluate")
    make_signal_table(400, seed=0).to_csv(d / "real.csv", index=False)
    make_signal_table(300, seed=1).to_csv(d / "test.csv", index=False)
    make_signal_table(300, seed=2).to_csv(d / "syn.csv", index=False)
    return d


def test_json_and_report_files(files):
    out, page = files / "scores.json", files / "report.html"
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(files / "real.csv"),
            str(files / "syn.csv"),
            "--target",
            "label",
            "--test",
            str(files / "test.csv"),
            "--json",
            str(out),
            "--report",
            str(page),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # data only on stdout, and none was asked for
    assert "Synthetic data evaluation" in result.stderr
    scores = json.loads(out.read_text())
    assert set(scores) >= {"utility", "fidelity", "detection", "privacy"}
    assert scores["setup"]["holdout"] == "given test table"
    html = page.read_text()
    assert html.count("data:image/png;base64,") == 9
    for name in ("real.csv", "syn.csv", "test.csv"):
        assert name in html  # the files compared are named in the header
    assert not list(files.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_json_to_stdout_and_split_note(files):
    result = runner.invoke(
        app,
        [
            "evaluate",
            str(files / "real.csv"),
            str(files / "syn.csv"),
            "-t",
            "amount",
            "--json",
            "-",
            "--seed",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["setup"]["task"] == "regression"
    assert scores["setup"]["holdout"].startswith("split from real")
    assert "may have seen" in " ".join(result.stderr.split())


def test_quiet_prints_nothing(files):
    result = runner.invoke(
        app, ["evaluate", str(files / "real.csv"), str(files / "syn.csv"), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == ""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--target", "nope"], "target column 'nope'"),
        (["--report", "-"], "--report needs a file name"),
        (["--json", "/no/such/folder/x.json"], "does not exist"),
        (["--task", "ranking", "-t", "label"], "task="),
    ],
)
def test_errors_are_one_line(files, extra, message):
    result = runner.invoke(
        app, ["evaluate", str(files / "real.csv"), str(files / "syn.csv"), *extra]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_mismatched_columns_and_missing_file(files, tmp_path):
    make_signal_table(50, seed=3).drop(columns=["city"]).to_csv(tmp_path / "bad.csv", index=False)
    bad = runner.invoke(app, ["evaluate", str(files / "real.csv"), str(tmp_path / "bad.csv")])
    assert bad.exit_code == 1 and "missing ['city']" in bad.stderr
    gone = runner.invoke(app, ["evaluate", str(files / "real.csv"), str(tmp_path / "no.csv")])
    assert gone.exit_code == 1 and "no such file" in gone.stderr


def test_real_subprocess(files):
    code = (
        "import typer; from tabgan_cli.evaluate import evaluate_command; "
        "app = typer.Typer(); app.command()(evaluate_command); app()"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "real.csv", "syn.csv", "-t", "label", "--json", "-"],
        cwd=files,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["detection"]["auc"] is not None
    assert "Synthetic data evaluation" in run.stderr


def _kinds(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["setup"]["columns"]


def test_discrete_and_model_kinds(files, tmp_path, fitted_model):
    args = ["evaluate", str(files / "real.csv"), str(files / "syn.csv"), "--json", "-", "-q"]
    assert _kinds(runner.invoke(app, args))["count"] == "numeric"
    forced = _kinds(runner.invoke(app, [*args, "--discrete", "count, w"]))
    assert forced["count"] == "categorical" and forced["w"] == "categorical"
    bad = runner.invoke(app, [*args, "--discrete", "nope"])
    assert bad.exit_code == 1 and "unknown column 'nope'" in bad.stderr
    # kinds read from a model file; the model's table has other columns: a clear error
    model, df = fitted_model
    model.save(tmp_path / "m.tabgan")
    df.to_csv(tmp_path / "mixed.csv", index=False)
    df.sample(frac=1.0, random_state=0).to_csv(tmp_path / "mixed_syn.csv", index=False)
    own = [str(tmp_path / "mixed.csv"), str(tmp_path / "mixed_syn.csv"), "--json", "-", "-q"]
    kinds = _kinds(runner.invoke(app, ["evaluate", *own, "--model", str(tmp_path / "m.tabgan")]))
    assert kinds == {s.name: ("numeric" if s.kind.value in ("continuous", "integer", "datetime")
                              else "categorical") for s in model.encoder_.schema_}  # fmt: skip
    wrong = runner.invoke(app, [*args, "--model", str(tmp_path / "m.tabgan")])
    assert wrong.exit_code == 1 and "the model lacks" in wrong.stderr


def test_semicolon_files_are_detected_or_forced(files, tmp_path):
    for name in ("real", "syn"):
        frame = make_signal_table(200, seed=7 if name == "real" else 8)
        frame.to_csv(tmp_path / f"{name}.csv", sep=";", index=False)
    args = ["evaluate", str(tmp_path / "real.csv"), str(tmp_path / "syn.csv"), "--json", "-"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "semicolon" in result.stderr and "detected" in result.stderr
    assert len(json.loads(result.stdout)["setup"]["columns"]) == 9
    forced = runner.invoke(app, [*args, "--sep", ";", "-q"])
    assert forced.exit_code == 0 and forced.stderr == ""
    bad = runner.invoke(app, [*args, "--sep", "::"])
    assert bad.exit_code == 1 and "not a delimiter" in bad.stderr
