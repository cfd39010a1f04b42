"""The table suite of ``compare.py``: real tables that PyPI packages ship (no network), each with a
fixed, seeded train/test split, its target, task, source and licence. (Not named datasets.py:
that would shadow Hugging Face's ``datasets``, which the TabularARGN peer imports.)

Adult comes from ``examples/data`` (the original split); ``breast_cancer`` and ``diabetes`` are
``common.DATASETS``'s; the others are made here from the package's bundled copy the first time
they are asked for and written to ``benchmarks/work/data/<name>_{train,test}.csv`` (git-ignored).
Their packages are benchmark-only (``pip install palmerpenguins statsmodels lifelines``), never
dependencies of tabgan.

Every split is 70/30 with ``random_state=0``, stratified by the target for classification.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import common
import numpy as np
import pandas as pd

SPLIT_SEED = 0
TEST_SIZE = 0.3


def _split(df: pd.DataFrame, target: str, stratify: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.model_selection import train_test_split

    df = df.reset_index(drop=True)
    return train_test_split(
        df,
        test_size=TEST_SIZE,
        random_state=SPLIT_SEED,
        stratify=df[target] if stratify else None,
    )


def _whole_numbers_as_int(df: pd.DataFrame) -> pd.DataFrame:
    """Columns that hold only whole numbers (and no missing values) as integers, as written in
    the original files (statsmodels loads them as floats)."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_float_dtype(col) and col.notna().all() and (col == col.round()).all():
            out[c] = col.astype("int64")
    return out


def _penguins() -> tuple[pd.DataFrame, pd.DataFrame]:
    import palmerpenguins

    df = palmerpenguins.load_penguins()
    # the two rows without any measurement carry nothing but species, island and year
    df = df.dropna(subset=["bill_length_mm"])
    return _split(df, "species", stratify=True)


# ANES 1996 codes, from statsmodels.datasets.anes96's description (the codebook's labels)
_ANES_PID = {
    0: "Strong Democrat",
    1: "Weak Democrat",
    2: "Independent-Democrat",
    3: "Independent",
    4: "Independent-Republican",
    5: "Weak Republican",
    6: "Strong Republican",
}
_ANES_EDUC = {
    1: "1-8 grades",
    2: "Some high school",
    3: "High school graduate",
    4: "Some college",
    5: "College degree",
    6: "Master's degree",
    7: "PhD",
}
_ANES_VOTE = {0: "Clinton", 1: "Dole"}
_ANES_LR = {
    1: "Extremely liberal",
    2: "Liberal",
    3: "Slightly liberal",
    4: "Moderate",
    5: "Slightly conservative",
    6: "Conservative",
    7: "Extremely conservative",
}


def _anes96() -> tuple[pd.DataFrame, pd.DataFrame]:
    import statsmodels.datasets.anes96 as anes

    df = _whole_numbers_as_int(anes.load_pandas().data)
    # coded answers as the labelled categories they are (income's 24 bands stay ordinal numbers)
    df["PID"] = df["PID"].map(_ANES_PID)
    df["educ"] = df["educ"].map(_ANES_EDUC)
    df["vote"] = df["vote"].map(_ANES_VOTE)
    for c in ("selfLR", "ClinLR", "DoleLR"):
        df[c] = df[c].map(_ANES_LR)
    if df.isna().any().any():
        raise RuntimeError("anes96: a code outside statsmodels' documented labels")
    return _split(df, "vote", stratify=True)


def _dd() -> tuple[pd.DataFrame, pd.DataFrame]:
    from lifelines.datasets import load_dd

    df = load_dd()
    # leaderspellreg is a per-row leader-spell id (1,800 values in 1,808 rows) and ehead the
    # leader's name (an identifier of a spell too); cowcode2 and politycode are numeric country
    # codes, a copy of ctryname
    df = df.drop(columns=["leaderspellreg", "ehead", "cowcode2", "politycode"])
    return _split(df, "regime", stratify=True)


def _gbsg2() -> tuple[pd.DataFrame, pd.DataFrame]:
    from lifelines.datasets import load_gbsg2

    df = load_gbsg2()
    df["cens"] = df["cens"].map({0: "censored", 1: "recurrence"})
    return _split(df, "cens", stratify=True)


def _randhie() -> tuple[pd.DataFrame, pd.DataFrame]:
    import statsmodels.datasets.randhie as randhie

    df = randhie.load_pandas().data
    return _split(df, "mdvis", stratify=False)


def _fair() -> tuple[pd.DataFrame, pd.DataFrame]:
    import statsmodels.datasets.fair as fair

    df = _whole_numbers_as_int(fair.load_pandas().data)
    # as statsmodels' own logit example: whether any time was spent in affairs (the hours
    # themselves are left out: they would give the answer away; as a regression target their
    # R2 is about 0, no ratio can be read from it)
    df["affair"] = np.where(df.pop("affairs") > 0, "yes", "no")
    return _split(df, "affair", stratify=True)


def _grunfeld() -> tuple[pd.DataFrame, pd.DataFrame]:
    import statsmodels.datasets.grunfeld as grunfeld

    df = _whole_numbers_as_int(grunfeld.load_pandas().data)
    return _split(df, "invest", stratify=False)


