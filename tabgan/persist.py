"""The model file: JSON metadata plus raw tensor bytes. No pickle, anywhere.

Layout (little-endian)::

    b"TABGAN\\x00\\x01"        8-byte magic (the last byte is the container layout version)
    uint64                     length of the JSON header
    JSON header (UTF-8)        {"meta": {...}, "tensors": [{"name", "dtype", "shape",
                                                            "offset", "nbytes"}]}
    tensor bytes               concatenated raw buffers
    32 bytes                   SHA-256 of everything above (detects truncation and corruption)

Loading parses JSON and copies raw numbers into arrays of a whitelisted dtype; nothing in the file
is ever executed, so a model file from a stranger is safe to open.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tabgan.errors import ModelFileError
from tabgan.io import atomic_path

MAGIC = b"TABGAN\x00\x01"
_DTYPES = {
    "float32": (np.float32, torch.float32),
    "float64": (np.float64, torch.float64),
    "int64": (np.int64, torch.int64),
    "int32": (np.int32, torch.int32),
    "bool": (np.bool_, torch.bool),
    "uint8": (np.uint8, torch.uint8),
}
_TORCH_NAMES = {t: name for name, (_, t) in _DTYPES.items()}


def prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The tensors named ``prefix + key``, keyed by ``key`` (one module's state in a file
    that holds several, e.g. ``prefixed(tensors, "generator.")``)."""
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def save_model(path: str | os.PathLike, meta: dict[str, Any], tensors: dict[str, torch.Tensor]):
    """Write ``meta`` (JSON-able) and ``tensors`` to ``path`` atomically."""
    index = []
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        if tensor.dtype not in _TORCH_NAMES:
            raise TypeError(f"tensor {name!r} has unsupported dtype {tensor.dtype}")
        data = tensor.detach().to("cpu").contiguous().numpy().tobytes()
        index.append(
            {
                "name": name,
                "dtype": _TORCH_NAMES[tensor.dtype],
                "shape": list(tensor.shape),
                "offset": offset,
                "nbytes": len(data),
            }
        )
        blobs.append(data)
        offset += len(data)
    header = json.dumps({"meta": meta, "tensors": index}, allow_nan=False).encode("utf-8")
    digest = hashlib.sha256()
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        for part in (MAGIC, struct.pack("<Q", len(header)), header, *blobs):
            digest.update(part)
            fh.write(part)
        fh.write(digest.digest())
        fh.flush()
        os.fsync(fh.fileno())


def load_model(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Read a model file; every failure is a one-line :class:`ModelFileError`."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such model file; create one with `tabgan fit DATA`")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory, not a model file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return parse_model_bytes(raw, str(path))


def _refuse_constant(name: str) -> Any:
    # save_model writes allow_nan=False: NaN/Infinity in a header can only come from tampering
    raise ValueError(f"non-finite number {name} in the header")


def parse_model_bytes(raw: bytes, where: str = "model") -> tuple[dict, dict[str, torch.Tensor]]:
    """Validate and decode the bytes of a model file (see the module docstring)."""
    if raw[:6] != MAGIC[:6]:
        if raw[:2] == b"PK" or raw[:1] == b"\x80":
            raise ModelFileError(
                f"{where}: not a tabgan model file (looks like a pickle/torch archive, which "
                "tabgan refuses to load because it could run code)"
            )
        raise ModelFileError(f"{where}: not a tabgan model file")
    if raw[6:8] != MAGIC[6:8]:
        raise ModelFileError(
            f"{where}: model file layout {raw[6:8].hex()} is newer than this tabgan "
            "understands; upgrade tabgan"
        )
    if len(raw) < len(MAGIC) + 8 + 32:
        raise ModelFileError(f"{where}: truncated model file")
    body, digest = raw[:-32], raw[-32:]
    if hashlib.sha256(body).digest() != digest:
        raise ModelFileError(f"{where}: corrupt or truncated model file (checksum mismatch)")
    (header_len,) = struct.unpack("<Q", body[8:16])
    if 16 + header_len > len(body):
        raise ModelFileError(f"{where}: corrupt model file (bad header length)")
    try:
        header = json.loads(
            body[16 : 16 + header_len].decode("utf-8"), parse_constant=_refuse_constant
        )
        meta = header["meta"]
        entries = header["tensors"]
        if not isinstance(meta, dict) or not isinstance(entries, list):
            raise TypeError("bad header types")
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{where}: corrupt model file (bad header)") from exc
    blob = memoryview(body)[16 + header_len :]
    tensors: dict[str, torch.Tensor] = {}
    for entry in entries:
        try:
            np_dtype, _ = _DTYPES[entry["dtype"]]
            offset, nbytes = int(entry["offset"]), int(entry["nbytes"])
            shape = tuple(int(d) for d in entry["shape"])
            if offset < 0 or nbytes < 0 or offset + nbytes > len(blob):
                raise ValueError("tensor out of bounds")
            array = np.frombuffer(blob[offset : offset + nbytes], dtype=np_dtype).reshape(shape)
            tensors[str(entry["name"])] = torch.from_numpy(array.copy())
        except (KeyError, ValueError, TypeError, OverflowError) as exc:
            raise ModelFileError(f"{where}: corrupt model file (bad tensor entry)") from exc
    return meta, tensors
