"""The package's structure: layering, no import cycles, no private names across modules, and a
command line that answers --help without loading the heavy libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"tabgan": ROOT / "tabgan", "tabgan_cli": ROOT / "cli"}


def _modules() -> dict[str, Path]:
    out = {}
    for top, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join([top, *parts])] = path
    return out


MODULES = _modules()


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks (imports there never run)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(module imported from, names, line) for every tabgan import in a module, deferred
    imports (inside functions) included, TYPE_CHECKING-only ones left out."""
    tree = ast.parse(path.read_text())
    skip = _type_checking_lines(tree)
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in PACKAGES:
                found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    found.append((alias.name, [], node.lineno))
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        deps = set()
        for module, names, _ in _imports(name, path):
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES]
            if len(targets) < len(names) or not names:
                targets.append(module)  # names defined in (or re-exported by) the module
            deps.update(t for t in targets if t in MODULES and t != name)
        graph[name] = deps
    return graph


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_check_can_fail() -> None:
    # the walker must see deferred imports: model.py imports the sampling engine and must not
    # be imported back by it
    graph = _graph()
    assert "tabgan.sampling" in graph["tabgan.model"] or any(
        d.startswith("tabgan.sampling") for d in graph["tabgan.model"]
    )
    assert not any(
        d == "tabgan.model" for m, deps in graph.items() if "sampling" in m for d in deps
    )


def _files_that_import() -> list[Path]:
    files = list(MODULES.values())
    for folder in ("tests", "benchmarks", "examples"):
        # not the prototypes, nor the peers' virtual environments (benchmarks/.venv-*) or work
        # files, which are git-ignored
        files += [
            p
            for p in (ROOT / folder).rglob("*.py")
            if "prototypes" not in p.parts
            and not any(
                part.startswith(".") or part == "work" for part in p.parts[len(ROOT.parts) :]
            )
        ]
    return files


def test_no_private_name_is_imported_from_another_module() -> None:
    offenders = []
    for path in _files_that_import():
        for module, names, line in _imports(path.stem, path):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {private} from {module}")
    assert not offenders, "\n".join(offenders)


LAYERS = {
    # a module of the key's package may not import any of these
    "tabgan.encoding": ("tabgan.gan", "tabgan.model", "tabgan.sampling", "tabgan.refine"),
    "tabgan.evaluate": ("tabgan.gan", "tabgan.model", "tabgan.sampling", "tabgan.refine"),
    "tabgan.gan": ("tabgan.model", "tabgan.sampling", "tabgan.persist", "tabgan.io"),
    "tabgan.sampling": ("tabgan.model", "tabgan.augment", "tabgan_cli"),
    "tabgan": ("tabgan_cli",),
}


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_lower_floors_never_import_upper_ones(package: str) -> None:
    graph = _graph()
    banned = LAYERS[package]
    offenders = [
        f"{m} -> {d}"
        for m, deps in graph.items()
        if m == package or m.startswith(package + ".")
        for d in deps
        if any(d == b or d.startswith(b + ".") for b in banned)
    ]
    assert not offenders, offenders


def _fresh_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


@pytest.mark.parametrize(
    ("modules", "absent"),
    [
        ("tabgan.gan, tabgan.gan.distributed, tabgan.gan.optim", "pandas"),
        ("tabgan.encoding.table, tabgan.evaluate, tabgan.validation, tabgan.augment", "torch"),
    ],
    ids=["gan-without-pandas", "encoding-evaluate-without-torch"],
)
def test_layers_import_without_the_libraries_they_must_not_need(modules, absent) -> None:
    out = _fresh_python(f"import sys\nimport {modules}\nassert {absent!r} not in sys.modules\n")
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["fit", "--help"],
        ["sample", "-n", "5", "-m", "no-such-model.tabgan", "-c", "a=b"],
        ["fit", "no-such-table.csv"],
        ["fit", "no-such-table.csv", "--precision", "half"],
    ],
    ids=["help", "version", "fit-help", "missing-model", "missing-data", "bad-option"],
)
def test_help_and_error_paths_load_neither_torch_nor_sklearn(argv) -> None:
    # torch and scikit-learn take seconds to import: --help, --version and errors must not
    # wait for them
    out = _fresh_python(
        "import sys\n"
        "from tabgan_cli.main import app\n"
        "try:\n"
        f"    app({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('torch', 'sklearn') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    assert out.returncode == 0, out.stderr


def test_old_import_paths_still_work_for_one_release() -> None:
    import tabgan.conditions as old_conditions
    import tabgan.lanes as old_lanes
    import tabgan.sampling as sampling
    import tabgan.sampling.lanes as lanes

    assert old_conditions.sample_conditional is sampling.sample_conditional
    assert old_conditions.parse_conditions is sampling.parse_conditions
    assert old_lanes.Lanes is lanes.Lanes


def test_tabgan_evaluate_is_callable_after_its_package_is_imported() -> None:
    out = _fresh_python(
        "import tabgan.evaluate.logic\n"
        "from tabgan import evaluate\n"
        "from tabgan.evaluate import EvaluationResult, evaluate as function\n"
        "assert callable(evaluate) and evaluate.__call__ is not None\n"
    )
    assert out.returncode == 0, out.stderr
