"""Shared helpers of the benchmark scripts: data sets, machine description, child processes,
result files, train-on-synthetic / test-on-real scoring and fidelity figures.

Runs in tabgan's environment (the parent side); the peer's script never imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
DEFAULT_PEER_PYTHON = BENCH / ".venv-ctgan" / "bin" / "python"

WORK_DATA = BENCH / "work" / "data"  # git-ignored: the tables made from scikit-learn's data

# A data set: train/test CSVs, the target column, the task and where the data comes from.
# Adult ships in examples/data; the others are made from scikit-learn's bundled copies (no
# network needed) by ``_SKLEARN_MAKERS`` the first time they are asked for.
DATASETS: dict[str, dict[str, Any]] = {
    "adult": {
        "train": REPO / "examples" / "data" / "adult.csv",
        "test": REPO / "examples" / "data" / "adult_test.csv",
        "target": "income",
        "task": "classification",
        "source": "UCI Adult (Census Income, 1994), Becker & Kohavi 1996, "
        "doi:10.24432/C5XW20; CC BY 4.0 (see examples/data/README.md); the original "
        "train/test split",
    },
    "breast_cancer": {
        "train": WORK_DATA / "breast_cancer_train.csv",
        "test": WORK_DATA / "breast_cancer_test.csv",
        "target": "target",
        "task": "classification",
        "source": "UCI Breast Cancer Wisconsin (Diagnostic), Wolberg, Street & Mangasarian "
        "1995, as bundled with scikit-learn (load_breast_cancer; BSD-3-Clause); 569 rows, "
        "30 numeric features, target malignant/benign; 70/30 split stratified by target, "
        "random_state=0",
    },
    "diabetes": {
        "train": WORK_DATA / "diabetes_train.csv",
        "test": WORK_DATA / "diabetes_test.csv",
        "target": "target",
        "task": "regression",
        "source": "Diabetes, Efron, Hastie, Johnstone & Tibshirani 2004 (Least Angle "
        "Regression), as bundled with scikit-learn (load_diabetes(scaled=False); "
        "BSD-3-Clause); 442 rows, 10 numeric features, target disease progression after one "
        "year; 70/30 split, random_state=0",
    },
}
_SPLIT_SEED = 0
_TEST_SIZE = 0.3


# ---------------------------------------------------------------------- data
def _breast_cancer() -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    bunch = load_breast_cancer(as_frame=True)
    df = bunch.frame.copy()
    # text labels, so every tool and the scorer read the target as categorical
    df["target"] = np.asarray(bunch.target_names, dtype=object)[df["target"].to_numpy()]
    return train_test_split(
        df, test_size=_TEST_SIZE, random_state=_SPLIT_SEED, stratify=df["target"]
    )


def _diabetes() -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split

    df = load_diabetes(as_frame=True, scaled=False).frame.copy()
    # whole-number columns (age, sex, s1, s6, target) as integers, as in the original file
    for c in df.columns:
        if (df[c] == df[c].round()).all():
            df[c] = df[c].astype("int64")
    return train_test_split(df, test_size=_TEST_SIZE, random_state=_SPLIT_SEED)


_SKLEARN_MAKERS = {"breast_cancer": _breast_cancer, "diabetes": _diabetes}


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write through a temporary file, so a concurrent reader never sees half a table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    df.to_csv(tmp, index=False)
    os.replace(tmp, path)


def dataset_paths(name: str) -> dict[str, Any]:
    """``{"train": Path, "test": Path, "target": str, "task": str, "source": str}`` of a
    known data set, writing its CSVs first if it is made from scikit-learn's data and they
    are not there yet."""
    if name not in DATASETS:
        raise SystemExit(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}")
    info = DATASETS[name]
    if name in _SKLEARN_MAKERS and not (info["train"].exists() and info["test"].exists()):
        train, test = _SKLEARN_MAKERS[name]()
        write_csv(train, info["train"])
        write_csv(test, info["test"])
    return info


def load_dataset(name: str) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The training table, the real test table and the target column."""
    info = dataset_paths(name)
    return pd.read_csv(info["train"]), pd.read_csv(info["test"]), info["target"]


def discrete_columns(df: pd.DataFrame) -> list[str]:
    """Text, categorical and boolean columns: what ctgan must be told are discrete (both
    tools get the same list)."""
    return [
        c
        for c in df.columns
        if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])
    ]


