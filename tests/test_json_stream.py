"""The streamed JSON reader (reading/hardened.py, ``iter_json``) reads what ``json.loads``
reads, and refuses what the whole-document reader refuses, however the text falls into
blocks: one value held at a time, so a cast vote record report of any size takes flat
memory (README, "Interchange formats")."""

from __future__ import annotations

import contextlib
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from svcount.reading import hardened
from svcount.reading.hardened import Limits, Refused, iter_json, loads

LIMITS = Limits(bytes=1 << 20, what="a test stream")
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@contextlib.contextmanager
def blocks_of(size: int) -> Iterator[None]:
    """Read the file ``size`` bytes at a time: every value falls across blocks."""
    was = hardened._BLOCK
    hardened._BLOCK = size
    try:
        yield
    finally:
        hardened._BLOCK = was


def streamed(path: Path, **kwargs: Any) -> dict[str, Any]:
    """The document as the stream gives it: members, and the CVR elements gathered."""
    out: dict[str, Any] = {}
    for name, value, _ in iter_json(path, "CVR", LIMITS, **kwargs):
        if name == "CVR":
            out.setdefault("CVR", []).append(value)
        else:
            out[name] = value
    return out


def written(
    tmp_path: Path, document: dict[str, Any], indent: int | None, encoding: str, packed: bool
) -> tuple[Path, bytes]:
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    data = text.encode(encoding)
    path = tmp_path / "report.json"
    path.write_bytes(gzip.compress(data, mtime=0) if packed else data)
    return path, data


@settings(max_examples=150, deadline=None)
@given(
    members=st.dictionaries(st.text(max_size=5).filter(lambda k: k != "CVR"), VALUES, max_size=4),
    cvrs=st.lists(VALUES, max_size=5),
    at=st.integers(0, 4),
    indent=st.sampled_from([None, 0, 2]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32-le"]),
    packed=st.booleans(),
    block=st.sampled_from([1, 3, 7, 64]),
)
def test_the_stream_reads_what_json_loads_reads(
    tmp_path_factory, members, cvrs, at, indent, encoding, packed, block
):
    items = list(members.items())
    items.insert(min(at, len(items)), ("CVR", cvrs))
    document = dict(items)
    path, data = written(tmp_path_factory.mktemp("s"), document, indent, encoding, packed)
    with blocks_of(block):
        got = streamed(path)
    if not cvrs:  # an empty array gives no element
        document.pop("CVR")
    assert got == document
    assert list(got) == list(document)  # in the file's order
    assert loads(data, LIMITS) == dict(items)


@settings(max_examples=150, deadline=None)
@given(
    document=st.dictionaries(st.text(max_size=3), VALUES, min_size=1, max_size=3).map(
        lambda d: {**d, "CVR": [d]}
    ),
    cut=st.integers(0, 400),
    insert=st.sampled_from(['"', ",", "]", "}", "{", "[", "x", " ", "NaN", "1e999", ':"a"']),
    block=st.sampled_from([1, 5, 64]),
)
def test_a_damaged_text_is_refused_by_the_stream_as_by_the_whole_reader(
    tmp_path_factory, document, cut, insert, block
):
    text = json.dumps(document)
    cut = min(cut, len(text))
    data = (text[:cut] + insert + text[cut:]).encode()
    path = tmp_path_factory.mktemp("d") / "report.json"
    path.write_bytes(data)
    try:
        whole = loads(data, LIMITS)
    except (ValueError, RecursionError):
        whole = None
    with blocks_of(block):
        try:
            got = streamed(path)
        except (ValueError, RecursionError):
            got = None
    if isinstance(whole, dict) and not isinstance(whole.get("CVR", []), list):
        whole = None  # the stream's array is refused as anything else
    if isinstance(whole, dict) and whole.get("CVR") == []:
        whole.pop("CVR")
    assert got == whole


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"CVR": [{"a": 1, "a": 2}]}', "appears twice"),
        ('{"CVR": [], "CVR": []}', "appears twice"),
        ('{"CVR": [{"n": NaN}]}', "not a JSON number"),
        ('{"CVR": [{"n": 1e999}]}', "too large to be finite"),
        ('{"CVR": [{"n": ' + "9" * 40 + "}]}", "digits"),
        ('{"x": ' + "[" * 40 + "]" * 40 + "}", "nested more than 32 deep"),
        ('{"CVR": [' + "[" * 40 + "]" * 40 + "]}", "nested more than 32 deep"),
        ('{"x": ' + "[" * 5000 + "]" * 5000 + "}", "nested more than 32 deep"),
        ('{"CVR": [1, 2]} extra', "Extra data"),
        ('{"CVR": [1 2]}', "delimiter"),
        ("[1, 2]", "Expecting a JSON object"),
        ('{"CVR": {"a": 1}}', "'CVR' is not an array"),
    ],
)
def test_the_stream_refuses_what_the_hardened_parser_refuses(tmp_path, text, says):
    path = tmp_path / "report.json"
    path.write_text(text)
    with pytest.raises((Refused, json.JSONDecodeError), match=says):
        streamed(path)


def test_alike_elements_are_checked_once_and_parsed_for_their_values(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"CVR": [{"id": i, "mark": "a"} for i in range(5)]}))
    checked: set[str] = set()
    got = [v for _, v, _ in iter_json(path, "CVR", LIMITS, lambda raw, v: "same", checked)]
    assert got == [{"id": i, "mark": "a"} for i in range(5)]
    assert checked == {"same"}


def test_a_gzip_bomb_stops_at_the_ratio_not_in_memory(tmp_path):
    path = tmp_path / "bomb.json.gz"
    body = b'{"CVR": [' + b" " * (64 << 20) + b"]}"
    path.write_bytes(gzip.compress(body, compresslevel=9))
    with pytest.raises(Refused, match="inflates more than"):
        streamed(path)


def test_a_line_number_is_the_files_own_however_far_in(tmp_path):
    path = tmp_path / "report.json"
    lines = ['{"CVR": ['] + ['{"a": 1},'] * 5000 + ['{"a": 1} {"b": 2}', "]}"]
    path.write_text("\n".join(lines))
    with blocks_of(100), pytest.raises(json.JSONDecodeError) as caught:
        streamed(path)
    assert caught.value.lineno == 5002
