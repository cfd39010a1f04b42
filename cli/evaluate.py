"""``tabgan evaluate``: score a synthetic table against the real one. Thin: parse, call, print."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from tabgan_cli.common import err_console, guarded

from tabgan.errors import InvalidParameterError
from tabgan.io import check_writable, read_table

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
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary table on stderr.")
    ] = False,
) -> None:
    """Score SYNTHETIC against REAL: utility, fidelity, detection and privacy."""
    from tabgan.evaluate import evaluate

    # Fail on an unwritable output before minutes of work, not after.
    for path in (json_path, report):
        if path is not None and path != _STDOUT:
            check_writable(path)
    if report == _STDOUT:
        raise InvalidParameterError("--report needs a file name; '-' (stdout) is for --json")
    result = evaluate(
        read_table(real),
        read_table(synthetic),
        target=target,
        test=read_table(test) if test is not None else None,
        task=task,
        seed=seed,
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
