"""Reading tables: the delimiter is detected (or given), a misread is refused, in every reader."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

from tabgan.errors import DataFileError, InvalidParameterError
from tabgan.io import check_sep, read_table, sniff_delimiter
from tabgan.stream import iter_batches, read_sample

FRAME = pd.DataFrame(
    {
        "name": ["victualling crew", "a, b", "plain", "x|y", "last one"],
        "age": [31, 42, 27, 55, 60],
        "price": [1.5, 2.25, 3.0, 4.75, 5.5],
    }
)


def _write(tmp_path, sep: str, name: str = "t.csv"):
    path = tmp_path / name
    FRAME.to_csv(path, sep=sep, index=False)
    return path


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_every_reader_detects_the_delimiter_and_says_so(tmp_path, sep) -> None:
    path = _write(tmp_path, sep)
    notes: list[str] = []
    df = read_table(path, notes=notes)
    pd.testing.assert_frame_equal(df, FRAME)
    if sep == ",":
        assert notes == []
    else:
        assert len(notes) == 1 and "detected" in notes[0] and repr(sep) in notes[0]
    sample_notes: list[str] = []
    sample = read_sample(path, 100, notes=sample_notes)
    assert list(sample.columns) == list(FRAME.columns) and len(sample) == len(FRAME)
    assert sample_notes == notes
    chunks = list(iter_batches(path, rows=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert list(chunks[0].columns) == list(FRAME.columns)


def test_quoted_delimiters_do_not_fool_the_sniffer() -> None:
    # commas are frequent in the values (quoted) and decimal commas, but the header says ';'
    text = 'a;b;c\n"x, y, z";1,5;2\n"p, q";3,25;4\n'
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter("a,b\n1,2\n") == ","
    assert sniff_delimiter("only\n1\n2\n") == ","  # one column: the default
    assert sniff_delimiter("only\n1\n", default="\t") == "\t"


def test_sep_forces_the_delimiter(tmp_path) -> None:
    path = _write(tmp_path, ";")
    df = read_table(path, sep=";")
    assert df.shape == FRAME.shape
    # forced to a comma, the unquoted "a, b" value splits its row: malformed, with the hint
    with pytest.raises(DataFileError, match=r"malformed CSV.*--sep"):
        read_table(path, sep="comma")
    assert read_sample(path, 10, sep="semicolon").shape == FRAME.shape


@pytest.mark.parametrize("bad", ["", ";;", '"', "\n"])
def test_bad_sep_is_one_clear_error(bad) -> None:
    with pytest.raises(InvalidParameterError, match="not a delimiter"):
        check_sep(bad)
    assert check_sep("tab") == "\t" and check_sep("\\t") == "\t" and check_sep(None) is None


def test_one_column_holding_a_likely_delimiter_is_refused(tmp_path) -> None:
    # a header that holds ';' but rows that do not split evenly: nothing qualifies
    path = tmp_path / "semi.csv"
    path.write_text("age;job;income\n31;cook\n42;clerk;1\n27;x;2;3\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"single column.*';'.*--sep") as info:
        read_table(path)
    assert "\n" not in str(info.value)
    with pytest.raises(DataFileError, match="single column"):
        read_sample(path, 10)
    with pytest.raises(DataFileError, match="single column"):
        list(iter_batches(path))
    # values, not the header
    path.write_text("note\na|b\nc|d|e\nf|g\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"of its values hold pipe"):
        read_table(path)


def test_a_true_one_column_table_reads(tmp_path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("city\nParis\nOslo\nRome\n", encoding="utf-8")
    assert read_table(path)["city"].tolist() == ["Paris", "Oslo", "Rome"]
    assert len(read_sample(path, 10)) == 3


def test_malformed_rows_suggest_the_delimiter(tmp_path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3,4,5\n6,7\n8,9\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 3 has 3 fields.*--sep"):
        read_table(path)


@pytest.mark.skipif(importlib.util.find_spec("openpyxl") is not None, reason="openpyxl present")
def test_excel_without_openpyxl_says_how(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(DataFileError, match=r"openpyxl.*tabgan\[excel\]"):
        read_table(path)


@pytest.mark.skipif(importlib.util.find_spec("openpyxl") is None, reason="needs openpyxl")
def test_excel_is_read_with_openpyxl(tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    FRAME.to_excel(path, index=False)
    pd.testing.assert_frame_equal(read_table(path), FRAME)
    assert len(read_sample(path, 3)) == 3


def test_the_sampled_read_sees_missing_text_as_the_whole_read_does(tmp_path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text('x,name,price\n1,a,"$1,200.00"\n2,,\n3,NA,$3.50\n4,"",$7.25\n')
    whole = read_table(path)
    sample = read_sample(path, 10)
    assert whole["name"].isna().tolist() == [False, True, True, True]
    pd.testing.assert_frame_equal(sample, whole)
