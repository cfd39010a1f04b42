"""Shared CLI plumbing: error mapping, stderr console, option parsing helpers."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperCommand

from tabgan.errors import TabGANError

# Data goes to stdout; every message, warning and progress bar goes to stderr.
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])

_state = {"debug": False}


class UsageCommand(TyperCommand):
    """A command whose usage line reads the usual way, ``tabgan fit [OPTIONS] DATA``
    (typer writes required arguments as ``{data}``)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.display_name_raw.upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces


def set_debug(flag: bool) -> None:
    _state["debug"] = flag


def debug_enabled() -> bool:
    return _state["debug"]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``Error: message`` on stderr and return an Exit to raise."""
    # plain write: rich would wrap long paths and interpret [brackets]
    sys.stderr.write(f"Error: {message}\n")
    return typer.Exit(code)


def guarded(fn: F) -> F:
    """Turn tabgan errors (and Ctrl-C) into one clean stderr line and a non-zero exit."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except TabGANError as exc:
            if _state["debug"]:
                raise
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            if _state["debug"]:
                raise
            raise fail("interrupted; no file was written", code=130) from None
        except MemoryError:
            if _state["debug"]:
                raise
            raise fail(
                "out of memory; try a smaller --batch-size or a sample of the table"
            ) from None

    return wrapper  # type: ignore[return-value]


def split_columns(value: str | None) -> list[str] | None:
    """Parse a comma-separated column list option (``--discrete a,b``)."""
    if value is None:
        return None
    names = [v.strip() for v in value.split(",")]
    return [n for n in names if n]
