"""The ``tabgan`` command: fit, sample, info, evaluate. Thin: parse, call the library, print."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from tabgan_cli.common import (
    UsageCommand,
    debug_enabled,
    err_console,
    fail,
    guarded,
    set_debug,
    split_columns,
)

from tabgan import __version__
from tabgan.errors import DataFileError

# Only what --help, --version and option errors need is imported here: pandas, torch and
# scikit-learn load inside the commands that use them, so those answer in a fraction of a second.

app = typer.Typer(
    name="tabgan",
    help="Learn a table (CSV or Parquet) and generate synthetic rows that behave like it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ModelOpt = Annotated[Path, typer.Option("--model", "-m", help="Model file.", show_default=True)]


def _version(value: bool) -> None:
    if value:
        print(f"tabgan {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    """tabgan: fast, useful synthetic tabular data."""
    set_debug(debug)


def _check_epochs(value: str) -> str:
    if value != "auto" and not (value.isdigit() and int(value) >= 1):
        raise typer.BadParameter(f"must be auto or a positive whole number, got {value!r}")
    return value


def _check_duration(value: str | None) -> str | None:
    import re

    # the library parses it (tabgan.autofit.parse_duration); this only keeps torch unloaded
    if value is not None and not re.fullmatch(r"\s*(\d+(\.\d+)?\s*[smhSMH]?\s*)+", value):
        raise typer.BadParameter(f"{value!r} is not a duration; write e.g. 90, 90s, 2m or 1h30m")
    return value


@app.command(cls=UsageCommand, short_help="Learn a table and write the model file.")
@guarded
def fit(
    data: Annotated[Path, typer.Argument(help="Training table (.csv or .parquet).")],
    model: ModelOpt = Path("model.tabgan"),
    epochs: Annotated[
        str,
        typer.Option(
            callback=_check_epochs,
            help="auto (default): hold out 10% of the rows, score the generator on them every "
            "5 epochs, keep the best weights and stop when the score stops improving (at most "
            "300 epochs). N: exactly N passes over the table, on all rows.",
        ),
    ] = "auto",
    max_time: Annotated[
        str | None,
        typer.Option(
            "--max-time",
            callback=_check_duration,
            help="Wall-time budget of the fit, e.g. 90s, 2m or 1h: training ends when the "
            "next epoch would overrun it, keeping the best weights so far.",
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            help="Rows per step. Default: 500, or about a quarter of a table under 2,000 rows.",
        ),
    ] = None,
    discrete: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated columns to treat as categorical, e.g. 'zip,grade'. A text "
            "column named here has every value learned, even one that looks like IDs (see "
            "'tabgan info')."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed for reproducible runs.")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    checkpoint_every: Annotated[
        int,
        typer.Option(
            "--checkpoint-every",
            min=0,
            help="Write a resumable checkpoint (MODEL.ckpt) every N epochs.",
        ),
    ] = 0,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from MODEL.ckpt (same data and options).")
    ] = False,
    max_rows: Annotated[
        int | None,
        typer.Option(
            "--max-rows",
            min=10,
            help="Learn a uniform random sample of at most N rows, read in batches, for tables "
            "larger than memory (the sample is drawn with --seed, or 0).",
        ),
    ] = None,
    refine: Annotated[
        bool,
        typer.Option(
            "--refine/--no-refine",
            help="Train a real-vs-synthetic classifier after the GAN and drop the generated rows "
            "it finds least real when sampling (better rows, about 3x the sampling time).",
        ),
    ] = True,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate/--no-calibrate",
            help="Map each numeric column's generated values monotonically onto the real "
            "column's quantiles after training (marginals that match; not under --epsilon).",
        ),
    ] = True,
    precision: Annotated[
        str,
        typer.Option(
            help="auto, float32 or bfloat16: precision of the networks' matrix products while "
            "training (weights and losses stay float32). auto takes bfloat16 on a CPU with "
            "native support (AVX512-BF16 or AMX), float32 elsewhere.",
        ),
    ] = "auto",
    constraint: Annotated[
        list[str] | None,
        typer.Option(
            "--constraint",
            help="A rule every generated row keeps, e.g. 'checkin <= checkout', "
            "'0 <= discount <= 1', 'fixed(city, country)', 'total = price + tax'. Repeat for "
            "more.",
        ),
    ] = None,
    rules: Annotated[
        bool,
        typer.Option(
            "--rules/--no-rules",
            help="Find the table's own rules (e.g. education -> education-num) and keep them "
            "in every generated row.",
        ),
    ] = True,
    sep: Annotated[
        str | None,
        typer.Option(
            "--sep",
            help="CSV delimiter: one character, or comma, semicolon, tab, pipe (default: "
            "detected).",
        ),
    ] = None,
    epsilon: Annotated[
        float | None,
        typer.Option(
            help="Train with (epsilon, delta)-differential privacy, preprocessing included; "
            "needs pip install 'tabgan[privacy]'. Training stops before the budget is spent.",
        ),
    ] = None,
    delta: Annotated[
        float | None,
        typer.Option(
            help="The delta of the guarantee (default min(1e-5, 1/(10 rows)); below 1/rows)."
        ),
    ] = None,
    protect_rare: Annotated[
        int | None,
        typer.Option(
            "--protect-rare",
            min=1,
            help="Never store nor produce categories seen fewer than K times (default 5 with "
            "--epsilon, off without).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Learn DATA (CSV or Parquet) and write the model file.

    Under torchrun (torchrun --nproc-per-node N -m tabgan_cli.main fit DATA) every rank
    trains on its shard and only rank 0 writes the model and prints.
    """
    from tabgan.io import check_writable, read_table
    from tabgan.validation import check_precision

    check_precision("train_precision", precision)  # bad options fail before any work
    if constraint:
        from tabgan.constraints import ConstraintSet

        ConstraintSet(constraint)  # a constraint that does not parse fails before any work
    epochs_value: int | str = epochs if epochs == "auto" else int(epochs)
    check_writable(model)  # on every rank under torchrun (only rank 0 writes): a probe, no file
    checkpoint = model.with_name(model.name + ".ckpt")
    notes: list[str] = []
    if max_rows is None:
        df = read_table(data, sep=sep, notes=notes)
    else:
        from tabgan.stream import read_sample

        # the same seed on every rank: all ranks must shard the very same sample
        df = read_sample(data, max_rows, seed=0 if seed is None else seed, sep=sep, notes=notes)

    from tabgan.gan.distributed import is_main  # torch loads from here on
    from tabgan.model import TabGAN

    main = is_main()
    if main and not quiet:
        for note in notes:
            err_console.print(f"Note: {note}", markup=False)
    estimator = TabGAN(
        epochs=epochs_value,
        max_time=max_time,
        batch_size="auto" if batch_size is None else batch_size,
        refine=refine,
        calibrate=calibrate,
        train_precision=precision,
        detect_rules=rules,
        constraints=constraint or None,
        epsilon=epsilon,
        delta=delta,
        protect_rare=protect_rare,
        seed=seed,
        device=device,
        verbose=not quiet and main,
    )
    try:
        estimator.fit(
            df,
            discrete_columns=split_columns(discrete),
            checkpoint=checkpoint if (checkpoint_every or resume) else None,
            checkpoint_every=checkpoint_every,
            resume=resume,
        )
    except KeyboardInterrupt:
        if not checkpoint_every or not checkpoint.exists() or debug_enabled():
            raise
        raise fail(
            f"interrupted; {model} was not written. Continue from the last checkpoint with: "
            f"tabgan fit {data} -m {model} --resume (and the same options)",
            code=130,
        ) from None
    if not main:
        return
    estimator.save(model)
    if not quiet:
        err_console.print(
            f"Wrote {model}: {len(estimator.columns_)} columns learned from "
            f"{estimator.n_rows_} rows, {estimator.epochs_} epochs in "
            f"{estimator.fit_seconds_:.1f} s on {estimator.device_}."
        )
        err_console.print(f"Stopped: {estimator.stop_reason_}.", markup=False)
        if estimator.validation_:
            err_console.print(_validation_line(estimator.validation_, estimator.best_epoch_))
        privacy = estimator.privacy_
        if privacy is not None and "epsilon" in privacy:
            stopped = privacy["protected"].get("stopped_early")
            err_console.print(
                f"Differential privacy: spent epsilon {privacy['epsilon']:.3g} of "
                f"{epsilon:g} (delta {privacy['delta']:.3g})"
                + ("; training stopped early to stay within the budget." if stopped else ".")
            )


