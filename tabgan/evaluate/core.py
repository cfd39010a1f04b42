"""``evaluate``: judge a synthetic table against the real one it imitates."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from tabgan.errors import InvalidDataError, InvalidParameterError
from tabgan.evaluate.columns import (
    canonical,
    check_columns,
    infer_columns,
    infos_of,
    subsample,
)
from tabgan.evaluate.detection import detection
from tabgan.evaluate.fidelity import fidelity
from tabgan.evaluate.logic import logic_checks, logic_rows
from tabgan.evaluate.membership import ATTACKS, MIN_ROWS, feasible_attacks, membership_inference
from tabgan.evaluate.privacy import privacy
from tabgan.evaluate.quality import quality
from tabgan.evaluate.result import EvaluationResult, headline
from tabgan.evaluate.utility import CLASSIFICATION, infer_task, target_values, utility
from tabgan.io import read_table

HOLDOUT_FRACTION = 0.2
# Rows per table for fidelity and the report's pictures: ample for KS/TVD to 0.01.
FIDELITY_ROWS = 20_000
_MIN_ROWS = 10

Table = pd.DataFrame | str | os.PathLike


def _load(table: Table | None, what: str) -> pd.DataFrame | None:
    if table is None:
        return None
    if isinstance(table, (str, os.PathLike)):
        table = read_table(table)
    if not isinstance(table, pd.DataFrame):
        raise InvalidParameterError(
            f"{what} must be a pandas DataFrame or a path to a table, not {type(table).__name__}"
        )
    if len(table) == 0:
        raise InvalidDataError(f"the {what} table has no rows")
    names = [str(c) for c in table.columns]
    if len(set(names)) < len(names):
        raise InvalidDataError(f"the {what} table has duplicate column names")
    out = table.copy()
    out.columns = names
    return out.reset_index(drop=True)


def _split(
    real: pd.DataFrame, labels: pd.Series | None, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Hold out a part of ``real``, stratified by the target's classes where possible."""
    stratify = None
    how = ""
    if labels is not None:
        counts = labels.fillna("\x00missing").value_counts()
        n_hold = int(np.ceil(HOLDOUT_FRACTION * len(real)))
        # Stratifying needs two rows per class and room for every class on both sides.
        if counts.min() >= 2 and n_hold >= len(counts) and len(real) - n_hold >= len(counts):
            stratify = labels.fillna("\x00missing").to_numpy()
            how = ", stratified by the target"
    train, hold = train_test_split(
        real, test_size=HOLDOUT_FRACTION, random_state=seed, stratify=stratify
    )
    return train, hold, how


def _name(table: Table | None, given: str | None) -> str | None:
    if given is not None:
        return str(given)
    if isinstance(table, (str, os.PathLike)):
        return str(table)
    return None