_MAKERS: dict[str, Callable[[], tuple[pd.DataFrame, pd.DataFrame]]] = {
    "penguins": _penguins,
    "anes96": _anes96,
    "dd": _dd,
    "gbsg2": _gbsg2,
    "randhie": _randhie,
    "fair": _fair,
    "grunfeld": _grunfeld,
}


def _entry(name: str, target: str, task: str, shape: str, source: str) -> dict[str, Any]:
    return {
        "train": common.WORK_DATA / f"{name}_train.csv",
        "test": common.WORK_DATA / f"{name}_test.csv",
        "target": target,
        "task": task,
        "shape": shape,
        "source": source,
    }


# name -> paths, target, task, what shape it stands for, source and licence
SUITE: dict[str, dict[str, Any]] = {
    "penguins": _entry(
        "penguins",
        "species",
        common.CLASSIFICATION,
        "small, mixed; species and island strongly tied",
        "Palmer Archipelago penguins (Gorman, Williams & Fraser 2014; Horst, Hill & Gorman "
        "2020), palmerpenguins.load_penguins() (package MIT, data CC0); 342 rows with "
        "measurements",
    ),
    "breast_cancer": {**common.DATASETS["breast_cancer"], "shape": "numeric-heavy (30 numbers)"},
    "diabetes": {**common.DATASETS["diabetes"], "shape": "small, all numeric, numeric target"},
    "anes96": _entry(
        "anes96",
        "vote",
        common.CLASSIFICATION,
        "categorical-heavy (6 labelled answers); logpopul = log(popul + 0.1)",
        "American National Election Studies 1996 (public domain), "
        "statsmodels.datasets.anes96 (statsmodels BSD-3-Clause); codes mapped to the labels "
        "of its description",
    ),
    "dd": _entry(
        "dd",
        "regime",
        common.CLASSIFICATION,
        "categorical-heavy, exact dependencies (country -> region -> continent, "
        "regime -> democracy), 170+ countries",
        "Democracy and Dictatorship (Cheibub, Gandhi & Vreeland 2010), "
        "lifelines.datasets.load_dd() (lifelines MIT); leaderspellreg and ehead (a spell's "
        "id and leader's name), cowcode2 and politycode (country codes) dropped",
    ),
    "gbsg2": _entry(
        "gbsg2",
        "cens",
        common.CLASSIFICATION,
        "mixed clinical table, skewed counts",
        "German Breast Cancer Study Group 2 (Schumacher et al. 1994), "
        "lifelines.datasets.load_gbsg2() (lifelines MIT); cens as censored/recurrence",
    ),
    "fair": _entry(
        "fair",
        "affair",
        common.CLASSIFICATION,
        "mid-size (6k rows), numbers that are ordinal codes",
        "Fair's extramarital affairs survey (Fair 1978, Redbook 1974), "
        "statsmodels.datasets.fair ('included with permission of the author'; statsmodels "
        "BSD-3-Clause); affair = affairs > 0 (as statsmodels' logit example), affairs dropped",
    ),
    "grunfeld": _entry(
        "grunfeld",
        "invest",
        common.REGRESSION,
        "small panel, numeric target tied to value and capital, firm categorical",
        "Grunfeld investment data (Grunfeld 1958), 10 US firms 1935-1954, "
        "statsmodels.datasets.grunfeld (public domain; statsmodels BSD-3-Clause)",
    ),
    "randhie": _entry(
        "randhie",
        "mdvis",
        common.REGRESSION,
        "large (20k rows), count target, one-hot health columns",
        "RAND Health Insurance Experiment (public domain), statsmodels.datasets.randhie "
        "(statsmodels BSD-3-Clause)",
    ),
    "adult": {**common.DATASETS["adult"], "shape": "large (32k rows), mixed, 9 categories"},
}


def table_paths(name: str) -> dict[str, Any]:
    """The suite entry of ``name`` (``train``, ``test``, ``target``, ``task``, ``shape``,
    ``source``), its CSVs written first when they are made here and not there yet."""
    if name not in SUITE:
        raise SystemExit(f"unknown table {name!r}; known: {', '.join(SUITE)}")
    if name in common.DATASETS:
        common.dataset_paths(name)  # writes scikit-learn's tables when missing
        return SUITE[name]
    info = SUITE[name]
    if not (info["train"].exists() and info["test"].exists()):
        train, test = _MAKERS[name]()
        common.write_csv(train, info["train"])
        common.write_csv(test, info["test"])
    return info


def load_table(name: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The real training rows, the real test rows and the suite entry of ``name``."""
    info = table_paths(name)
    return pd.read_csv(info["train"]), pd.read_csv(info["test"]), info


def describe(name: str) -> dict[str, Any]:
    """Rows, column counts by kind and the target's task, for the README's table."""
    train, test, info = load_table(name)
    discrete = common.discrete_columns(train)
    return {
        "name": name,
        "train_rows": len(train),
        "test_rows": len(test),
        "numeric": len(train.columns) - len(discrete),
        "categorical": len(discrete),
        "target": info["target"],
        "task": info["task"],
        "missing_share": float(np.mean(train.isna().to_numpy())),
    }


if __name__ == "__main__":
    for table in SUITE:
        print(describe(table))
