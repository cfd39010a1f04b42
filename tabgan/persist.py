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
from typing import TYPE_CHECKING, Any

import numpy as np

from tabgan.errors import ModelFileError
from tabgan.io import atomic_path

if TYPE_CHECKING:
    import torch

MAGIC = b"TABGAN\x00\x01"
#: what a header's "format" says: a fitted model, or a resumable training checkpoint
MODEL_FORMAT = "tabgan-model"
CHECKPOINT_FORMAT = "tabgan-checkpoint"
#: the newest version of the metadata layout this tabgan writes and reads
FORMAT_VERSION = 1
#: the dtypes a model file may hold (numpy's names; torch's are the same)
DTYPES = {
    "float32": np.float32,
    "float64": np.float64,
    "int64": np.int64,
    "int32": np.int32,
    "bool": np.bool_,
    "uint8": np.uint8,
}


def save_model(path: str | os.PathLike, meta: dict[str, Any], tensors: dict[str, torch.Tensor]):
    """Write ``meta`` (JSON-able) and ``tensors`` to ``path`` atomically."""
    import torch

    names = {getattr(torch, name): name for name in DTYPES}
    index = []
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        if tensor.dtype not in names:
            raise TypeError(f"tensor {name!r} has unsupported dtype {tensor.dtype}")
        data = tensor.detach().to("cpu").contiguous().numpy().tobytes()
        index.append(
            {
                "name": name,
                "dtype": names[tensor.dtype],
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


def read_model_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of a model file; a missing, unreadable or directory path is a one-line
    :class:`ModelFileError`."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such model file; create one with `tabgan fit DATA`")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory, not a model file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def load_model(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Read a model file; every failure is a one-line :class:`ModelFileError`."""
    return parse_model_bytes(read_model_bytes(path), str(Path(path)))


def read_header(path: str | os.PathLike) -> dict[str, Any]:
    """A model file's metadata only, checked (checksum and format included) but without
    building any tensor, so reading it needs no torch (``tabgan info``, early error checks)."""
    meta, _, _ = parse_header(read_model_bytes(path), str(Path(path)))
    check_model_header(meta, path)
    return meta


def check_model_header(meta: dict[str, Any], path: str | os.PathLike) -> None:
    """Refuse metadata that is not a fitted model's, or is from a newer tabgan."""
    from tabgan import __version__

    if meta.get("format") != MODEL_FORMAT:
        raise ModelFileError(f"{path}: not a tabgan model file")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: model format {version!r} is newer than this tabgan "
            f"({__version__}) understands; upgrade tabgan"
        )


def _refuse_constant(name: str) -> Any:
    # save_model writes allow_nan=False: NaN/Infinity in a header can only come from tampering
    raise ValueError(f"non-finite number {name} in the header")


def parse_header(raw: bytes, where: str = "model") -> tuple[dict, list, memoryview]:
    """Validate a model file's bytes (magic, layout, checksum, header) and split them into
    the metadata, the tensor index and the tensor bytes."""
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
    return meta, entries, memoryview(body)[16 + header_len :]


def parse_model_bytes(raw: bytes, where: str = "model") -> tuple[dict, dict[str, torch.Tensor]]:
    """Validate and decode the bytes of a model file (see the module docstring)."""
    import torch

    meta, entries, blob = parse_header(raw, where)
    tensors: dict[str, torch.Tensor] = {}
    for entry in entries:
        try:
            np_dtype = DTYPES[entry["dtype"]]
            offset, nbytes = int(entry["offset"]), int(entry["nbytes"])
            shape = tuple(int(d) for d in entry["shape"])
            if offset < 0 or nbytes < 0 or offset + nbytes > len(blob):
                raise ValueError("tensor out of bounds")
            array = np.frombuffer(blob[offset : offset + nbytes], dtype=np_dtype).reshape(shape)
            tensors[str(entry["name"])] = torch.from_numpy(array.copy())
        except (KeyError, ValueError, TypeError, OverflowError) as exc:
            raise ModelFileError(f"{where}: corrupt model file (bad tensor entry)") from exc
    return meta, tensors
