"""Helpers shared by the test modules: run the command, write files, edit svcount's own files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from hypothesis import strategies as st
from typer.testing import CliRunner

from svcount.cli import app
from svcount.documents.seal import canonical_digest
from svcount.marks import classify
from svcount.model import Ballots, Candidate, NotCounted

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BY_AREA = EXAMPLES / "by-area"
ENGINES = ["python", "pandas", "polars"]


def run(*args, input=None):
    """The command, through CliRunner: stdout and stderr apart."""
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def write(tmp_path, text, name="ballots.csv"):
    """A file in ``tmp_path`` from text (UTF-8) or bytes; its path as a string."""
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def election(pairs, rejected=None, names=None):
    """Ballots from {(first, second): papers}; second None means no second preference."""
    names = names or sorted({f for f, _ in pairs} | {s for _, s in pairs if isinstance(s, str)})
    return Ballots(
        candidates=tuple(Candidate(n) for n in names),
        pairs={(f, NotCounted.BLANK if s is None else s): n for (f, s), n in pairs.items()},
        rejected=rejected or {},
    )


def write_sealed(path, doc):
    """Write an edited svcount JSON file with a digest that matches the edit.

    For tests of the checks *between* files: a plain edit is caught earlier,
    by the file's own digest.
    """
    doc = {k: v for k, v in doc.items() if k != "digest"}
    doc["digest"] = canonical_digest({k: v for k, v in doc.items() if k != "signature"})
    Path(path).write_text(json.dumps(doc, indent=2))


#: A small, feasible figures file (schema svcount-figures/1) for synth and verify tests.
SMALL_FIGURES = {
    "method": "sv",
    "candidates": [{"name": "Ann", "party": "A"}, {"name": "Bob"}, {"name": "Cy"}, {"name": "Dee"}],
    "first_preferences": {"Ann": 40, "Bob": 30, "Cy": 20, "Dee": 10},
    "second_preferences": {"Ann": 10, "Bob": 12},
    "non_transferable": {
        "blank": 3,
        "more_than_one_candidate": 1,
        "void_for_uncertainty": 1,
        "same_as_first": 1,
        "not_remaining": 2,
    },
    "rejected": {
        "want_of_official_mark": 1,
        "voting_for_more_than_one_candidate": 2,
        "writing_or_mark_identifying_voter": 1,
        "unmarked": 3,
        "void_for_uncertainty": 1,
    },
    "electorate": 500,
}


# ----------------------------------------------------------------- voting areas

AREA_POOL = ["Ann", "Bob", "Cy", "Dee", "Eve"]
AREAS = ["Blaby", "Melton", "Rutland", "Oadby and Wigston"]


def without_provenance(text):
    doc = json.loads(text)
    doc.pop("input")
    doc.pop("options")
    doc.pop("digest")  # of the whole document, provenance included
    return doc


@st.composite
def area_elections(draw):
    names = draw(st.lists(st.sampled_from(AREA_POOL), min_size=2, max_size=5, unique=True))
    field = st.one_of(
        st.sampled_from(names),
        st.sampled_from(names),
        st.just(""),
        st.just("?"),
        st.builds("|".join, st.lists(st.sampled_from(names), min_size=2, max_size=2)),
    )
    kinds = draw(st.lists(st.tuples(field, field, st.sampled_from(AREAS)), min_size=1, max_size=14))
    copies = draw(st.lists(st.integers(1, 6), min_size=len(kinds), max_size=len(kinds)))
    rows = [k for k, n in zip(kinds, copies, strict=True) for _ in range(n)]
    return names, rows


def classified_areas(names, rows):
    candidates = [Candidate(n) for n in names]
    union = Counter((f, s, "") for f, s, _ in rows)
    classified = classify(union, candidates)
    by_area: dict[str, Counter] = {}
    for f, s, a in rows:
        by_area.setdefault(a, Counter())[(f, s, "")] += 1
    return classified, {a: classified.ballots_for(c) for a, c in sorted(by_area.items())}


# ----------------------------------------------------------------- the bad-input corpus

BAD = Path(__file__).parent / "data" / "bad"
#: (file in tests/data/bad, extra arguments, the exact message it must give)
BAD_CASES = [
    ("empty.csv", [], "empty.csv: the file is empty"),
    ("header-only.csv", [], "header-only.csv: the file has a header but no ballot papers"),
    (
        "no-header.csv",
        [],
        "no-header.csv:1: no first-preference column in the header ('Ann', 'Bob')",
    ),
    ("no-first-column.csv", [], "no-first-column.csv:1: no first-preference column"),
    (
        "duplicate-columns.csv",
        [],
        "duplicate-columns.csv:1: duplicate column name 'first' (columns 1 and 3)",
    ),
    (
        "utf16-no-bom.csv",
        [],
        "looks like UTF-16 without a byte-order mark: try --encoding utf-16-le",
    ),
    ("cp1252.csv", [], "cp1252.csv:2: is not valid UTF-8 text (byte 0xeb): try --encoding cp1252"),
    ("invalid-utf8.csv", [], "invalid-utf8.csv:3: is not valid UTF-8 text (byte 0xc3)"),
    ("nul-byte.csv", [], "nul-byte.csv:2: contains a NUL byte: this is not a text CSV file"),
    ("binary.csv", [], "binary.csv:1: contains a NUL byte"),
    (
        "too-many-fields.csv",
        [],
        "too-many-fields.csv:3: this row has 3 fields but the header has 2",
    ),
    ("too-few-fields.csv", [], "too-few-fields.csv:3: this row has 1 field but the header has 2"),
    ("unterminated-quote.csv", [], "unterminated-quote.csv:3: a quoted field is never closed"),
    ("text-after-quote.csv", [], "text-after-quote.csv:2: malformed quoting"),
    (
        "not-gzip.csv.gz",
        [],
        "not-gzip.csv.gz: the name ends in .gz but the file is not gzip-compressed",
    ),
    ("truncated.csv.gz", [], "truncated.csv.gz: the gzip data is damaged: it ends early"),
    (
        "case-clash.csv",
        [],
        "case-clash.csv:4: first preference 'smith' differs only in case "
        "from the candidate 'Smith'",
    ),
    ("bad-adjudication.csv", [], "bad-adjudication.csv:3: rejected value 'torn' is not a heading"),
    (
        "unknown-name.csv",
        ["--candidates", BAD / "candidates-duplicate.txt"],
        "candidates-duplicate.txt:4: candidate 'Ann' is listed twice (lines 1 and 4)",
    ),
    (
        "unknown-name.csv",
        ["--candidates", BAD / "candidates-empty.txt"],
        "candidates-empty.txt: the candidate list is empty",
    ),
    ("only-rejected.csv", [], "only-rejected.csv: no candidates: none of the 2 papers"),
    ("missing.csv", [], "missing.csv: no such file"),
    (".", [], ": is a directory, not a ballot file"),
]


FIRSTS = ["blaby-1.json", "melton-1.json", "rutland-1.json"]
SECONDS = ["blaby-2.json", "melton-2.json", "rutland-2.json"]


def refused(*args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1
    assert result.stderr.startswith("svcount: error: ")
    return result.stderr


def second_count(ballots, area, out, total="total.json"):
    return run(
        "tally", ballots, "-c", "candidates.txt", "--stage", "second", "--area", area,
        "--remaining-from", total, "-o", out,
    )  # fmt: skip
