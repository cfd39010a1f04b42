"""Fuzzing the model file: ~300 seeded mutations of a real file (bit flips, truncations,
inserted and deleted bytes, and JSON header edits with a recomputed checksum so the loader's
deeper validation is reached). Loading may succeed or raise ModelFileError, nothing else; it
stays fast and never allocates memory a file does not justify."""

from __future__ import annotations

import copy
import faulthandler
import hashlib
import json
import random
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tabgan import TabGAN
from tabgan.errors import ModelFileError, TabGANError

MUTATIONS = 300
SEED = 20_240_601
# values a JSON edit may put anywhere; no huge numbers here (see the memory test below)
VALUES: list[Any] = [
    None,
    -1,
    0,
    1,
    7,
    2.5,
    "",
    "x",
    "float32",
    True,
    [],
    {},
    [3, 2],
    [[1]],
    {"a": 1},
]
# values allowed where they only ever describe bytes already in the file
HUGE: list[Any] = [2**40, 2**63, -(2**40), [2**31, 2**31], [2**20, 2**20, 2**20]]


def split(raw: bytes) -> tuple[dict, bytes]:
    (length,) = struct.unpack("<Q", raw[8:16])
    return json.loads(raw[16 : 16 + length]), raw[16 + length : -32]


def build(raw: bytes, header: dict, blob: bytes) -> bytes:
    """A file with this header and tensor bytes and a valid checksum."""
    text = json.dumps(header).encode()
    body = raw[:8] + struct.pack("<Q", len(text)) + text + blob
    return body + hashlib.sha256(body).digest()


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indices) into a JSON tree."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _edit_header(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    header, blob = split(raw)
    header = copy.deepcopy(header)
    path = rng.choice([p for p in _paths(header) if p])
    parent = header
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    in_tensors = path[0] == "tensors"
    action = rng.choice(["replace", "replace", "delete", "duplicate"])
    if action == "delete":
        del parent[last]
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    else:
        pool = VALUES + HUGE if in_tensors else VALUES
        parent[last] = copy.deepcopy(rng.choice(pool))
    return f"header {action} at {path!r}", build(raw, header, blob)


