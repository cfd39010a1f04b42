"""A progress bar on stderr for training (epoch, losses, ETA)."""

from __future__ import annotations

from collections.abc import Callable

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
            TextColumn("G {task.fields[g]:>7}  D {task.fields[d]:>7}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self.task = self.progress.add_task("fit", total=epochs, g="-", d="-")

    def __enter__(self) -> Callable[[EpochInfo], None]:
        self.progress.start()
        return self.update

    def update(self, info: EpochInfo) -> None:
        self.progress.update(
            self.task,
            completed=info.epoch,
            g=f"{info.generator_loss:.3f}",
            d=f"{info.discriminator_loss:.3f}",
        )

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


class ProgressCallback(Callback):
    """The training loop's progress bar: started with training, closed when it ends."""

    def __init__(self, epochs: int, console: Console | None = None) -> None:
        self.bar = TrainingProgress(epochs, console)

    def on_train_begin(self, trainer: Trainer) -> None:
        self.bar.__enter__()

    def on_epoch_end(self, trainer: Trainer, info: EpochInfo) -> None:
        self.bar.update(info)

    def on_train_end(self, trainer: Trainer, history: list[EpochInfo]) -> None:
        self.bar.__exit__(None, None, None)
