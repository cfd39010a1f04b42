"""The model file container: round trip, and clean errors for anything else."""

import pickle

import pytest
import torch

from tabgan.errors import ModelFileError
from tabgan.persist import MAGIC, load_model, save_model


def test_round_trip(tmp_path):
    path = tmp_path / "m.tabgan"
    tensors = {"w": torch.randn(3, 4), "n": torch.tensor(5), "i": torch.arange(6).view(2, 3)}
    save_model(path, {"a": [1, "x", None]}, tensors)
    meta, loaded = load_model(path)
    assert meta == {"a": [1, "x", None]}
    for k, v in tensors.items():
        assert torch.equal(loaded[k], v)
        assert loaded[k].dtype == v.dtype
    assert [p.name for p in tmp_path.iterdir()] == ["m.tabgan"]  # no temp files left


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda b: b[: len(b) // 2], "truncated|corrupt"),
        (lambda b: b[:-1], "corrupt"),
        (lambda b: b[:40] + bytes([b[40] ^ 0xFF]) + b[41:], "corrupt"),
        (lambda b: b"hello world, not a model at all", "not a tabgan model"),
        (lambda b: MAGIC[:6] + b"\x00\x09" + b[8:], "newer"),
        (lambda b: b"", "not a tabgan model|truncated"),
    ],
)
def test_bad_files_give_clean_errors(tmp_path, mutate, message):
    path = tmp_path / "m.tabgan"
    save_model(path, {"a": 1}, {"w": torch.ones(2)})
    path.write_bytes(mutate(path.read_bytes()))
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


class _Boom:
    def __reduce__(self):
        return (exec, ("open('PWNED', 'w').write('x')",))


def test_pickles_are_refused_never_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.tabgan"
    path.write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(path)
    torch.save({"x": _Boom()}, tmp_path / "evil2.tabgan")
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(tmp_path / "evil2.tabgan")
    assert not (tmp_path / "PWNED").exists()


def test_missing_and_directory(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model(tmp_path / "nope.tabgan")
    with pytest.raises(ModelFileError, match="directory"):
        load_model(tmp_path)
