"""Every Python snippet in README.md runs as written (in order, in one namespace, as a reader
would paste them into one session)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def snippets() -> list[str]:
    return SNIPPET.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_has_python_snippets() -> None:
    assert len(snippets()) >= 4


@pytest.mark.slow
def test_readme_snippets_run(tmp_path, monkeypatch) -> None:
    pytest.importorskip("imblearn")
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    for i, code in enumerate(snippets()):
        try:
            exec(compile(code, f"README.md snippet {i + 1}", "exec"), namespace)
        except Exception as exc:  # name the snippet that failed
            raise AssertionError(f"README.md snippet {i + 1} failed: {exc!r}\n{code}") from exc
    assert os.path.exists(tmp_path / "adult.tabgan")
