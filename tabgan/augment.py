"""TabGANResampler: synthetic rows as an imbalanced-learn style resampler for pipelines.

``fit_resample(X, y)`` learns the table ``X`` plus the target with a :class:`~tabgan.TabGAN`
(the target is a discrete column, so the generator's conditional vector can ask for a class),
then returns the original rows followed by synthetic rows for the classes that
``sampling_strategy`` asks for (plus ``n_extra`` rows drawn from the learned joint distribution).
A label filter replaces synthetic rows whose label the real rows contradict, and ``n_extra="auto"``
chooses the amount on held-out rows, adding none when no amount helps
(:mod:`tabgan.augment_select` holds both judges).

imbalanced-learn is optional: its :class:`imblearn.pipeline.Pipeline` recognises any step with a
``fit_resample`` method, and this class has one without importing imbalanced-learn. Resampling
happens only while the pipeline is fitted, never at predict time.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted

from tabgan.augment_select import (
    LABEL_QUANTILE,
    LabelModel,
    choose,
    holdout_split,
    keep_plausible,
)
from tabgan.errors import (
    InvalidDataError,
    InvalidParameterError,
    ThinConditionWarning,
)
from tabgan.validation import MIN_ROWS, int_seed, seed_sequence

TARGET = "__target__"
HOLDOUT = 0.25  # n_extra="auto": the share of each class held out to judge the amounts
JOINT_SHARES = (0.5, 1.0)  # n_extra="auto": joint-row candidates, as shares of the table
ROUNDS = 4  # label_filter: draws per request before the most plausible rejects fill up
#: donors: a categorical feature whose median value has fewer training rows than this is too
#: sparse for the generator to learn which label goes with which value
SPARSE_ROWS = 3
_MATCH_CELLS = 4_000_000  # donors: synthetic x real comparisons held at once
_STRATEGIES = ("auto", "minority", "not minority", "not majority", "all")


def oversampling_plan(strategy: Any, y: np.ndarray) -> dict[Any, int]:
    """Rows to generate per class, with imbalanced-learn's over-sampling semantics.

    Parameters
    ----------
    strategy : str, float, dict, callable or None
        ``"auto"``/``"not majority"`` (every class but the majority up to the majority count),
        ``"minority"``, ``"not minority"``, ``"all"``; a float ``r`` (binary targets only: the
        minority class grows to ``r`` times the majority); a dict ``{class: final count}``; a
        callable ``y -> dict``; ``None`` for no class-targeted rows.
    y : numpy.ndarray
        Class labels.

    Returns
    -------
    dict
        Class -> rows to generate, in the order of ``np.unique(y)``.
    """
    classes, counts = np.unique(y, return_counts=True)
    count = {c: int(k) for c, k in zip(classes.tolist(), counts, strict=True)}
    majority = max(count.values())
    minority = min(count.values())
    if strategy is None:
        return {}
    if callable(strategy):
        strategy = strategy(y)
    if isinstance(strategy, str):
        if strategy not in _STRATEGIES:
            raise InvalidParameterError(
                f"sampling_strategy must be one of {', '.join(map(repr, _STRATEGIES))}, a float, "
                f"a dict or a callable; got {strategy!r}"
            )
        majority_class = max(count, key=count.get)
        minority_class = min(count, key=count.get)
        if strategy == "minority":
            chosen = [minority_class]
        elif strategy == "not minority":
            chosen = [c for c in count if c != minority_class]
        elif strategy == "all":
            chosen = list(count)
        else:
            chosen = [c for c in count if c != majority_class]
        return {c: majority - count[c] for c in count if c in chosen}
    if isinstance(strategy, (float, np.floating)) and not isinstance(strategy, bool):
        if len(count) != 2:
            raise InvalidParameterError(
                "a float sampling_strategy needs a binary target; use a dict for "
                f"{len(count)} classes"
            )
        if not 0 < strategy <= 1:
            raise InvalidParameterError(
                f"a float sampling_strategy must be in (0, 1], got {strategy}"
            )
        plan = {}
        for c, k in count.items():
            if k == majority and k != minority:
                continue
            want = int(majority * float(strategy))
            if want < k:
                raise InvalidParameterError(
                    f"sampling_strategy={strategy} would remove rows of class {c!r} "
                    f"({k} rows, {want} asked); over-sampling only adds rows"
                )
            plan[c] = want - k
        return plan
    if isinstance(strategy, Mapping):
        plan = {}
        for c, want in strategy.items():
            key = c.item() if isinstance(c, np.generic) else c
            if key not in count:
                raise InvalidParameterError(
                    f"sampling_strategy names class {c!r}, which is not in y "
                    f"(classes: {list(count)[:10]})"
                )
            if isinstance(want, bool) or not isinstance(want, (int, np.integer)):
                raise InvalidParameterError(f"sampling_strategy[{c!r}] must be an integer")
            if want < count[key]:
                raise InvalidParameterError(
                    f"sampling_strategy asks {want} rows of class {c!r}, which already has "
                    f"{count[key]}; over-sampling only adds rows"
                )
            plan[key] = int(want) - count[key]
        return plan
    raise InvalidParameterError(
        f"sampling_strategy must be a string, a float, a dict or a callable; got {strategy!r}"
    )


def sparse_columns(table: pd.DataFrame, kinds: Mapping[str, str], target: str) -> list[str]:
    """The categorical features whose median value has fewer than :data:`SPARSE_ROWS` rows
    (``kinds``: column -> the encoder's kind name)."""
    out = []
    for name, kind in kinds.items():
        if name == target or kind != "categorical":
            continue
        counts = table[name].value_counts(dropna=True)
        if len(counts) >= 2 and float(np.median(counts)) < SPARSE_ROWS:
            out.append(name)
    return out


def donor_values(
    real: pd.DataFrame,
    synth: pd.DataFrame,
    target: str,
    columns: Sequence[str],
    match: Sequence[str],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """``synth`` with its values of ``columns`` taken from real rows of the same class.

    Each synthetic row's donor is a real row with its label that agrees with it on the most of
    the ``match`` columns (ties drawn at random), a nearest-neighbour hot deck: a country comes
    from a real row of the same regime, in the same region where the class has one there.
    """
    out = synth.copy()
    if not len(synth) or not columns:
        return out
    codes = {}
    for c in match:  # shared integer codes per column, missing as its own code
        both = pd.concat([real[c], synth[c]], ignore_index=True).astype(object)
        both = both.where(both.notna(), "\0missing")
        codes[c] = pd.factorize(both.astype(str))[0]
    n_real = len(real)
    # (rows, len(match)) codes; no match columns: zero-width, every real row of the class ties
    all_codes = np.column_stack([codes[c] for c in match] or [np.empty((n_real + len(synth), 0))])
    real_codes, synth_codes = all_codes[:n_real], all_codes[n_real:]
    real_labels = real[target].to_numpy()
    synth_labels = synth[target].to_numpy()
    donors = np.empty(len(synth), dtype=np.int64)
    for label in pd.unique(synth_labels):
        mine = np.flatnonzero(synth_labels == label)
        pool = np.flatnonzero(real_labels == label)
        if not len(pool):  # cannot happen for the resampler's labels; keep the rows as drawn
            donors[mine] = -1
            continue
        step = max(1, _MATCH_CELLS // (len(pool) * max(1, len(match))))
        for lo in range(0, len(mine), step):
            rows = mine[lo : lo + step]
            score = rng.random((len(rows), len(pool)))  # ties at random
            score += (synth_codes[rows][:, None, :] == real_codes[pool][None, :, :]).sum(axis=2)
            donors[rows] = pool[np.argmax(score, axis=1)]
    found = donors >= 0
    for c in columns:
        values = out[c].to_numpy(dtype=object, copy=True)
        values[found] = real[c].to_numpy(dtype=object)[donors[found]]
        out[c] = pd.Series(values, index=out.index).astype(real[c].dtype)
    return out


class TabGANResampler(BaseEstimator):
    """Adds TabGAN-generated rows to a training set; an imbalanced-learn style resampler.

    Parameters
    ----------
    sampling_strategy : str, float, dict, callable or None
        Which classes get how many synthetic rows, as in imbalanced-learn's over-samplers:
        ``"auto"`` (every class but the majority grows to the majority count), ``"minority"``,
        ``"not minority"``, ``"not majority"``, ``"all"``, a float (binary only: minority /
        majority ratio after resampling), a dict ``{class: final count}``, a callable
        ``y -> dict``, or ``None`` (no class-targeted rows, only ``n_extra``).
    n_extra : int or "auto"
        Further synthetic rows drawn from the learned joint distribution (labels included),
        on top of ``sampling_strategy``: plain augmentation of a small table. ``"auto"``: the
        resampler chooses how many rows to add, and adds none when no amount helps. It holds
        out a quarter of each class, fits TabGAN on the rest, and scores a gradient-boosted
        classifier on the held-out rows after training it on the rest plus each candidate:
        no rows, the rows ``sampling_strategy`` asks for, and half or as many joint rows as
        the table has. A candidate wins only if it beats no rows by more than one bootstrap
        standard error of the paired difference (``selection_`` holds the scores). The rows
        then added come from that same TabGAN (which saw three quarters of the rows), next to
        all the real rows.
    label_filter : bool or float
        Drop synthetic rows whose label the real rows contradict: a gradient-boosted
        classifier fitted on the real rows must give a row's label at least the probability
        that half the real rows of that class get out of fold (:mod:`tabgan.augment_select`);
        rejected rows are replaced by new draws, so the counts asked for hold. A float in
        (0, 1) sets that quantile instead of the median (0.1: as plausible as for 90% of the
        real rows, a looser filter and the default until the benchmark showed the median to
        help the random forest and logistic regression, HGB evenly). ``False`` keeps every
        row.
    donors : bool
        Take the values of categorical features too sparse to learn (the median value has
        fewer than 3 training rows, such as a country among a few hundred rows) from real rows:
        each synthetic row copies them from a real row of its class that agrees with it on the
        most other discrete columns (:func:`donor_values`). The generator cannot learn which
        label goes with such a value, and on ``dd`` two thirds of its rows paired a country with
        a regime no real row had (benchmarks/README.md). ``donor_columns_`` names the columns.
    epochs : int or "auto"
        TabGAN training passes; ``"auto"`` (the default) stops by itself on a held-out
        fidelity score (see :class:`~tabgan.TabGAN`), so a cross-validated pipeline does not
        fit one 300-epoch GAN per fold.
    max_time : float, str or None
        Wall-time budget of each TabGAN fit (seconds, or ``"90s"``, ``"2m"``).
    batch_size : int or "auto"
        TabGAN batch size; ``"auto"`` gives about four steps per epoch (a multiple of ``pac``,
        at most 500).
    pac : int
        Rows the TabGAN critic judges together. 10 here, while :class:`~tabgan.TabGAN`
        defaults to 1: its rows keep relations between columns better with 1, but for
        augmentation, with the label filter, the two tied (held-out seeds 9-12,
        benchmarks/README.md, "One row per critic input"), and the resampler's evidence was
        measured with 10.
    generator_dims, discriminator_dims : sequence of int or "auto"
        Hidden layer widths of the TabGAN networks (``"auto"``: TabGAN's, narrow on tables
        under 2,000 rows).
    discrete_columns : sequence of str, optional
        Feature columns to treat as categorical (by name; ``"x0"``, ``"x1"``... for arrays).
    ema_decay : float or None
        TabGAN's generator weight averaging; ``None`` keeps TabGAN's default.
    refine : bool
        TabGAN's post-training rejection of unlikely rows (:mod:`tabgan.refine`).
    seed : int or None
        Makes fitting and sampling reproducible on the CPU.
    device : {"auto", "cpu", "cuda"}
        Where to train.
    verbose : bool
        Show TabGAN's progress bar.

    Attributes
    ----------
    model_ : TabGAN or None
        The fitted generator (features + target as column ``target_name_``); under
        ``n_extra="auto"`` fitted on the three quarters of the rows not held out. None when
        there is nothing to generate (no class to oversample and ``n_extra=0``, e.g. balanced
        classes at the default strategy): then no GAN is trained and the rows come back as
        they are.
    sampling_strategy_ : dict
        Class -> synthetic rows generated for it (``n_extra`` rows not included).
    n_extra_ : int
        Joint rows added (``n_extra``, or the amount ``"auto"`` chose).
    chosen_ : str or None
        Under ``n_extra="auto"``: the winning candidate (``"none"``, ``"balance"``,
        ``"joint-0.5"`` or ``"joint-1"``); otherwise None.
    selection_ : dict or None
        Under ``n_extra="auto"``: each candidate's held-out macro-F1 (``f1``), its gain over no
        rows (``gain``) and the gain's standard error (``se``).
    label_model_ : LabelModel or None
        The label check, fitted on all the real rows (None without ``label_filter``).
    donor_columns_ : list of str
        The features whose synthetic values come from real rows (empty without ``donors``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` is a DataFrame with string column names.

    Examples
    --------
    >>> from imblearn.pipeline import make_pipeline  # doctest: +SKIP
    >>> pipe = make_pipeline(TabGANResampler(max_time="30s"), HistGradientBoostingClassifier())
    >>> cross_val_score(pipe, X, y, scoring="f1_macro")  # doctest: +SKIP
    """

    # imbalanced-learn's is_sampler() reads this; sklearn ignores it
    _estimator_type = "sampler"

    def __init__(
        self,
        sampling_strategy: str | float | dict | Callable | None = "auto",
        n_extra: int | str = 0,
        *,
        epochs: int | str = "auto",
        max_time: float | str | None = None,
        batch_size: int | str = "auto",
        pac: int = 10,
        generator_dims: Sequence[int] | str = "auto",
        discriminator_dims: Sequence[int] | str = "auto",
        discrete_columns: Sequence[str] | None = None,
        ema_decay: float | None = None,
        refine: bool = True,
        label_filter: bool | float = True,
        donors: bool = True,
        seed: int | None = None,
        device: str = "auto",
        verbose: bool = False,
    ) -> None:
        self.sampling_strategy = sampling_strategy
        self.n_extra = n_extra
        self.epochs = epochs
        self.max_time = max_time
        self.batch_size = batch_size
        self.pac = pac
        self.generator_dims = generator_dims
        self.discriminator_dims = discriminator_dims
        self.discrete_columns = discrete_columns
        self.ema_decay = ema_decay
        self.refine = refine
        self.label_filter = label_filter
        self.donors = donors
        self.seed = seed
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ input handling
    def _frame(self, X: Any) -> tuple[pd.DataFrame, list]:
        if isinstance(X, pd.DataFrame):
            labels = list(X.columns)
            names = [str(c) for c in labels]
            if len(set(names)) != len(names):
                raise InvalidDataError("X has duplicate column names")
            frame = X.set_axis(names, axis=1).reset_index(drop=True)
        else:
            # standard messages for sparse, complex, empty and too-small inputs
            arr = check_array(
                X,
                dtype=None,
                accept_sparse=False,
                ensure_all_finite=False,
                ensure_min_samples=MIN_ROWS,
            )
            labels = list(range(arr.shape[1]))
            frame = pd.DataFrame(arr, columns=[f"x{i}" for i in labels]).infer_objects()
        if frame.shape[1] == 0:
            raise InvalidDataError(
                f"0 feature(s) (shape={frame.shape}) while a minimum of 1 is required"
            )
        if len(frame) < MIN_ROWS:
            raise InvalidDataError(
                f"Found {len(frame)} sample(s) (shape={frame.shape}) while a minimum of "
                f"{MIN_ROWS} is required"
            )
        return frame, labels

    @staticmethod
    def _labels(y: Any, n: int) -> np.ndarray:
        if y is None:
            raise InvalidDataError(
                "TabGANResampler requires y to be passed, but the target y is None"
            )
        values = y.to_numpy() if isinstance(y, pd.Series) else np.asarray(y)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values.ravel()
        if values.ndim != 1:
            raise InvalidDataError(f"y must be 1-D class labels, got shape {values.shape}")
        if len(values) != n:
            raise InvalidDataError(f"X has {n} rows but y has {len(values)}")
        if pd.isna(pd.Series(values)).any():
            raise InvalidDataError("y has missing labels")
        kind = type_of_target(values)
        if kind not in ("binary", "multiclass"):
            raise InvalidDataError(
                f"Unknown label type: y must hold class labels (binary or multiclass), "
                f"got a {kind} target"
            )
        return values

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any) -> TabGANResampler:
        """Learn ``X`` and ``y`` together; :meth:`fit_resample` is the usual entry point.

        Returns
        -------
        TabGANResampler
            ``self``, fitted.
        """
        from tabgan.model import TabGAN

        frame, labels = self._frame(X)
        values = self._labels(y, len(frame))
        n_extra = self.n_extra
        auto = isinstance(n_extra, str)
        if auto and n_extra != "auto":
            raise InvalidParameterError(
                f"n_extra must be a non-negative integer or 'auto', got {n_extra!r}"
            )
        if not auto and (
            isinstance(n_extra, bool) or not isinstance(n_extra, (int, np.integer)) or n_extra < 0
        ):
            raise InvalidParameterError(
                f"n_extra must be a non-negative integer or 'auto', got {n_extra!r}"
            )
        plan = oversampling_plan(self.sampling_strategy, values)
        quantile = self._filter_quantile()
        target = TARGET
        while target in frame.columns:
            target = f"_{target}_"
        table = frame.copy()
        table[target] = values
        discrete = [target, *[str(c) for c in (self.discrete_columns or [])]]
        fit_ss, self._sample_ss, judge_ss, select_ss = seed_sequence(self.seed).spawn(4)
        kept = held = None
        if auto:
            kept, held = holdout_split(values, HOLDOUT, int_seed(select_ss))
            if len(np.unique(values[held])) < 2:
                raise InvalidDataError(
                    "n_extra='auto' holds out a quarter of each class to judge the amounts and "
                    "needs at least 4 rows in each of two classes; pass a number instead"
                )
        # nothing to generate (no class to oversample, no extra rows): no GAN to train
        model = None
        if auto or int(n_extra) or any(plan.values()):
            extra = {} if self.ema_decay is None else {"ema_decay": self.ema_decay}
            model = TabGAN(
                **extra,
                epochs=self.epochs,
                max_time=self.max_time,
                batch_size=self.batch_size,  # TabGAN resolves "auto" and validates
                pac=self.pac,
                generator_dims=self.generator_dims,
                discriminator_dims=self.discriminator_dims,
                refine=self.refine,
                seed=int_seed(fit_ss),
                device=self.device,
                verbose=self.verbose,
            )
            model.fit(table if kept is None else table.iloc[kept], discrete_columns=discrete)
        self.model_ = model
        self.target_name_ = target
        self._synth_columns = list(table.columns)
        self.donor_columns_, self._donor_match, self._donor_rows = [], [], None
        if self.donors and model is not None:
            kinds = {spec.name: spec.kind.value for spec in model.encoder_.schema_}
            learned = table if kept is None else table.iloc[kept]
            self.donor_columns_ = sparse_columns(learned, kinds, target)
            self._donor_match = [
                c
                for c, k in kinds.items()
                if k in ("categorical", "boolean") and c != target and c not in self.donor_columns_
            ]
            if self.donor_columns_:  # the columns a donor needs, not the whole table
                self._donor_rows = table[[target, *self.donor_columns_, *self._donor_match]]
        self.label_model_ = (
            LabelModel(quantile, seed=int_seed(judge_ss)).fit(frame, values)
            if quantile is not None and model is not None
            else None
        )
        self.chosen_ = self.selection_ = None
        self.sampling_strategy_, self.n_extra_ = plan, 0 if auto else int(n_extra)
        if auto:
            self._choose(table, values, kept, held, plan, select_ss, quantile)
        self._warn_thin(values)
        self.n_features_in_ = frame.shape[1]
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in labels):
            self.feature_names_in_ = np.asarray(labels, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self._labels_in = labels
        return self

    def _choose(
        self,
        table: pd.DataFrame,
        values: np.ndarray,
        kept: np.ndarray,
        held: np.ndarray,
        plan: dict[Any, int],
        ss: np.random.SeedSequence,
        quantile: float | None,
    ) -> None:
        """``n_extra="auto"``: score the candidates on the held-out rows, keep the winner's
        amounts (scaled to the whole table)."""
        target, seed = self.target_name_, int_seed(ss)
        part = table.iloc[kept].reset_index(drop=True)
        judge = (
            LabelModel(quantile, seed=seed).fit(part.drop(columns=[target]), values[kept])
            if quantile is not None
            else None
        )
        draws = ss.spawn(3)
        candidates = {}
        part_plan = oversampling_plan(self.sampling_strategy, values[kept])
        donors = None if self._donor_rows is None else self._donor_rows.iloc[kept]
        if any(part_plan.values()):
            candidates["balance"] = self._synthetic(part_plan, 0, draws[0], judge, donors)
        for share, draw_ss in zip(JOINT_SHARES, draws[1:], strict=True):
            rows = round(share * len(part))
            candidates[f"joint-{share:g}"] = self._synthetic({}, rows, draw_ss, judge, donors)
        choice = choose(part, table.iloc[held], target, candidates, seed)
        self.chosen_, self.selection_ = choice.chosen, choice.scores
        self.sampling_strategy_ = plan if choice.chosen == "balance" else {}
        shares = {f"joint-{s:g}": s for s in JOINT_SHARES}
        self.n_extra_ = round(shares.get(choice.chosen, 0.0) * len(table))

    def _warn_thin(self, values: np.ndarray) -> None:
        """Warn about each class whose synthetic rows rest on a handful of real ones (the
        conditional draws' own warning names the internal target column and is silenced)."""
        from tabgan.sampling.conditions import is_thin

        classes, counts = np.unique(values, return_counts=True)
        have = dict(zip(classes.tolist(), counts.tolist(), strict=True))
        for cls, k in self.sampling_strategy_.items():
            if is_thin(have.get(cls, 0), k):
                warnings.warn(
                    f"class {cls!r} has only {have.get(cls, 0)} rows; its {k} synthetic rows "
                    "rest on what the model learned from them and may repeat or blur them",
                    ThinConditionWarning,
                    stacklevel=4,
                )

    def _filter_quantile(self) -> float | None:
        """The label filter's quantile from ``label_filter`` (None: no filter)."""
        value = self.label_filter
        if isinstance(value, (bool, np.bool_)):
            return LABEL_QUANTILE if value else None
        if isinstance(value, (int, float, np.integer, np.floating)) and 0 < value < 1:
            return float(value)
        raise InvalidParameterError(
            f"label_filter must be True, False or a quantile between 0 and 1, got {value!r}"
        )

    def _synthetic(
        self,
        plan: Mapping[Any, int],
        n_joint: int,
        ss: np.random.SeedSequence,
        judge: LabelModel | None,
        donors: pd.DataFrame | None,
    ) -> pd.DataFrame:
        """The rows ``plan`` asks for, class by class, then ``n_joint`` joint rows (target
        column included); with ``donors`` (real rows), the sparse columns' values from them;
        with ``judge``, only rows whose label it finds plausible."""
        from tabgan.sampling import sample_conditional

        model, target = self.model_, self.target_name_
        parts = []
        seeds = ss.spawn(len(plan) + 1)

        def donated(rows: pd.DataFrame, s: np.random.SeedSequence) -> pd.DataFrame:
            if donors is None:
                return rows
            rng = np.random.default_rng(s.generate_state(2))
            return donor_values(donors, rows, target, self.donor_columns_, self._donor_match, rng)

        def drawn(draw: Callable[[int, np.random.SeedSequence], pd.DataFrame], k: int, s):
            if judge is None:
                return donated(draw(k, s), s)
            rounds = s.spawn(ROUNDS)
            rows, _ = keep_plausible(
                lambda n, r: donated(draw(n, rounds[r]), rounds[r]), k, target, judge, ROUNDS
            )
            return rows

        with warnings.catch_warnings():
            # its wording names the internal target column; _warn_thin warns per class
            warnings.simplefilter("ignore", ThinConditionWarning)
            for (cls, k), s in zip(plan.items(), seeds, strict=False):
                if k > 0:
                    one = {target: ("==", cls)}
                    parts.append(
                        drawn(lambda n, r, c=one: sample_conditional(model, n, c, seed=r), k, s)
                    )
            if n_joint:
                parts.append(
                    drawn(lambda n, r: model.sample(n, seed=int_seed(r)), n_joint, seeds[-1])
                )
        if not parts:
            return pd.DataFrame(columns=self._synth_columns)
        return pd.concat(parts, ignore_index=True)

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Fit on ``(X, y)`` and return the original rows followed by synthetic ones.

        Parameters
        ----------
        X : pandas.DataFrame or 2-D array of shape (n_samples, n_features)
            Features; mixed column types and missing values are fine.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        X_resampled, y_resampled
            The same types as the inputs (a DataFrame keeps its columns and dtypes, a Series
            its name and dtype; arrays stay arrays), original rows first.
        """
        self.fit(X, y)
        return self._resample(X, y)

    def _resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        check_is_fitted(self, "model_")
        synth = self._synthetic(
            self.sampling_strategy_,
            self.n_extra_,
            self._sample_ss.spawn(1)[0],
            self.label_model_,
            self._donor_rows,
        )
        return self._join(X, y, synth)

    def _join(self, X: Any, y: Any, synth: pd.DataFrame) -> tuple[Any, Any]:
        labels = self._labels_in
        target = self.target_name_
        new_y = synth[target].to_numpy()
        new_x = synth.drop(columns=[target])
        if isinstance(X, pd.DataFrame):
            new_x = new_x.set_axis(labels, axis=1)
            # no rows to add (balanced classes, or n_extra="auto" chose none): pandas warns
            # about concatenating an empty frame, and there is nothing to concatenate
            parts = [X.reset_index(drop=True), new_x] if len(new_x) else [X.reset_index(drop=True)]
            out_x = pd.concat(parts, ignore_index=True)
            for label, dtype in zip(labels, X.dtypes, strict=True):
                if out_x[label].dtype != dtype:
                    try:
                        out_x[label] = out_x[label].astype(dtype)
                    except (TypeError, ValueError):
                        pass  # e.g. ints with synthetic missing values stay float
        else:
            arr = np.asarray(X)
            out_x = np.concatenate([arr, new_x.to_numpy(dtype=arr.dtype)], axis=0)
        if isinstance(y, pd.Series):
            y_parts = [y.reset_index(drop=True)]
            if len(new_y):
                y_parts.append(pd.Series(new_y, name=y.name))
            combined = pd.concat(y_parts, ignore_index=True)
            try:
                combined = combined.astype(y.dtype)
            except (TypeError, ValueError):
                pass
            out_y: Any = combined.rename(y.name)
        else:
            old = np.asarray(y)
            if old.ndim == 2:
                old = old.ravel()
            out_y = np.concatenate([old, np.asarray(new_y, dtype=old.dtype)])
        return out_x, out_y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        tags.non_deterministic = self.seed is None
        return tags


__all__ = ["TabGANResampler", "oversampling_plan"]