def _validation_line(curve, best_epoch) -> str:
    """The validation curve in one line (at most 12 points, the best one marked)."""
    step = max(1, -(-len(curve) // 12))
    points = list(curve[::step])
    if curve[-1] not in points:
        points.append(curve[-1])
    shown = ", ".join(f"{int(e)}:{float(v):.3f}{'*' if e == best_epoch else ''}" for e, v in points)
    return f"Validation score by epoch (lower is better, * best kept = epoch {best_epoch}): {shown}"


@app.command(cls=UsageCommand, short_help="Generate synthetic rows (CSV to stdout, or -o FILE).")
@guarded
def sample(
    rows: Annotated[
        int | None,
        typer.Option(
            "--rows",
            "-n",
            min=1,
            help="How many rows. With --balance: the total to generate, given to the smallest "
            "classes first so the class counts become as even as possible (default: exactly "
            "what lifts every class to the largest one).",
        ),
    ] = None,
    model: ModelOpt = Path("model.tabgan"),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this .csv/.parquet file (default: CSV on stdout)."
        ),
    ] = None,
    condition: Annotated[
        list[str] | None,
        typer.Option(
            "--condition",
            "-c",
            help="Keep only rows with COLUMN=VALUE (or ==, !=, >=, >, <=, <), split on the first "
            "operator: 'income=>50K' means income equals '>50K'. Repeat for more; every one "
            "must hold. Exactly N rows come back, or an error names the condition.",
        ),
    ] = None,
    balance: Annotated[
        str | None,
        typer.Option(
            "--balance",
            metavar="COLUMN",
            help="Generate rows that even out the classes of this discrete column "
            "(see --rows). Combines with --condition on other columns.",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Seed for a reproducible draw (default: a model fitted with --seed gives the "
            "same rows every time; otherwise fresh rows).",
        ),
    ] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda.")] = "auto",
    precision: Annotated[
        str,
        typer.Option(
            help="auto, float32 or bfloat16: precision of the generator's matrix products. "
            "auto takes bfloat16 on a CPU with native support (AVX512-BF16 or AMX), where "
            "sampling is faster with rows of the same quality; float32 elsewhere.",
        ),
    ] = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No messages.")] = False,
) -> None:
    """Generate synthetic rows from a fitted model (optionally conditioned or class-balanced)."""

    from tabgan.io import check_writable, table_format
    from tabgan.persist import read_header
    from tabgan.sampling.conditions import parse_conditions

    if rows is None and balance is None:
        raise fail("give the number of rows with -n/--rows (optional only with --balance)", 2)
    conditions = parse_conditions(condition or [])
    if output is not None:
        fmt = table_format(output)
        check_writable(output)
    from tabgan.validation import check_precision

    check_precision("sample_precision", precision)
    read_header(model)  # a missing or foreign model file fails here, before torch loads

    from tabgan.errors import TabGANWarning
    from tabgan.model import TabGAN
    from tabgan.sampling import sample_balanced, sample_conditional

    estimator = TabGAN.load(model, device=device)
    estimator.set_params(sample_precision=precision)
    # without --seed, a model fitted with --seed gives the first draw of its seeded sequence
    draw_seed = estimator.draw_seed(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TabGANWarning)
        if balance is not None:
            frame = sample_balanced(estimator, balance, rows, seed=draw_seed, conditions=conditions)
            chunks = iter([frame])
            rows = len(frame)
        elif conditions:
            chunks = iter([sample_conditional(estimator, rows, conditions, seed=draw_seed)])
        else:
            chunks = estimator.iter_samples(rows, seed=draw_seed)
    for message in dict.fromkeys(str(w.message) for w in caught):  # each once
        err_console.print(f"Warning: {message}", markup=False)
    if output is None:
        _write_csv_stream(chunks)
        return
    _write_file_stream(chunks, output, fmt)
    if not quiet:
        err_console.print(f"Wrote {rows} rows to {output}.")


def _write_csv_stream(chunks) -> None:
    try:
        for i, chunk in enumerate(chunks):
            chunk.to_csv(sys.stdout, header=i == 0, index=False)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: not an error; silence the flush at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _write_file_stream(chunks, output: Path, fmt: str) -> None:
    """Write chunk by chunk (memory stays bounded), into a temp file renamed at the end."""
    from tabgan.io import atomic_path

    with atomic_path(output) as tmp:
        try:
            if fmt == "parquet":
                import pyarrow as pa
                import pyarrow.parquet as pq

                writer = None
                try:
                    for chunk in chunks:
                        table = pa.Table.from_pandas(chunk, preserve_index=False)
                        if writer is None:
                            writer = pq.ParquetWriter(tmp, table.schema)
                        writer.write_table(table)
                finally:
                    if writer is not None:
                        writer.close()
            else:
                with open(tmp, "w", newline="", encoding="utf-8") as fh:
                    for i, chunk in enumerate(chunks):
                        chunk.to_csv(fh, header=i == 0, index=False)
        except OSError as exc:
            raise DataFileError(f"{output}: cannot write ({exc.strerror or exc})") from exc


@app.command(cls=UsageCommand, short_help="Show what a model file learned.")
@guarded
def info(
    model: Annotated[Path, typer.Argument(help="Model file.")] = Path("model.tabgan"),
) -> None:
    """Show what a model learned: columns, kinds, rows, epochs, version."""
    from rich.table import Table

    from tabgan.encoding import TableEncoder
    from tabgan.persist import read_header

    # the header alone (no weights, no torch): info answers in a fraction of a second
    meta = read_header(model)
    try:
        params, training = meta["params"], meta["training"]
        encoder = TableEncoder.from_dict(meta["encoder"])
        refiner = meta.get("refiner")
        accept_rate = None if refiner is None else float(refiner["accept_rate"])
        epochs_run = int(training.get("epochs_run", len(training.get("history", []))))
        summary = (
            f"learned from {int(training['n_rows'])} rows, {epochs_run} epochs "
            f"(epochs={params['epochs']}), batch "
            f"{training.get('batch_size', params.get('batch_size'))}, "
            f"{float(training['fit_seconds']):.1f} s of fitting"
        )
        stopped = training.get("stop_reason")
        curve = [(int(e), float(v)) for e, v in training.get("validation", [])]
        best_epoch = training.get("best_epoch")
    except (KeyError, TypeError, ValueError) as exc:
        raise fail(f"{model}: corrupt or incompatible model file ({type(exc).__name__})") from None
    err_console.print(
        f"[bold]{model}[/bold]: tabgan {meta.get('library_version')} model, created "
        f"{meta.get('created')}"
    )
    err_console.print(summary)
    if stopped:
        err_console.print(f"stopped: {stopped}", markup=False)
    if curve:
        err_console.print(_validation_line(curve, best_epoch))
    err_console.print(
        "refinement: off"
        if accept_rate is None
        else f"refinement: on, keeps about {accept_rate:.0%} of generated rows"
    )
    calibrated = [
        spec.name
        for spec, codec in zip(encoder.schema_, encoder.codecs_, strict=True)
        if getattr(codec, "calibration", None) is not None
    ]
    err_console.print(
        f"calibrated numeric columns: {', '.join(calibrated)}" if calibrated
        else "calibrated numeric columns: none",
        markup=False,
    )  # fmt: skip
    id_like = [spec.name for spec in encoder.schema_ if spec.options.get("id_like")]
    if id_like:
        err_console.print(
            f"ID-like columns (their values seen once are drawn from the training rows, not "
            f"learned; drop real identifiers before sharing a model): {', '.join(id_like)}",
            markup=False,
        )
    from tabgan.encoding import numtext

    written = [
        f"{spec.name} ({numtext.example(spec.options['number_format'])})"
        for spec in encoder.schema_
        if spec.options.get("number_format")
    ]
    if written:
        err_console.print(
            "numbers written as text (learned as numbers, written back in their format): "
            + ", ".join(written),
            markup=False,
        )
    seed = params.get("seed")
    err_console.print(
        "seed: none (every draw is fresh)"
        if seed is None
        else f"seed: {seed} (a draw without --seed gives the same rows every time)"
    )
    from tabgan.privacy.budget import describe

    for line in describe(meta.get("privacy")):
        err_console.print(line, markup=False)
    found = getattr(encoder, "rules_", None)
    lines = found.describe() if found is not None else []
    err_console.print(
        f"rules found in the table and kept in every row: {len(lines) or 'none'}", markup=False
    )
    for line in lines:
        err_console.print(f"  {line}", markup=False)
    declared = [str(c) for c in params.get("constraints") or []]
    err_console.print(f"declared constraints: {len(declared) or 'none'}", markup=False)
    for line in declared:
        err_console.print(f"  {line}", markup=False)
    table = Table("column", "kind", "dtype", "encoded width")
    widths: dict[str, int] = {}
    for span in encoder.spans:
        widths[span.column] = widths.get(span.column, 0) + span.width
    for spec in encoder.schema_:
        table.add_row(spec.name, spec.kind.value, spec.dtype, str(widths.get(spec.name, 0)))
    err_console.print(table)


def _register_evaluate() -> None:
    try:
        from tabgan_cli.evaluate import evaluate_command
    except ImportError:  # pragma: no cover - the evaluate module ships with the package
        return
    app.command(
        "evaluate", cls=UsageCommand, short_help="Score synthetic rows against the real table."
    )(evaluate_command)


_register_evaluate()


def _register_report_fit() -> None:
    from tabgan_cli.report_fit import report_fit_command

    app.command(
        "report-fit",
        cls=UsageCommand,
        short_help="Plot a model's training: losses and validation score per epoch (HTML).",
    )(report_fit_command)


_register_report_fit()


def main() -> None:
    """Console-script entry point."""
    if int(os.environ.get("WORLD_SIZE", "1") or 1) <= 1:
        app()
        return
    # Under torchrun, gloo's worker threads can abort the interpreter while it is torn down
    # after a finished run (SIGABRT, "terminate called without an active exception"), turning
    # a saved model into a failed job. Leave without the C++ static teardown instead.
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
