"""A progress bar on stderr for training (epoch, losses, ETA)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tabgan.gan.train import Callback, EpochInfo, Trainer


class TrainingProgress:
    """Context manager yielding an epoch callback that drives a rich progress bar on stderr."""

    def __init__(self, epochs: int, console: Console | None = None) -> None:
        self.epochs = epochs
        self.progress = Progress(
            TextColumn("[bold]training"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("G {task.fields[g]:>7}  D {task.fields[d]:>7}{task.fields[note]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self.task = self.progress.add_task("fit", total=epochs, g="-", d="-", note="")

    def __enter__(self) -> Callable[[EpochInfo], None]:
        self.progress.start()
        return self.update

    def update(self, info: EpochInfo, total: int | None = None, note: str = "") -> None:
        """Show the epoch's losses; ``total`` moves the bar's end (``epochs="auto"``: the epoch
        where training stops unless the validation score improves), ``note`` follows them."""
        self.progress.update(
            self.task,
            completed=info.epoch,
            total=total if total is not None else self.epochs,
            g=f"{info.generator_loss:.3f}",
            d=f"{info.discriminator_loss:.3f}",
            note=note,
        )

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


class ProgressCallback(Callback):
    """The training loop's progress bar: started with training, closed when it ends.

    With ``early`` (the fit's :class:`~tabgan.autofit.EarlyStopping`, for ``epochs="auto"``)
    the bar ends at the epoch where training will stop unless the validation score improves
    (so its ETA is the time to that stop, not to the epoch cap), and shows the best epoch so
    far; a finished run fills the bar.
    """

    def __init__(self, epochs: int, console: Console | None = None, early: Any = None) -> None:
        self.epochs = epochs
        self.early = early
        start = epochs if early is None else min(epochs, max(early.min_epochs, early.patience))
        self.bar = TrainingProgress(start, console)

    def on_train_begin(self, trainer: Trainer) -> None:
        self.bar.__enter__()

    def on_epoch_end(self, trainer: Trainer, info: EpochInfo) -> None:
        if self.early is None:
            self.bar.update(info)
            return
        early = self.early
        stop_at = max(early.min_epochs, early.reference_epoch + early.patience)
        total = min(self.epochs, stop_at)
        if trainer.stop_reason is not None:
            total = info.epoch  # ending now
        note = "" if early.best_epoch is None else f"  best e{early.best_epoch}"
        self.bar.update(info, total=max(total, info.epoch), note=note)

    def on_train_end(self, trainer: Trainer, history: list[EpochInfo]) -> None:
        self.bar.__exit__(None, None, None)