def evaluate(
    real: Table,
    synthetic: Table,
    target: str | None = None,
    test: Table | None = None,
    *,
    task: str = "auto",
    seed: int = 0,
    models: dict[str, object] | None = None,
    max_rows: int = 50_000,
    discrete_columns: Sequence[str] | None = None,
    schema: object | None = None,
    names: Mapping[str, str] | None = None,
    settings: Mapping[str, object] | None = None,
) -> EvaluationResult:
    """Score a synthetic table for utility, fidelity, detectability and privacy.

    Parameters
    ----------
    real : DataFrame or path
        The real rows the synthesizer was trained on.
    synthetic : DataFrame or path
        The rows to judge; same column names as ``real`` (order may differ).
    target : str, optional
        Column to predict for the utility score (TSTR vs TRTR). Without it utility is skipped.
    test : DataFrame or path, optional
        Real rows the synthesizer never saw. Without it, 20% of ``real`` is held out (stratified
        by the target); the synthesizer may have seen those rows, which the result says.
    task : {"auto", "classification", "regression"}
        What kind of target; ``"auto"`` reads text, booleans and integers with at most 20
        distinct values as classes, other numbers as a regression target.
    seed : int
        Seed for every split, subsample and model, so results are reproducible.
    models : dict of str to estimator, optional
        Unfitted scikit-learn estimators replacing the default three model families.
    max_rows : int
        At most this many rows per table train the utility models (subsampled beyond).
    discrete_columns : sequence of str, optional
        Columns compared as categories whatever their values (overrides ``schema``).
    schema : tabgan Schema or mapping of column to kind, optional
        Column kinds to judge by, e.g. ``TabGAN.load(path).encoder_.schema_`` so the judge
        reads every column as the model did. Without it the kinds follow the encoder's own
        inference rule (:func:`tabgan.encoding.schema.infer_column`).
    names : mapping, optional
        What to call the tables in the report (``{"real": "train.csv", ...}``); paths given
        as ``real``/``synthetic``/``test`` name themselves.
    settings : mapping, optional
        Extra settings to show in the report's header (e.g. ``{"model": "m.tabgan"}``).

    Returns
    -------
    EvaluationResult
        With ``to_dict()``, ``to_html()``, ``summary()`` and ``summary_table()``.

    Raises
    ------
    InvalidDataError
        Columns differ between tables, the target is unknown or cannot be predicted.
    """
    with warnings.catch_warnings(record=True) as caught:
        # library warnings (scipy, sklearn, pandas) become notes in the result, not terminal noise
        warnings.simplefilter("always")
        result = _evaluate(
            real,
            synthetic,
            target,
            test,
            task=task,
            seed=seed,
            models=models,
            max_rows=max_rows,
            discrete_columns=discrete_columns,
            schema=schema,
        )
    seen: set[str] = set()
    for w in caught:
        if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue  # about library internals, nothing a user of the figures can act on
        text = str(w.message).strip().splitlines()[0] if str(w.message).strip() else ""
        line = f"{w.category.__name__}: {text}"
        if text and line not in seen:
            seen.add(line)
            result.setup["notes"].append(f"warning while evaluating: {line}")
    result.setup["files"] = {
        "real": _name(real, (names or {}).get("real")),
        "synthetic": _name(synthetic, (names or {}).get("synthetic")),
        "test": _name(test, (names or {}).get("test")),
    }
    result.setup["settings"] = {str(k): v for k, v in (settings or {}).items()}
    return result


