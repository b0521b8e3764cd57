"""Every reader fuzzed: a one-line InputError, or a correct reading; never anything else.

The ballot readers are fuzzed in test_hardening.py. Here: candidate lists,
areas files, and each JSON document svcount reads back (results, local counts,
totals, expected files, figures files), from random bytes and from real
documents with one random change.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpers import BY_AREA, EXAMPLES, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from svcount.documents.local import read_local, read_total
from svcount.documents.result import read_result
from svcount.errors import SvcountError
from svcount.model import Candidate
from svcount.operations.synth import read_figures
from svcount.operations.verify import read_expected
from svcount.reading.lists import read_areas, read_candidates

#: Examples per reader: 120 in the suite; SVCOUNT_FUZZ=3000 for a longer search.
EXAMPLES_PER_READER = int(os.environ.get("SVCOUNT_FUZZ", "120"))
FUZZ = settings(
    max_examples=EXAMPLES_PER_READER,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def one_line(exc: SvcountError) -> None:
    text = str(exc)
    assert text and "\n" not in text and "\r" not in text and len(text) < 2_000, text


def reads_or_refuses(reader: Any, path: Path) -> Any:
    """The reader's result, or None after a one-line refusal; any other exception fails."""
    try:
        return reader(str(path))
    except SvcountError as exc:
        one_line(exc)
        return None


# ----------------------------------------------------------------- candidate lists and areas

cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
words = cells | st.sampled_from(["name", "party", "Ann", "area", "electorate", '"', "12"])
lines = st.lists(
    st.tuples(st.sampled_from([",", ";", "\t"]), st.lists(words, max_size=4)).map(
        lambda pair: pair[0].join(pair[1])
    ),
    max_size=8,
)


@FUZZ
@given(data=st.binary(max_size=200) | lines.map(lambda ls: "\n".join(ls).encode("utf-8")))
def test_a_candidate_list_reads_or_is_refused_in_one_line(tmp_path, data):
    path = tmp_path / "candidates.csv"
    path.write_bytes(data)
    got = reads_or_refuses(read_candidates, path)
    if got is not None:
        assert got and all(isinstance(c, Candidate) and c.name for c in got)
        assert len({c.name.casefold() for c in got}) == len(got)


@FUZZ
@given(data=st.binary(max_size=200) | lines.map(lambda ls: "\n".join(ls).encode("utf-8")))
def test_an_areas_file_reads_or_is_refused_in_one_line(tmp_path, data):
    path = tmp_path / "areas.csv"
    path.write_bytes(data)
    for need in (True, False):
        got = reads_or_refuses(lambda p, n=need: read_areas(p, need_electorate=n), path)
        if got is not None:
            assert all(row.name for row in got)
            assert all(row.electorate is None or row.electorate >= 0 for row in got)


# ----------------------------------------------------------------- JSON documents


def _documents(folder: Path) -> dict[str, tuple[Any, dict[str, Any]]]:
    """One real document of each kind svcount reads, with its reader."""
    quick = EXAMPLES / "quickstart"
    assert run("tally", quick / "ballots.csv", "-o", folder / "r.json").exit_code == 0
    for area in ("Blaby", "Melton"):
        made = run(
            "tally", BY_AREA / f"{area.lower()}.csv", "-c", BY_AREA / "candidates.txt",
            "--stage", "first", "--area", area, "-o", folder / f"{area}.json",
        )  # fmt: skip
        assert made.exit_code == 0
    made = run("combine", folder / "Blaby.json", folder / "Melton.json", "-o", folder / "t.json")
    assert made.exit_code == 0
    files = {
        "result": (read_result, folder / "r.json"),
        "local": (read_local, folder / "Blaby.json"),
        "total": (read_total, folder / "t.json"),
        "expected": (read_expected, quick / "expected.json"),
        "figures": (read_figures, EXAMPLES / "llr-2016" / "figures.json"),
    }
    return {k: (reader, json.loads(path.read_text())) for k, (reader, path) in files.items()}


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    return _documents(tmp_path_factory.mktemp("documents"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                               max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(doc: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [where]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*where, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += _paths(value, (*where, i))
    return out


def _changed(doc: Any, where: tuple[Any, ...], how: str, value: Any) -> Any:
    out = copy.deepcopy(doc)
    if not where:
        return value
    parent = out
    for key in where[:-1]:
        parent = parent[key]
    if how == "delete":
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    return out


@FUZZ
@given(
    kind=st.sampled_from(["result", "local", "total", "expected", "figures"]),
    pick=st.integers(0, 10**6),
    how=st.sampled_from(["replace", "delete"]),
    value=json_values,
)
def test_each_json_document_with_one_change_reads_or_is_refused(
    tmp_path, documents, kind, pick, how, value
):
    reader, doc = documents[kind]
    paths = _paths(doc)
    where = paths[pick % len(paths)]
    path = tmp_path / f"{kind}.json"
    path.write_text(json.dumps(_changed(doc, where, how, value), ensure_ascii=False))
    reads_or_refuses(reader, path)


@FUZZ
@given(kind=st.sampled_from(["result", "local", "total", "expected", "figures"]),
       data=st.binary(max_size=120))  # fmt: skip
def test_each_json_reader_refuses_random_bytes_in_one_line(tmp_path, documents, kind, data):
    reader, _ = documents[kind]
    path = tmp_path / f"{kind}.json"
    path.write_bytes(data)
    reads_or_refuses(reader, path)


def test_the_unchanged_documents_read(tmp_path, documents):
    for kind, (reader, doc) in documents.items():
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps(doc, ensure_ascii=False))
        assert reader(str(path)) is not None, kind


# ----------------------------------------------------------------- cast vote record reports

CVRS = Path(__file__).parent / "data" / "cvr"
#: Small real reports, one of each producer's shape, as text to change.
REPORTS = {
    "json": (CVRS / "rctab-conversions_from_ess_expected_cdf_cvr.json").read_text(),
    "xml": (CVRS / "cdfprototype-example_2.xml").read_text(),
}
#: What a change puts in: JSON and XML punctuation, NIST's values, numbers past the limits.
PIECES = st.sampled_from([
    '"', ",", ":", "{", "}", "[", "]", "<", ">", "</CVR>", "<!DOCTYPE x>", "&amp;", "NaN",
    "1e999", "-1", "0", "2.5", "true", "null", '"no"', '"unknown"', "yes", "3", "\\u0000",
    '"@id"', '"CVR"', "CVRSnapshot", "IsAllocable", "Rank", "overvoted",
])  # fmt: skip


@FUZZ
@given(
    kind=st.sampled_from(sorted(REPORTS)),
    at=st.floats(0, 1),
    cut=st.integers(0, 40),
    piece=PIECES | st.text(max_size=4),
    packed=st.booleans(),
)
def test_a_changed_cvr_report_is_counted_or_refused_in_one_line(
    tmp_path, kind, at, cut, piece, packed
):
    import gzip

    from svcount.io import load
    from svcount.options import ReadOptions

    text = REPORTS[kind]
    where = int(at * len(text))
    data = (text[:where] + piece + text[where + cut :]).encode("utf-8", "surrogatepass")
    path = tmp_path / f"report.{kind}"
    path.write_bytes(gzip.compress(data, mtime=0) if packed else data)
    got = reads_or_refuses(
        lambda p: load(p, options=ReadOptions(contest="_C1" if kind == "xml" else None)), path
    )
    if got is not None:
        assert got.ballots.ballot_papers == got.rows
