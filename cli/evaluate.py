"""``tabgan evaluate``: score a synthetic table against the real one. Thin: parse, call, print."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from tabgan_cli.common import err_console, guarded, split_columns

from tabgan.errors import InvalidParameterError

_STDOUT = Path("-")


@guarded
def evaluate_command(
    real: Annotated[
        Path, typer.Argument(help="Real table the synthesizer was trained on (.csv or .parquet).")
    ],
    synthetic: Annotated[
        Path, typer.Argument(help="Synthetic table to judge (same columns as REAL).")
    ],
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            "-t",
            help="Column to predict for the utility score "
            "(train on synthetic, test on real). Without it utility is skipped.",
        ),
    ] = None,
    test: Annotated[
        Path | None,
        typer.Option(
            "--test",
            help="Real rows the synthesizer never saw. Without it, 20% of "
            "REAL is held out, which the synthesizer may have seen.",
        ),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write all scores as JSON to this file ('-' for stdout)."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write a self-contained HTML report with pictures."),
    ] = None,
    task: Annotated[
        str, typer.Option(help="auto, classification or regression (for --target).")
    ] = "auto",
    seed: Annotated[int, typer.Option(min=0, help="Seed for splits, subsamples and models.")] = 0,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            "-m",
            help="Model file whose column kinds the judge uses (so 0/1 and small-integer "
            "columns are compared as categories exactly when the model treats them so).",
        ),
    ] = None,
    discrete: Annotated[
        str | None,
        typer.Option(
            "--discrete",
            help="Comma-separated columns to compare as categories (overrides --model and "
            "the inferred kinds).",
        ),
    ] = None,
    sep: Annotated[
        str | None,
        typer.Option(
            "--sep",
            help="CSV delimiter: one character, or comma, semicolon, tab, pipe. Default: detected.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary table on stderr.")
    ] = False,
) -> None:
    """Score SYNTHETIC against REAL: quality, utility, fidelity, detection and privacy."""
    from tabgan.evaluate import evaluate
    from tabgan.io import check_sep, check_writable, read_table

    # Fail on an unwritable output before minutes of work, not after.
    for path in (json_path, report):
        if path is not None and path != _STDOUT:
            check_writable(path)
    if report == _STDOUT:
        raise InvalidParameterError("--report needs a file name; '-' (stdout) is for --json")
    check_sep(sep)
    schema = None
    if model is not None:
        # only here: plain evaluate never loads torch
        from tabgan.model import TabGAN

        schema = TabGAN.load(model).encoder_.schema_
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # a reader's warnings are printed as notes
        tables = {
            "real": read_table(real, sep=sep, notes=notes),
            "synthetic": read_table(synthetic, sep=sep, notes=notes),
            "test": read_table(test, sep=sep, notes=notes) if test is not None else None,
        }
    notes += sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    if not quiet:
        for note in notes:
            err_console.print(f"Note: {note}", markup=False)
    settings: dict[str, object] = {}
    if model is not None:
        settings["model (column kinds)"] = str(model)
    if sep is not None:
        settings["delimiter"] = repr(check_sep(sep))
    settings.update({f"read {i + 1}": n for i, n in enumerate(notes)})
    result = evaluate(
        tables["real"],
        tables["synthetic"],
        target=target,
        test=tables["test"],
        task=task,
        seed=seed,
        discrete_columns=split_columns(discrete),
        schema=schema,
        names={"real": str(real), "synthetic": str(synthetic)}
        | ({"test": str(test)} if test is not None else {}),
        settings=settings,
    )
    if json_path == _STDOUT:
        sys.stdout.write(result.to_json() + "\n")
    elif json_path is not None:
        result.save_json(json_path)
    if report is not None:
        result.save_html(report)
    if quiet:
        return
    warning = result.setup.get("holdout_warning")
    if warning:
        err_console.print(f"Note: {warning}", markup=False)
    err_console.print(result.summary_table())
    for path, what in ((json_path, "scores"), (report, "report")):
        if path is not None and path != _STDOUT:
            err_console.print(f"Wrote {what} to {path}", markup=False)
