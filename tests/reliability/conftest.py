"""Shared helpers for the reliability tests: a CLI runner, clean-error checks, a tiny model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tabgan_cli.main import app
from typer.testing import CliRunner, Result

runner = CliRunner()

#: options that keep every fit tiny (the test machine has two shared CPU cores)
TINY = {"epochs": 1, "batch_size": 20, "seed": 0, "device": "cpu"}
TINY_CLI = ["--epochs", "1", "--batch-size", "20", "--seed", "0", "--device", "cpu", "-q"]


def invoke(args: Sequence[str]) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def assert_clean_error(result: Result, pattern: str, code: int = 1) -> str:
    """Exit ``code``; one ``Error: ...`` stderr line matching ``pattern``; no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stderr, result.exception)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    assert re.search(pattern, lines[0], flags=re.IGNORECASE), lines[0]
    assert result.stdout == ""
    return lines[0]


def folder_listing(folder: Path) -> set[str]:
    """Every name in ``folder``, hidden temporary files included."""
    return {p.name for p in folder.iterdir()}


def small_table(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "kind": rng.choice(["a", "b", "c"], size=n),
            "size": rng.normal(10, 2, size=n).round(3),
            "count": rng.integers(0, 100, size=n),
        }
    )


@pytest.fixture(scope="session")
def model_file(tmp_path_factory) -> Path:
    """A real (tiny) model file, fitted once per session; copy it before mutating."""
    from tabgan import TabGAN

    path = tmp_path_factory.mktemp("model") / "tiny.tabgan"
    TabGAN(**TINY, generator_dims=(16,), discriminator_dims=(16,)).fit(small_table()).save(path)
    return path