def mutate(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    """One random mutation and a description that reproduces it."""
    (length,) = struct.unpack("<Q", raw[8:16])
    regions = {
        "magic": (0, 8),
        "length": (8, 16),
        "json": (16, 16 + length),
        "tensors": (16 + length, len(raw) - 32),
        "checksum": (len(raw) - 32, len(raw)),
    }
    kind = rng.choice(["flip", "truncate", "insert", "delete", "header", "header", "header"])
    if kind == "header":
        return _edit_header(rng, raw)
    if kind == "truncate":
        at = rng.randrange(len(raw))
        return f"truncate at {at}", raw[:at]
    name = rng.choice(list(regions))
    lo, hi = regions[name]
    at = rng.randrange(lo, hi)
    if kind == "flip":
        bit = 1 << rng.randrange(8)
        return f"flip bit {bit} at {at} ({name})", raw[:at] + bytes([raw[at] ^ bit]) + raw[at + 1 :]
    if kind == "insert":
        extra = rng.randbytes(rng.randint(1, 16))
        return f"insert {extra!r} at {at} ({name})", raw[:at] + extra + raw[at:]
    count = rng.randint(1, 16)
    return f"delete {count} bytes at {at} ({name})", raw[:at] + raw[at + count :]


def _load(path: Path) -> BaseException | TabGAN:
    try:
        return TabGAN.load(path, device="cpu")
    except BaseException as exc:  # the point is to see every type that comes out
        return exc


def test_fuzzed_model_files_only_raise_model_file_error(tmp_path, model_file):
    raw = model_file.read_bytes()
    rng = random.Random(SEED)
    target = tmp_path / "fuzz.tabgan"
    crashes: list[str] = []
    loaded = refused = 0
    slowest = 0.0
    faulthandler.dump_traceback_later(120, exit=True)  # a hang fails loudly, not forever
    try:
        for i in range(MUTATIONS):
            what, data = mutate(rng, raw)
            target.write_bytes(data)
            started = time.perf_counter()
            outcome = _load(target)
            slowest = max(slowest, time.perf_counter() - started)
            if isinstance(outcome, TabGAN):
                loaded += 1
            elif isinstance(outcome, ModelFileError):
                refused += 1
                assert "\n" not in str(outcome), what
            else:
                crashes.append(f"#{i} {what}: {type(outcome).__name__}: {outcome}")
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert not crashes, "\n".join(crashes)
    assert refused > MUTATIONS // 2  # most mutations must be noticed
    assert slowest < 2.0, f"one load took {slowest:.2f} s"


def test_fuzzed_model_files_that_load_can_also_sample(tmp_path, model_file):
    raw = model_file.read_bytes()
    rng = random.Random(SEED)
    target = tmp_path / "fuzz.tabgan"
    crashes: list[str] = []
    for i in range(MUTATIONS):
        what, data = mutate(rng, raw)
        target.write_bytes(data)
        outcome = _load(target)
        if not isinstance(outcome, TabGAN):
            continue
        try:
            outcome.sample(3, seed=0)
        except ModelFileError:
            pass
        except Exception as exc:  # any other type, TabGANError included, is a bug
            crashes.append(f"#{i} {what}: {type(exc).__name__}: {exc}")
    assert not crashes, "\n".join(crashes)


# ------------------------------------------------------------------------- tampered headers
def _edited(model_file: Path, tmp_path: Path, edit: Callable[[dict], None]) -> Path:
    raw = model_file.read_bytes()
    header, blob = split(raw)
    edit(header)
    path = tmp_path / "edited.tabgan"
    path.write_bytes(build(raw, header, blob))
    return path


def _set_tensor(field: str, value: Any) -> Callable[[dict], None]:
    return lambda h: h["tensors"][0].__setitem__(field, value)


@pytest.mark.parametrize(
    "edit",
    [
        _set_tensor("offset", float("inf")),
        _set_tensor("nbytes", float("-inf")),
        lambda h: h["meta"]["training"].__setitem__("n_rows", float("inf")),
    ],
    ids=["tensor offset", "tensor nbytes", "n_rows"],
)
def test_non_finite_numbers_in_header_are_refused(tmp_path, model_file, edit):
    with pytest.raises(ModelFileError):
        TabGAN.load(_edited(model_file, tmp_path, edit))


def _codec(h: dict, kind: str) -> dict:
    return next(c for c in h["meta"]["encoder"]["codecs"] if c and c.get("type") == kind)


@pytest.mark.parametrize(
    "edit",
    [
        lambda h: _codec(h, "categorical").update(counts=[float("inf")] * 3),
        lambda h: _codec(h, "categorical").update(counts=[1]),
        lambda h: _codec(h, "numeric").update(halfwidths=[]),
        lambda h: _codec(h, "numeric").update(means=[1e400]),
        lambda h: _codec(h, "numeric").update(states=["bogus", "x"]),
    ],
    ids=["infinite count", "counts too short", "no halfwidths", "infinite mean", "bad states"],
)
def test_inconsistent_codec_state_is_refused_at_load(tmp_path, model_file, edit):
    # non-finite numbers are refused while parsing the header ("corrupt model file (bad
    # header)"), the rest when the encoder is rebuilt ("corrupt or incompatible")
    with pytest.raises(ModelFileError, match="corrupt"):
        TabGAN.load(_edited(model_file, tmp_path, edit), device="cpu")


def _break_numeric_codec(h: dict) -> None:
    codecs = h["meta"]["encoder"]["codecs"]
    numeric = next(c for c in codecs if c and c.get("type") == "numeric")
    numeric["states"] = ["finite", "nan", "+inf"]  # 2 more encoded columns than trained


def test_model_whose_encoder_does_not_match_its_generator_is_refused_at_load(tmp_path, model_file):
    path = _edited(model_file, tmp_path, _break_numeric_codec)
    try:
        model = TabGAN.load(path, device="cpu")
    except ModelFileError:
        return
    try:
        model.sample(5)
    except TabGANError as exc:
        pytest.fail(f"loaded, then sampling failed: {exc}")
    # any other exception type fails the test by itself


_HUGE_GENERATOR = textwrap.dedent(
    """
    import resource, sys
    from tabgan import TabGAN
    from tabgan.errors import ModelFileError
    status = open("/proc/self/status").read().split("VmSize:")[1].split()[0]
    limit = int(status) * 1024 + (768 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        TabGAN.load(sys.argv[1], device="cpu")
    except ModelFileError as exc:
        print("REFUSED", exc)
    except MemoryError as exc:
        print("CRASH MemoryError", exc)
    else:
        print("LOADED")
    """
)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_huge_generator_sizes_are_refused_before_allocating(tmp_path, model_file):
    # under a memory limit (768 MiB more than the interpreter holds): a loader that
    # allocates first fails with the allocator's message; one that checks first refuses
    path = _edited(
        model_file,
        tmp_path,
        lambda h: h["meta"]["generator"].update(hidden=[20_000, 20_000], output_dim=20_000),
    )
    assert path.stat().st_size < 100_000
    run = subprocess.run(
        [sys.executable, "-c", _HUGE_GENERATOR, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.stdout.startswith("REFUSED"), run.stdout + run.stderr
    assert "allocate" not in run.stdout, run.stdout
