"""tabgan.evaluate end to end: the JSON contract, both tasks, errors, and the honesty cases."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tabgan.errors import InvalidDataError, InvalidParameterError
from tabgan.evaluate import EvaluationResult, evaluate
from tests.evaluate.tables import make_signal_table, shuffle_columns


@pytest.fixture(scope="module")
def real():
    return make_signal_table(500, seed=0)


@pytest.fixture(scope="module")
def test_rows():
    return make_signal_table(300, seed=1)


@pytest.fixture(scope="module")
def fresh_result(real, test_rows):
    # New rows from the same process: what an ideal synthesizer would produce.
    return evaluate(real, make_signal_table(500, seed=2), target="label", test=test_rows)


@pytest.fixture(scope="module")
def copy_result(real, test_rows):
    return evaluate(real, real.sample(frac=1.0, random_state=3), target="label", test=test_rows)


@pytest.fixture(scope="module")
def shuffled_result(real, test_rows):
    return evaluate(real, shuffle_columns(real, seed=4), target="label", test=test_rows)


def test_json_contract(fresh_result):
    d = fresh_result.to_dict()
    text = json.dumps(d, allow_nan=False)  # strict JSON: no NaN sneaks through
    assert json.loads(text) == d
    assert set(d) >= {"utility", "fidelity", "detection", "privacy", "summary", "setup"}
    assert len(d["utility"]) >= 3
    for scores in d["utility"].values():
        assert isinstance(scores["tstr"], float) and isinstance(scores["trtr"], float)
        assert scores["metric"] == "roc_auc"
        assert set(scores["scores"]) == {"roc_auc", "f1_macro", "brier_skill"}
    f = d["fidelity"]
    for key in ("ks_mean", "tvd_mean", "association_diff", "missing_diff_mean"):
        assert 0.0 <= f[key] <= 1.0
    assert set(f["columns"]) == set(make_signal_table(5).columns)
    assert f["columns"]["x"]["statistic"] == "ks" and f["columns"]["city"]["statistic"] == "tvd"
    k = len(f["association"]["columns"])
    assert np.asarray(f["association"]["real"]).shape == (k, k)
    assert 0.0 <= d["detection"]["auc"] <= 1.0
    p = d["privacy"]
    assert {"exact_match_rate", "dcr_synthetic", "dcr_holdout", "flag"} <= set(p)
    assert {"median", "p05"} <= set(p["dcr_synthetic"])
    assert d["setup"]["holdout"] == "given test table"
    assert d["setup"]["holdout_warning"] is None


def test_good_synthetic_scores_well(fresh_result):
    s = fresh_result.summary_scores
    assert s["utility_ratio_mean"] > 0.85
    assert fresh_result.detection["auc"] < 0.7
    assert not fresh_result.privacy["flag"]
    assert fresh_result.privacy["exact_match_rate"] == 0.0


def test_copied_training_rows_flag_privacy(copy_result):
    p = copy_result.privacy
    assert p["exact_match_rate"] > 0.99
    assert p["flag"] is True
    assert any("copy a training row" in r for r in p["reasons"])
    assert p["dcr_synthetic"]["median"] == 0.0
    assert "FLAGGED" in copy_result.summary()


def test_copies_flagged_when_holdout_is_split_from_real(real):
    # Copies of rows that landed in the split-off holdout still count: the synthesizer saw them.
    result = evaluate(real, real.sample(frac=1.0, random_state=5), target="label")
    assert result.privacy["exact_match_rate"] > 0.99
    assert result.privacy["flag"]


def test_column_shuffled_rows_fail_detection_and_utility(shuffled_result):
    assert shuffled_result.detection["auc"] > 0.8
    s = shuffled_result.summary_scores
    # AUC only reads rankings: a model fit to unrelated rows can rank real rows well by luck
    # (this seed gives logistic regression such luck), so the AUC bounds are loose and the
    # probability-based Brier skill carries the per-model check.
    assert s["utility_ratio_mean"] < 0.8
    assert s["utility_brier_skill_ratio_mean"] < 0.3
    for name, scores in shuffled_result.utility.items():
        assert scores["tstr"] < scores["trtr"], name
        skill = scores["scores"]["brier_skill"]
        assert skill["tstr"] < skill["trtr"] - 0.4, name
    # Marginals survive a shuffle; pairs do not.
    f = shuffled_result.fidelity
    assert f["ks_mean"] < 0.05
    assert f["association_diff"] > 3 * f["baseline"]["association_diff"]
    assert not shuffled_result.privacy["flag"]


def test_regression_target(real, test_rows):
    good = evaluate(real, make_signal_table(500, seed=2), target="amount", test=test_rows)
    bad = evaluate(real, shuffle_columns(real, seed=6), target="amount", test=test_rows)
    assert good.setup["task"] == "regression"
    for name in good.utility:
        assert good.utility[name]["metric"] == "r2"
        assert good.utility[name]["trtr"] > 0.8
        assert good.utility[name]["tstr"] > 0.8
        assert bad.utility[name]["tstr"] < 0.3
    assert good.summary_scores["utility_ratio_mean"] > 0.9


def test_split_holdout_is_stated(real):
    result = evaluate(real, make_signal_table(300, seed=7), target="label", seed=1)
    setup = result.setup
    assert setup["holdout"].startswith("split from real (20%")
    assert "stratified" in setup["holdout"]
    assert "may have seen" in " ".join(setup["holdout_warning"].split())
    assert setup["rows"]["holdout"] == 100 and setup["rows"]["train"] == 400
    assert "may have seen" in result.to_html()


def test_without_target_skips_utility(real):
    result = evaluate(real, make_signal_table(300, seed=7))
    assert result.utility == {}
    assert result.summary_scores["utility_ratio_mean"] is None
    assert any("utility skipped" in n for n in result.setup["notes"])
    assert result.detection["auc"] is not None
    assert "Skipped" in result.to_html()


def test_a_table_too_small_for_an_attack_is_still_scored():
    # 60 rows: a 12-row split holdout is too few for the classifier attack (it needs 20),
    # enough for the distance attack; the evaluation runs and says what it skipped
    small = make_signal_table(60, seed=3)
    result = evaluate(small, make_signal_table(80, seed=4), seed=0)  # no target: faster
    assert result.privacy["membership"]["attack"] == "distance"
    assert "classifier" not in result.privacy["membership"]
    assert any("classifier attack skipped" in n for n in result.setup["notes"])
    tiny = evaluate(small.iloc[:40], make_signal_table(80, seed=4), seed=0)  # 8 holdout rows
    assert "membership" not in tiny.privacy
    assert any("distance and classifier attacks skipped" in n for n in tiny.setup["notes"])


def test_multiclass_with_class_missing_from_synthetic(real, test_rows):
    syn = make_signal_table(400, seed=8)
    syn = syn[syn["grade"] != "high"]
    result = evaluate(real, syn, target="grade", test=test_rows)
    for scores in result.utility.values():
        assert np.isfinite(scores["tstr"]) and np.isfinite(scores["trtr"])


def test_single_class_synthetic_target_scores_chance(real, test_rows):
    syn = make_signal_table(300, seed=9)
    syn["label"] = "yes"
    result = evaluate(real, syn, target="label", test=test_rows)
    for scores in result.utility.values():
        assert scores["tstr"] == pytest.approx(0.5)
    assert any("single class" in n for n in result.setup["notes"])


def test_mismatched_columns_name_the_culprits(real):
    syn = make_signal_table(50, seed=1).drop(columns=["city"]).assign(extra=1)
    with pytest.raises(InvalidDataError, match=r"missing \['city'\].*extra \['extra'\]"):
        evaluate(real, syn)


def test_column_order_may_differ(real, test_rows):
    syn = make_signal_table(300, seed=2)
    result = evaluate(real, syn[syn.columns[::-1]], test=test_rows)
    assert list(result.fidelity["columns"]) == list(real.columns)


def test_unknown_target_and_bad_task(real):
    with pytest.raises(InvalidDataError, match="target column 'nope'"):
        evaluate(real, real, target="nope")
    with pytest.raises(InvalidDataError, match="not numeric"):
        evaluate(real, real, target="label", task="regression")
    with pytest.raises(InvalidParameterError, match="task="):
        evaluate(real, real, target="label", task="ranking")


def test_dtype_differences_do_not_hide_copies(real, test_rows):
    # Another tool may write ints as floats and numbers as text; copies are still copies.
    syn = real.copy()
    syn["count"] = syn["count"].astype(float)
    syn["w"] = syn["w"].astype(str).replace("nan", "")
    result = evaluate(real, syn, test=test_rows)
    assert result.privacy["exact_match_rate"] > 0.99


def test_seeded_runs_repeat(real, test_rows):
    syn = make_signal_table(300, seed=10)
    a = evaluate(real, syn, target="label", seed=3).to_dict()
    b = evaluate(real, syn, target="label", seed=3).to_dict()
    for d in (a, b):
        d["setup"].pop("seconds")
    assert a == b


def test_result_type_and_summary(fresh_result):
    assert isinstance(fresh_result, EvaluationResult)
    text = fresh_result.summary()
    for word in ("Utility", "Fidelity", "Detection", "Privacy"):
        assert word in text


def test_html_is_one_self_contained_file(fresh_result):
    page = fresh_result.to_html()
    assert page.startswith("<!DOCTYPE html>")
    # marginals (9 columns: one grid), 4 worst pairs, matrices, tells, DCR, utility
    assert page.count("data:image/png;base64,") == 9
    for alt in ("marginals", "association matrices", "DCR histograms", "utility bars"):
        assert f'alt="{alt}"' in page
    assert 'src="http' not in page and "<script" not in page and "<link" not in page


def test_accepts_paths(tmp_path, real):
    real.to_csv(tmp_path / "real.csv", index=False)
    make_signal_table(200, seed=11).to_parquet(tmp_path / "syn.parquet")
    result = evaluate(tmp_path / "real.csv", str(tmp_path / "syn.parquet"), target="label")
    assert result.setup["rows"]["synthetic"] == 200


def test_evaluate_never_imports_the_synthesizer():
    code = (
        "import sys, tabgan.evaluate, tabgan.evaluate.report, tabgan.evaluate.plots; "
        "bad = [m for m in ('torch', 'tabgan.gan', 'tabgan.model', 'tabgan.sampling') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("target", ["group", "flag", "income", "day"])
def test_mixed_table_targets(target):
    # Text, boolean, numeric and ISO-date targets, with missing values in other columns.
    from tests.conftest import make_mixed_table

    result = evaluate(make_mixed_table(300, seed=0), make_mixed_table(200, seed=5), target=target)
    expected = "classification" if target in ("group", "flag") else "regression"
    assert result.setup["task"] == expected
    assert len(result.utility) == 3
    json.dumps(result.to_dict(), allow_nan=False)


def test_unpredictable_target_reports_no_ratio(real, test_rows):
    # "count" is pure noise: a TSTR/TRTR ratio would be a quotient of noise.
    result = evaluate(real, make_signal_table(300, seed=2), target="count", test=test_rows)
    assert all(m["ratio"] is None for m in result.utility.values())
    assert any("barely beat chance" in n for n in result.setup["notes"])