def _evaluate(
    real: Table,
    synthetic: Table,
    target: str | None,
    test: Table | None,
    *,
    task: str,
    seed: int,
    models: dict[str, object] | None,
    max_rows: int,
    discrete_columns: Sequence[str] | None,
    schema: object | None,
) -> EvaluationResult:
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    if isinstance(discrete_columns, str):
        discrete_columns = [discrete_columns]
    real_df = _load(real, "real")
    syn_df = check_columns(real_df, _load(synthetic, "synthetic"), "synthetic")
    test_df = _load(test, "test")
    if test_df is not None:
        test_df = check_columns(real_df, test_df, "test")
    if target is not None and target not in real_df.columns:
        raise InvalidDataError(
            f"target column {target!r} is not in the real table; "
            f"columns are {list(real_df.columns)}"
        )
    if max_rows < _MIN_ROWS:
        raise InvalidParameterError(f"max_rows={max_rows}; use at least {_MIN_ROWS}")
    if test_df is None and len(real_df) < _MIN_ROWS:
        raise InvalidDataError(
            f"the real table has {len(real_df)} rows; need at least {_MIN_ROWS} to hold some out"
        )

    notes: list[str] = []
    infos = infer_columns(real_df, discrete_columns, schema, notes)
    # A date target is predicted as a number of days, like any date column here, and numbers
    # written as text ("$1,234") as the numbers they write.
    read_target = target is not None and any(
        i.name == target and (i.source == "datetime" or i.number_format is not None) for i in infos
    )
    task_ = None
    if target is not None:
        task_ = infer_task(
            canonical(real_df[[target]], infos_of(infos, target))[target]
            if read_target
            else real_df[target],
            task,
        )
    seeds = np.random.SeedSequence(seed).generate_state(5)

    if test_df is None:
        labels = None
        if task_ == CLASSIFICATION:
            labels = target_values(real_df[target], task_)
        train_df, hold_df, how = _split(real_df, labels, int(seeds[0]))
        holdout = f"split from real ({HOLDOUT_FRACTION:.0%}{how})"
        warning = (
            f"No test table was given, so {len(hold_df)} rows of the real table were held out "
            "for testing; the synthesizer may have seen these rows. If it was trained on the "
            "whole real table, utility and the holdout privacy yardstick may look better than "
            "they are; pass rows held out before training as test (--test) for a clean score."
        )
    else:
        train_df, hold_df = real_df, test_df
        holdout = "given test table"
        warning = None

    real_c = canonical(real_df, infos)
    train_c, hold_c = real_c.loc[train_df.index], canonical(hold_df, infos)
    syn_c = canonical(syn_df, infos)
    seconds["prepare"] = time.perf_counter() - started

    util: dict = {}
    if target is not None:
        t0 = time.perf_counter()
        rng = np.random.default_rng(seeds[1])
        parts = []
        for raw, canon in ((train_df, train_c), (syn_df, syn_c), (hold_df, hold_c)):
            table = canon.copy()
            source = canon[target] if read_target else raw[target]
            table[target] = target_values(source, task_).to_numpy()
            parts.append(subsample(table, max_rows, rng))
        util, util_notes = utility(
            *parts, infos, target, task_, seed=int(seeds[1] % 2**31), models=models
        )
        notes += util_notes
        seconds["utility"] = time.perf_counter() - t0
    else:
        notes.append("utility skipped: no target column given")

    t0 = time.perf_counter()
    rng = np.random.default_rng(seeds[2])
    f_real = subsample(train_c, FIDELITY_ROWS, rng)
    f_syn = subsample(syn_c, FIDELITY_ROWS, rng)
    f_hold = subsample(hold_c, FIDELITY_ROWS, rng)
    fid, matrices = fidelity(f_real, f_syn, infos, holdout=f_hold)
    qual = quality(f_real, f_syn, infos)
    if len(f_hold) > 1:
        base = quality(f_real, f_hold, infos)
        qual["baseline"] = {
            k: base[k] for k in ("score", "column_shapes", "column_pair_trends")
        } | {"note": "real holdout vs real training rows: what fresh real rows score"}
    seconds["fidelity"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    det = detection(train_c, syn_c, infos, seed=int(seeds[3] % 2**31))
    seconds["detection"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    priv, dcr = privacy(train_c, syn_c, hold_c, infos, seed=int(seeds[4] % 2**31), all_real=real_c)
    attacks = feasible_attacks(len(train_df), len(hold_df), len(syn_df))
    if attacks:
        priv["membership"] = membership_inference(
            train_df, hold_df, syn_df, infos, seed=int(seeds[4] % 2**31), attacks=attacks
        )
    skipped = [a for a in ATTACKS if a not in attacks]
    if skipped:
        notes.append(
            f"membership inference: {' and '.join(skipped)} attack"
            f"{'s' if len(skipped) > 1 else ''} skipped, too few rows "
            f"({len(train_df)} training, {len(hold_df)} holdout, {len(syn_df)} synthetic; "
            f"each needs {MIN_ROWS}, the classifier {2 * MIN_ROWS} holdout rows)"
        )
    seconds["privacy"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    # numbers written as text are judged as the numbers they write
    as_text = [i.name for i in infos if i.number_format is not None]
    logic = logic_checks(
        *(df.assign(**{c: canon[c] for c in as_text})
          for df, canon in ((train_df, train_c), (syn_df, syn_c), (hold_df, hold_c))),
        discrete_columns=[i.name for i in infos if i.kind != "numeric"],
    )  # fmt: skip
    logic["checks"] = logic_rows(logic)
    seconds["logic"] = time.perf_counter() - t0
    seconds["total"] = time.perf_counter() - started

    setup = {
        "target": target,
        "task": task_,
        "holdout": holdout,
        "holdout_warning": warning,
        "rows": {
            "real": len(real_df),
            "train": len(train_df),
            "holdout": len(hold_df),
            "synthetic": len(syn_df),
        },
        "columns": {str(i.name): i.kind for i in infos},
        "kinds_from": (
            "the model's schema"
            if schema is not None
            else "tabgan's schema inference (the encoder's rule)"
        )
        + (f", with {list(discrete_columns)} forced categorical" if discrete_columns else ""),
        "seed": seed,
        "notes": notes,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
    }
    return EvaluationResult(
        summary_scores=headline(util, fid, det, priv, qual),
        utility=util,
        quality=qual,
        fidelity=fid,
        detection=det,
        privacy=priv,
        logic=logic,
        setup=setup,
        association=matrices,
        _infos=infos,
        _frames={"real": f_real, "synthetic": f_syn},
        _dcr=dcr,
    )