# ---------------------------------------------------------------------- machine
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def commit_of(repo: str | os.PathLike | None) -> str | None:
    """The short commit checked out in the checkout ``repo`` (None without one, or if git
    cannot tell): the "before" and "after" sides of an A/B run."""
    if repo is None:
        return None
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` or ``cpu``, decided once in the parent so both tools get the same."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: CUDA is not available here")
    return device


def machine_info(threads: int | None = None) -> dict[str, Any]:
    """CPU, cores, torch threads, GPU and library versions of this run."""
    import torch

    import tabgan

    if threads:
        torch.set_num_threads(threads)
    gpu = None
    if torch.cuda.is_available():
        gpu = torch.cuda.get_device_name(0)
    elif shutil.which("nvidia-smi"):
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
        )
        gpu = out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout else None
    # result files written by earlier runs do not change the code under test
    status = _git("status", "--porcelain", "--", ".", ":!benchmarks/results")
    return {
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": gpu,
        "cuda": torch.version.cuda,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "tabgan": tabgan.__version__,
        "tabgan_commit": _git("rev-parse", "--short", "HEAD"),
        "tabgan_dirty": bool(status) if status is not None else None,
    }


# ---------------------------------------------------------------------- child processes
def check_peer_python(path: str | os.PathLike) -> str:
    """The peer interpreter, or exit with how to create it."""
    p = Path(path)
    if not p.exists():
        raise SystemExit(
            f"the peer environment is missing ({p}).\n"
            "Create it with:  bash benchmarks/setup_peer.sh\n"
            "(or point --peer-python at a Python with ctgan==0.12.1 installed; "
            "--no-peer skips the peer)"
        )
    return str(p)


def run_child(
    cmd: Sequence[str], timeout: float | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run one benchmark child; its last stdout line is a JSON object. ``env``: variables
    to set in the child on top of this process's."""
    print("  $ " + shlex.join(cmd), file=sys.stderr, flush=True)
    env = {**os.environ, "PYTHONHASHSEED": "0", **(env or {})}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"benchmark child failed (exit {proc.returncode}): {shlex.join(cmd)}\n"
            f"{proc.stderr[-4000:]}"
        )
    return json.loads(lines[-1])


def child_args(**kwargs: Any) -> list[str]:
    """``--key value`` options for a child script (None values are left out)."""
    out: list[str] = []
    for key, value in kwargs.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            out.append(flag)
        elif isinstance(value, (list, dict)):
            out += [flag, json.dumps(value)]
        else:
            out += [flag, str(value)]
    return out


# ---------------------------------------------------------------------- statistics
def median(values: Sequence[float | None]) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return statistics.median(vals) if vals else None


def ratio(peer: float | None, ours: float | None) -> float | None:
    """peer / ours for a time: above 1 means tabgan is faster."""
    if peer is None or ours is None or ours <= 0:
        return None
    return peer / ours


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


# ---------------------------------------------------------------------- results
def write_result(name: str, payload: dict[str, Any], table: Sequence[str]) -> tuple[Path, Path]:
    """Write ``results/<name>-<YYYYMMDD-HHMMSS>.json`` and a short ``.md`` beside it."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = RESULTS / f"{name}-{stamp}"
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    m = payload["machine"]
    lines = [
        f"# {name} ({payload['date']})",
        "",
        f"    {payload['command']}",
        "",
        f"- Machine: {m['cpu']}, {m['cpu_count']} cores, torch threads {m['torch_threads']}, "
        f"GPU {m['gpu'] or 'none'}",
        f"- Versions: tabgan {m['tabgan']} ({m['tabgan_commit']}"
        f"{', uncommitted changes' if m['tabgan_dirty'] else ''}), torch {m['torch']}, "
        + (
            f"peers: {payload['peer_version'] or '–'}"
            if "versions" in payload  # compare.py: several peers, each with its torch
            else f"ctgan {payload.get('peer_version') or '–'} "
            f"(peer torch {payload.get('peer_torch') or '–'})"
        ),
        "- Settings: " + ", ".join(f"{k}={v}" for k, v in payload["settings"].items()),
        "",
        *table,
        "",
        f"Raw numbers: `{json_path.name}`.",
        "",
    ]
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return json_path, md_path


def report(name: str, label: str, payload: dict[str, Any], table: Sequence[str]) -> Path:
    """:func:`write_result` as ``<name>[-<label>]``, then print the table and the file's path;
    returns the ``.md`` path."""
    _, md = write_result(name + (f"-{label}" if label else ""), payload, table)
    print("\n".join(table))
    print(f"wrote {md}")
    return md


def now() -> str:
    """The local date and time as result files record it."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def mean_se(values: Sequence[float]) -> tuple[float, float]:
    """Mean and standard error of the finite values (NaN where there are too few)."""
    values = [v for v in values if math.isfinite(v)]
    if not values:
        return float("nan"), float("nan")
    mean = statistics.mean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return mean, se


def header(settings: dict[str, Any], threads: int | None) -> dict[str, Any]:
    """The common head of every result: command, date, machine, settings."""
    return {
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "date": now(),
        "machine": machine_info(threads),
        "settings": settings,
    }


def run_parser(description: str, seeds: Sequence[int]) -> argparse.ArgumentParser:
    """The arguments every fit-and-score script shares: --dataset, --epochs, --seeds, --device,
    --label, --threads (add a script's own, then call :func:`parse_run_args`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--dataset", default="adult")
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(seeds))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--label", default="")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    return parser


def parse_run_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse, and set torch's thread count when --threads is given."""
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    return args


@contextlib.contextmanager
def unrefined(model: Any) -> Iterator[Any]:
    """The fitted TabGAN with its refinement filter set aside (``tabgan.refine``), restored on
    exit: the same generator sampled as ``refine=False`` would."""
    refiner = getattr(model, "refiner_", None)
    model.refiner_ = None
    try:
        yield model
    finally:
        model.refiner_ = refiner


# ---------------------------------------------------------------------- TSTR scoring
CLASSIFICATION = "classification"
REGRESSION = "regression"
METRICS = {CLASSIFICATION: "macro-F1", REGRESSION: "R2"}


class TSTRScorer:
    """A score on the real test rows of a gradient-boosting model trained on a given table
    (real or synthetic), with one fixed preprocessing.

    Classification: ``HistGradientBoostingClassifier(random_state=0)``, macro-F1.
    Regression: ``HistGradientBoostingRegressor(random_state=0)``, R².

    Categorical columns (those non-numeric in the real training table) are ordinal-encoded with
    categories learned from the real training and test rows, then handed to the model as
    native categoricals; a value never seen in real data (possible in synthetic rows) becomes
    -1, which the model treats as missing. Numbers are coerced to float (NaN stays NaN).
    Rows whose target is missing, or unknown to the real data (classification) or not a
    finite number (regression), are left out.

    Parameters
    ----------
    train, test : DataFrame
        The real training and test rows.
    target : str
        The column to predict.
    task : {"auto", "classification", "regression"}
        ``"auto"``: regression for a numeric (non-boolean) target in ``train``, else
        classification.
    """

    def __init__(
        self, train: pd.DataFrame, test: pd.DataFrame, target: str, task: str = "auto"
    ) -> None:
        from sklearn.preprocessing import OrdinalEncoder

        numeric_target = target not in discrete_columns(train[[target]])
        if task == "auto":
            task = REGRESSION if numeric_target else CLASSIFICATION
        if task not in METRICS:
            raise ValueError(f"task={task!r}; expected auto, {CLASSIFICATION} or {REGRESSION}")
        if task == REGRESSION and not numeric_target:
            raise ValueError(f"regression needs a numeric target; {target!r} is not numeric")
        self.task = task
        self.metric = METRICS[task]
        self.target = target
        self.features = [c for c in train.columns if c != target]
        self.categorical = [c for c in self.features if c in discrete_columns(train)]
        union = pd.concat([train, test], ignore_index=True)
        self.encoder = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
        )
        if self.categorical:
            self.encoder.fit(self._text(union[self.categorical]))
        self.classes = (
            sorted(union[target].dropna().astype(str).unique()) if task == CLASSIFICATION else []
        )
        self.test_x, self.test_y = self._xy(test)

    @staticmethod
    def _text(frame: pd.DataFrame) -> pd.DataFrame:
        return (
            frame.astype(object)
            .where(frame.notna(), None)
            .map(lambda v: v if v is None else str(v))
        )

    def _xy(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        x = pd.DataFrame(index=df.index)
        for c in self.features:
            if c not in self.categorical:
                x[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
        if self.categorical:
            codes = self.encoder.transform(self._text(df[self.categorical]))
            for i, c in enumerate(self.categorical):
                x[c] = codes[:, i]
        x = x[self.features]
        if self.task == REGRESSION:
            y = pd.to_numeric(df[self.target], errors="coerce").to_numpy(dtype=float)
            keep = np.isfinite(y)
        else:
            labels = df[self.target].astype(object).where(df[self.target].notna(), None)
            y = np.array(
                [self.classes.index(str(v)) if str(v) in self.classes else -1 for v in labels]
            )
            keep = y >= 0  # rows whose target is missing or unknown cannot be learned from
        return x.to_numpy(dtype=float)[keep], y[keep]

    def _categorical_mask(self) -> list[bool]:
        wide = [
            c
            for c in self.categorical
            if len(self.encoder.categories_[self.categorical.index(c)]) > 255
        ]
        # beyond native categorical support: treat their codes as numbers
        return [c in self.categorical and c not in wide for c in self.features]

    def per_class_f1(self, train: pd.DataFrame) -> dict[str, float]:
        """Classification: each class's F1 on the real test rows (the classes of :attr:`classes`
        the test rows have), for the model :meth:`score` trains on ``train``."""
        from sklearn.metrics import f1_score

        pred = self._classify(train)
        labels = sorted(set(self.test_y.tolist()))
        scores = f1_score(self.test_y, pred, labels=labels, average=None, zero_division=0)
        return {self.classes[k]: float(v) for k, v in zip(labels, scores, strict=True)}

    def _classify(self, train: pd.DataFrame) -> np.ndarray:
        from sklearn.ensemble import HistGradientBoostingClassifier

        x, y = self._xy(train)
        if len(np.unique(y)) < 2:
            # a single-class table teaches only that class
            return np.full(len(self.test_y), y[0] if len(y) else 0)
        clf = HistGradientBoostingClassifier(
            random_state=0, categorical_features=self._categorical_mask()
        )
        return clf.fit(x, y).predict(self.test_x)

    def score(self, train: pd.DataFrame) -> float:
        """The metric (:attr:`metric`) on the real test rows of the model trained on ``train``."""
        from sklearn.ensemble import HistGradientBoostingRegressor
        from sklearn.metrics import f1_score, r2_score

        if self.task != REGRESSION:
            return float(f1_score(self.test_y, self._classify(train), average="macro"))
        x, y = self._xy(train)
        if len(y) < 2:
            # too few rows to fit: predict the one value seen (or 0)
            pred = np.full(len(self.test_y), y[0] if len(y) else 0.0)
        else:
            reg = HistGradientBoostingRegressor(
                random_state=0, categorical_features=self._categorical_mask()
            )
            pred = reg.fit(x, y).predict(self.test_x)
        return float(r2_score(self.test_y, pred))


# ---------------------------------------------------------------------- fidelity
class FidelityScorer:
    """Fidelity of a table (synthetic, or the real test split) to the real training rows,
    measured by tabgan's evaluator (``tabgan.evaluate.fidelity``) without its utility,
    detection and privacy parts.

    Column kinds are read from the real training table (``infer_columns``) and both tables
    are coerced alike (``canonical``); all rows are used (no subsampling).
    """

    def __init__(self, train: pd.DataFrame) -> None:
        from tabgan.evaluate.columns import canonical, infer_columns

        self.train = train
        self.infos = infer_columns(train)
        self.real = canonical(train, self.infos)

    def score(self, other: pd.DataFrame) -> dict[str, Any]:
        """``ks_mean`` (numeric columns), ``tvd_mean`` (categorical columns; None without
        any), ``missing_diff_mean``, ``association_diff`` (mean absolute difference of the
        pairwise association matrices), and ``ks``/``tvd``: the value per column."""
        from tabgan.evaluate.columns import canonical, check_columns
        from tabgan.evaluate.fidelity import fidelity

        other = check_columns(self.train, other, "compared")
        scores, _ = fidelity(self.real, canonical(other, self.infos), self.infos)
        return {
            "ks_mean": scores["ks_mean"],
            "tvd_mean": scores["tvd_mean"],
            "missing_diff_mean": scores["missing_diff_mean"],
            "association_diff": scores["association_diff"],
            **{
                stat: {
                    n: c["value"] for n, c in scores["columns"].items() if c["statistic"] == stat
                }
                for stat in ("ks", "tvd")
            },
        }
