"""Every bad input the CLI can meet gives exit 1 (2 for a misused option), one clean
``Error:`` line on stderr naming the problem, no traceback, and leaves no file behind."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import torch

from tabgan.persist import MAGIC, save_model
from tests.reliability.conftest import (
    TINY_CLI,
    assert_clean_error,
    folder_listing,
    invoke,
    small_table,
)

ROWS = "".join(f"{i},{i * 2},x{i}\n" for i in range(30))


def _write(name: str, content: str | bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return make


def _parquet_with_duplicate_names(folder: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "dupes.parquet"
    column = pa.array(range(30))
    pq.write_table(pa.table([column, column], names=["a", "a"]), path)
    return path


def _gzip_csv(folder: Path) -> Path:
    path = folder / "broken.csv.gz"
    path.write_bytes(gzip.compress(("a,b,c\n" + ROWS).encode())[:30])
    return path


BAD_DATA = {
    "missing file": (lambda d: d / "nope.csv", r"nope\.csv: no such file"),
    "empty file": (_write("empty.csv", ""), r"the file is empty"),
    "blank lines only": (_write("blank.csv", "\n \n\n"), r"no header row"),
    "header only": (_write("header.csv", "a,b,c\n"), r"header but no rows"),
    "binary file": (_write("bin.csv", b"a,b\n\x00\x01\x02\xff\n" * 20), r"binary"),
    "latin-1 text": (
        _write("latin.csv", ("name,n\n" + "café,1\n" * 20).encode("latin-1")),
        r"not UTF-8 .*byte 0xe9 on line 2.*re-save .* UTF-8",
    ),
    "utf-16 text": (
        _write("utf16.csv", ("a,b,c\n" + ROWS).encode("utf-16")),
        r"UTF-16.*re-save it as UTF-8",
    ),
    "a directory": (lambda d: d, r"is a directory"),
    "ragged row": (
        _write("ragged.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9,10,11\n" + ROWS),
        r"line 4 has 5 fields, expected 3",
    ),
    "every row longer than the header": (
        _write("long.csv", "a,b\n" + ROWS),
        r"rows have more fields than the 2 names in the header",
    ),
    "unbalanced quote": (
        _write("quote.csv", 'a,b,c\n1,2,3\n4,"5,6\n' + ROWS),
        r"quoted value starting on line 3 is never closed",
    ),
    "duplicate CSV header": (_write("dupes.csv", "a,b,a\n" + ROWS), r"duplicate column.*'a'"),
    "duplicate Parquet names": (_parquet_with_duplicate_names, r"duplicate column.*'a'"),
    "too few rows": (_write("tiny.csv", "a,b,c\n1,2,x\n3,4,y\n"), r"2 rows.*at least 10 rows"),
    "unknown extension": (
        _write("table.json", "a,b,c\n" + ROWS),
        r"unknown table format.*\.csv.*\.parquet",
    ),
    "CSV named .parquet": (
        _write("table.parquet", "a,b,c\n" + ROWS),
        r"not a Parquet file.*looks like CSV.*\.csv",
    ),
    "corrupt gzip": (_gzip_csv, r"gzip"),
}


@pytest.mark.parametrize("make", BAD_DATA.values(), ids=BAD_DATA.keys())
def test_fit_refuses_bad_data_cleanly_and_writes_nothing(tmp_path, make):
    build, pattern = make
    data = build(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    result = invoke(["fit", data, "-m", out / "m.tabgan", *TINY_CLI])
    assert_clean_error(result, pattern)
    assert folder_listing(out) == set()


@pytest.mark.parametrize("make", BAD_DATA.values(), ids=BAD_DATA.keys())
def test_evaluate_refuses_bad_data_cleanly(tmp_path, make):
    build, pattern = make
    if "at least 10" in pattern:
        pytest.skip("evaluate judges any table size; the row minimum is for learning")
    bad = build(tmp_path)
    good = tmp_path / "good.csv"
    small_table().to_csv(good, index=False)
    result = invoke(["evaluate", good, bad, "-q", "--json", tmp_path / "scores.json"])
    assert_clean_error(result, pattern)
    assert not (tmp_path / "scores.json").exists()


@pytest.fixture
def data_csv(tmp_path) -> Path:
    path = tmp_path / "data.csv"
    small_table().to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "option, pattern",
    [
        (["--discrete", "kind,nope"], r"unknown column 'nope'.*columns are.*'kind'"),
        (["--batch-size", "1"], r"batch_size must be at least 2, got 1"),
        (["--device", "tpu"], r"device must be"),
    ],
)
def test_fit_refuses_bad_option_values(tmp_path, data_csv, option, pattern):
    before = folder_listing(tmp_path)
    args = ["fit", data_csv, "-m", tmp_path / "m.tabgan", *TINY_CLI, *option]
    assert_clean_error(invoke(args), pattern)
    assert folder_listing(tmp_path) == before


@pytest.mark.parametrize(
    "option, name",
    [
        (["--epochs", "0"], "--epochs"),
        (["--epochs", "-3"], "--epochs"),
        (["--epochs", "x"], "--epochs"),
        (["--epochs", "1.5"], "--epochs"),
        (["--batch-size", "0"], "--batch-size"),
        (["--batch-size", "many"], "--batch-size"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_fit_usage_errors_exit_2_and_name_the_option(tmp_path, data_csv, option, name):
    before = folder_listing(tmp_path)
    result = invoke(["fit", data_csv, "-m", tmp_path / "m.tabgan", "-q", *option])
    assert_usage_error(result, name)
    assert folder_listing(tmp_path) == before


def assert_usage_error(result, name: str) -> None:
    """Click's usage block: 'Usage: ...', a hint, and 'Error: Invalid value for <option>'."""
    assert result.exit_code == 2, (result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: Invalid value for"), result.stderr
    assert name in last
    assert not any(ch in result.stderr for ch in "╭╰│"), "no rich box"


def _unwritable_targets(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    regular = tmp_path / "somefile.txt"
    regular.write_text("not a folder")
    (tmp_path / "folder.csv").mkdir()
    return {
        "missing folder": (tmp_path / "nope" / "out.csv", r"folder .*nope does not exist"),
        "folder is a file": (regular / "out.csv", r"somefile\.txt is not a folder"),
        "target is a folder": (tmp_path / "folder.csv", r"is a directory"),
    }


@pytest.mark.parametrize("case", ["missing folder", "folder is a file", "target is a folder"])
def test_fit_refuses_unwritable_model_path_before_training(tmp_path, data_csv, case):
    target, pattern = _unwritable_targets(tmp_path)[case]
    model = target.with_suffix(".tabgan") if case != "target is a folder" else target
    before = folder_listing(tmp_path)
    result = invoke(["fit", data_csv, "-m", model, *TINY_CLI])
    assert_clean_error(result, pattern)
    assert folder_listing(tmp_path) == before


@pytest.mark.parametrize("case", ["missing folder", "folder is a file", "target is a folder"])
def test_sample_refuses_unwritable_output(tmp_path, model_file, case):
    target, pattern = _unwritable_targets(tmp_path)[case]
    before = folder_listing(tmp_path)
    result = invoke(["sample", "-n", "5", "-m", model_file, "-o", target])
    assert_clean_error(result, pattern)
    assert folder_listing(tmp_path) == before


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not Path("/proc/self").is_dir(),
    reason="needs Linux /proc, a folder nobody (not even root) can create files in",
)
@pytest.mark.parametrize("command", ["fit", "sample", "evaluate"])
def test_folder_that_refuses_writes_even_for_root(tmp_path, data_csv, model_file, command):
    args = {
        "fit": ["fit", data_csv, "-m", "/proc/m.tabgan", *TINY_CLI],
        "sample": ["sample", "-n", "5", "-m", model_file, "-o", "/proc/out.csv"],
        "evaluate": ["evaluate", data_csv, data_csv, "--json", "/proc/scores.json"],
    }[command]
    assert_clean_error(invoke(args), r"cannot write in folder /proc")


def test_sample_refuses_unknown_output_format(tmp_path, model_file):
    result = invoke(["sample", "-n", "5", "-m", model_file, "-o", tmp_path / "out.xlsx"])
    assert_clean_error(result, r"unknown table format.*\.csv.*\.parquet")
    assert folder_listing(tmp_path) == set()


@pytest.mark.parametrize(
    "option, name",
    [(["-n", "0"], "--rows"), (["-n", "-5"], "--rows"), (["-n", "x"], "--rows")],
)
def test_sample_usage_errors_exit_2(tmp_path, model_file, option, name):
    result = invoke(["sample", "-m", model_file, "-o", tmp_path / "o.csv", *option])
    assert_usage_error(result, name)
    assert folder_listing(tmp_path) == set()


def test_sample_without_row_count_is_a_usage_error(model_file):
    assert_clean_error(invoke(["sample", "-m", model_file]), r"-n/--rows", code=2)


@pytest.mark.parametrize(
    "option, pattern",
    [
        (["--condition", "nope=a"], r"unknown column 'nope'"),
        (["--condition", "kind=zzz"], r"'zzz'.*never seen"),
        (["--balance", "nope"], r"nope"),
    ],
)
def test_sample_refuses_unknown_columns_in_options(tmp_path, model_file, option, pattern):
    result = invoke(["sample", "-n", "5", "-m", model_file, "-o", tmp_path / "o.csv", *option])
    assert_clean_error(result, pattern)
    assert folder_listing(tmp_path) == set()


def test_evaluate_refuses_unknown_target_and_stdout_report(tmp_path, data_csv):
    args = ["evaluate", data_csv, data_csv, "-q", "--json", tmp_path / "s.json"]
    assert_clean_error(invoke([*args, "--target", "nope"]), r"target column 'nope'")
    assert_clean_error(invoke([*args, "--report", "-"]), r"--report needs a file name")
    assert not (tmp_path / "s.json").exists()


# ------------------------------------------------------------------------- model files
class _Payload:
    """Unpickling this would create the marker file: it must never happen."""

    marker: Path

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _resave(model_file: Path, target: Path, edit: Callable[[dict], None]) -> None:
    from tabgan.persist import load_model

    meta, tensors = load_model(model_file)
    edit(meta)
    save_model(target, meta, tensors)


def _with_header_edit(raw: bytes, edit: Callable[[dict], None]) -> bytes:
    """Rewrite the JSON header and recompute the checksum, so only deeper checks can object."""
    (length,) = struct.unpack("<Q", raw[8:16])
    header = json.loads(raw[16 : 16 + length])
    edit(header)
    text = json.dumps(header).encode()
    body = raw[:8] + struct.pack("<Q", len(text)) + text + raw[16 + length : -32]
    return body + hashlib.sha256(body).digest()


BAD_MODELS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "empty": (lambda raw: b"", r"not a tabgan model file"),
    "truncated half": (lambda raw: raw[: len(raw) // 2], r"corrupt or truncated"),
    "truncated last byte": (lambda raw: raw[:-1], r"corrupt or truncated"),
    "truncated in header": (lambda raw: raw[:20], r"truncated|corrupt"),
    "bit flip in tensors": (
        lambda raw: raw[:-100] + bytes([raw[-100] ^ 0x10]) + raw[-99:],
        r"checksum",
    ),
    "plain text": (lambda raw: b"hello, not a model\n", r"not a tabgan model file"),
    "a CSV file": (lambda raw: b"a,b\n1,2\n", r"not a tabgan model file"),
    "newer container layout": (lambda raw: MAGIC[:6] + b"\x00\x09" + raw[8:], r"newer"),
    "foreign format tag": (
        lambda raw: _with_header_edit(raw, lambda h: h["meta"].update(format="other")),
        r"not a tabgan model file",
    ),
    "newer format version": (
        lambda raw: _with_header_edit(raw, lambda h: h["meta"].update(format_version=999)),
        r"model format 999 is newer.*upgrade tabgan",
    ),
    "missing encoder": (
        lambda raw: _with_header_edit(raw, lambda h: h["meta"].pop("encoder")),
        r"corrupt or incompatible",
    ),
}


@pytest.fixture
def model_folder(tmp_path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("mutate", BAD_MODELS.values(), ids=BAD_MODELS.keys())
@pytest.mark.parametrize("command", ["sample", "info"])
def test_bad_model_files_give_one_clean_line(tmp_path, model_file, model_folder, mutate, command):
    make, pattern = mutate
    bad = model_folder / "bad.tabgan"
    bad.write_bytes(make(model_file.read_bytes()))
    out = tmp_path / "out.csv"
    args = ["sample", "-n", "5", "-m", bad, "-o", out] if command == "sample" else ["info", bad]
    assert_clean_error(invoke(args), pattern)
    assert not out.exists()
    assert folder_listing(model_folder) == {"bad.tabgan"}


def test_newer_model_written_by_save_model_is_refused(tmp_path, model_file):
    newer = tmp_path / "newer.tabgan"
    _resave(model_file, newer, lambda meta: meta.update(format_version=999))
    assert_clean_error(invoke(["info", newer]), r"format 999 is newer than this tabgan")


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_pickle_payload_is_refused_and_never_runs(tmp_path, protocol):
    marker = tmp_path / "PWNED"
    payload = _Payload()
    payload.marker = marker
    evil = tmp_path / "evil.tabgan"
    evil.write_bytes(pickle.dumps(payload, protocol=protocol))
    for args in (["sample", "-n", "5", "-m", evil], ["info", evil]):
        assert_clean_error(invoke(args), r"not a tabgan model file")
    assert not marker.exists()


def test_torch_archive_with_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "PWNED"
    payload = _Payload()
    payload.marker = marker
    evil = tmp_path / "evil.tabgan"
    torch.save({"weights": torch.zeros(3), "hook": payload}, evil)
    result = invoke(["sample", "-n", "5", "-m", evil])
    assert_clean_error(result, r"pickle/torch archive.*refuses to load")
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_missing_model_file_says_how_to_make_one(tmp_path, kind):
    path = tmp_path / "nope.tabgan"
    if kind == "directory":
        path.mkdir()
    pattern = r"no such model file.*tabgan fit" if kind == "missing" else r"is a directory"
    assert_clean_error(invoke(["sample", "-n", "5", "-m", path]), pattern)


# ------------------------------------------------------------------------- --debug
def test_debug_flag_lets_the_exception_through(tmp_path):
    result = invoke(["--debug", "sample", "-n", "5", "-m", tmp_path / "nope.tabgan"])
    assert result.exit_code == 1
    from tabgan.errors import ModelFileError

    assert isinstance(result.exception, ModelFileError)


def test_debug_flag_prints_a_traceback_in_a_real_process(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    command = [sys.executable, "-m", "tabgan_cli.main", "--debug", "fit", str(bad), "-q"]
    quiet = subprocess.run(command[:3] + command[4:], capture_output=True, text=True, cwd=tmp_path)
    loud = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert quiet.stderr.strip().startswith("Error: ")
    assert loud.returncode == 1
    assert "Traceback (most recent call last)" in loud.stderr
    assert "InvalidDataError" in loud.stderr


def test_no_temporary_files_after_successful_runs(tmp_path, data_csv):
    model = tmp_path / "m.tabgan"
    assert invoke(["fit", data_csv, "-m", model, *TINY_CLI]).exit_code == 0
    assert invoke(["sample", "-n", "7", "-m", model, "-o", tmp_path / "o.parquet"]).exit_code == 0
    assert folder_listing(tmp_path) == {"data.csv", "m.tabgan", "o.parquet"}
    assert len(pd.read_parquet(tmp_path / "o.parquet")) == 7


def test_ctrl_c_during_fit_keeps_the_previous_model_and_leaves_no_partial_file(tmp_path, data_csv):
    import signal
    import time

    model = tmp_path / "m.tabgan"
    model.write_bytes(b"the previous model")
    checkpoint = tmp_path / "m.tabgan.ckpt"
    command = [sys.executable, "-m", "tabgan_cli.main", "fit", str(data_csv), "-m", str(model)]
    command += [*TINY_CLI, "--epochs", "100000", "--checkpoint-every", "1"]
    # a suite started as a background job of a non-interactive shell inherits SIGINT ignored,
    # and so would the child (Python then installs no KeyboardInterrupt): give it the default
    proc = subprocess.Popen(
        command,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while not checkpoint.exists():  # training has started once a checkpoint is written
            assert proc.poll() is None and time.monotonic() < deadline, "fit never got going"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: interrupted; {model} was not written"), last
    assert "--resume" in last
    assert model.read_bytes() == b"the previous model"
    # only the (complete, resumable) checkpoint is added: no temporary or partial files
    assert folder_listing(tmp_path) - {"data.csv"} == {"m.tabgan", "m.tabgan.ckpt"}
