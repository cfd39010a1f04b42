"""``tabgan report-fit``: a self-contained HTML page of a model's training curves.

It reads the model file's header only (no weights, no torch): the per-epoch generator and
critic losses, the validation score of ``epochs="auto"`` with the epoch whose weights were
kept, and why training stopped.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Annotated, Any

import typer
from tabgan_cli.common import err_console, guarded

from tabgan.errors import ModelFileError


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figures(history: list, curve: list, best_epoch: int | None) -> list[tuple[str, str]]:
    """(caption, base64 PNG) of the loss and validation plots (matplotlib's object API with
    the Agg canvas: no pyplot, no global state, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = []
    if history:
        fig = Figure(figsize=(7.5, 3.2))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        epochs = range(1, len(history) + 1)
        ax.plot(epochs, [h[0] for h in history], label="generator loss", lw=1.2)
        ax.plot(epochs, [h[1] for h in history], label="critic loss (Wasserstein)", lw=1.2)
        if best_epoch is not None:
            ax.axvline(best_epoch, color="grey", ls="--", lw=1, label=f"kept: epoch {best_epoch}")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.legend(frameon=False, fontsize=8)
        out.append(("Training losses per epoch (mean over the epoch's steps)", _png(fig)))
    if curve:
        fig = Figure(figsize=(7.5, 3.2))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot([e for e, _ in curve], [v for _, v in curve], marker="o", ms=3, lw=1.2)
        if best_epoch is not None:
            best = [v for e, v in curve if e == best_epoch]
            if best:
                ax.plot([best_epoch], best, marker="*", ms=12, color="C3", ls="none")
        ax.set_xlabel("epoch")
        ax.set_ylabel("distance to held-out rows (lower is better)")
        out.append(
            ("Validation score on the held-out rows (the star: the weights kept)", _png(fig))
        )
    return out


def render(model_name: str, meta: dict[str, Any]) -> str:
    """The HTML page for a model file's header."""
    try:
        training = meta["training"]
        history = [(float(g), float(d)) for g, d in training.get("history", [])]
        curve = [(int(e), float(v)) for e, v in training.get("validation", [])]
        best = training.get("best_epoch")
        best = None if best is None else int(best)
        epochs_run = int(training.get("epochs_run", len(history)))
        params = meta["params"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(
            f"{model_name}: corrupt or incompatible model file ({type(exc).__name__})"
        ) from None
    stop = training.get("stop_reason") or f"epochs={epochs_run} done"
    facts = [
        ("rows", training.get("n_rows")),
        ("epochs trained", epochs_run),
        ("epochs parameter", params.get("epochs")),
        ("max_time", params.get("max_time")),
        ("stopped", stop),
        ("weights kept from epoch", best if best is not None else epochs_run),
        ("fit time", f"{float(training.get('fit_seconds', 0.0)):.1f} s"),
    ]
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in facts
    )
    figures = "".join(
        f'<figure><img alt="{html.escape(c)}" src="data:image/png;base64,{b64}">'
        f"<figcaption>{html.escape(c)}</figcaption></figure>"
        for c, b64 in _figures(history, curve, best)
    )
    if not figures:
        figures = "<p>This model file holds no per-epoch history.</p>"
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>tabgan fit: {html.escape(model_name)}</title><style>"
        "body{font-family:sans-serif;max-width:52rem;margin:2rem auto;color:#222}"
        "th{text-align:left;padding-right:1.5rem}figure{margin:1.5rem 0}"
        "img{max-width:100%}figcaption{font-size:.9rem;color:#555}</style></head><body>"
        f"<h1>Training of {html.escape(model_name)}</h1><table>{rows}</table>{figures}"
        "</body></html>\n"
    )


@guarded
def report_fit_command(
    model: Annotated[Path, typer.Argument(help="Model file.")] = Path("model.tabgan"),
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "fit.html"
    ),
) -> None:
    """Write an HTML page of MODEL's training: losses and validation score per epoch, the
    epoch whose weights were kept, and why training stopped."""
    from tabgan.io import atomic_path, check_writable
    from tabgan.persist import read_header

    check_writable(output)
    page = render(model.name, read_header(model))
    with atomic_path(output) as tmp:
        tmp.write_text(page, encoding="utf-8")
    err_console.print(f"Wrote {output}.", markup=False)


__all__ = ["render", "report_fit_command"]
