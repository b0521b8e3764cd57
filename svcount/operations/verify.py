"""Compare a count with the figures a correct count must reproduce.

An expected file (schema ``svcount-expected/1``, see the README) lists
published figures under ``figures``, in the shape of :func:`svcount.figures.figures`,
and optionally the ``options`` to count with. Percentages are compared at the
precision they were published with: 48 matches 47.95, 16.36 needs 16.36.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from svcount.errors import InputError, did_you_mean
from svcount.figures import figures
from svcount.model import Result
from svcount.options import CountOptions

__all__ = [
    "EXPECTED_SCHEMA",
    "Check",
    "Expected",
    "compare",
    "read_expected",
]

EXPECTED_SCHEMA = "svcount-expected/1"


@dataclass(frozen=True)
class Expected:
    figures: Mapping[str, Any]
    options: CountOptions
    title: str = ""


@dataclass(frozen=True)
class Check:
    figure: str  # dotted path, e.g. "first_preferences.Willy Bach"
    expected: Any
    counted: Any
    ok: bool


#: Where a reference-election folder keeps its ballots, in the order looked for.
BALLOT_NAMES = ("ballots.csv.gz", "ballots.csv")
CANDIDATE_NAMES = ("candidates.csv", "candidates.txt")


def election_files(folder: str) -> tuple[str, str]:
    """A reference-election folder's ballot file and expected file.

    The expected file may name its ballots (``"ballots": "file"``); otherwise
    the folder holds ``ballots.csv.gz`` or ``ballots.csv`` (one row per paper,
    or aggregated).
    """
    from svcount.documents.seal import read_json

    base = Path(folder)
    expected = base / "expected.json"
    if not expected.is_file():
        raise InputError("not a reference election: the folder has no expected.json", file=folder)
    doc, _ = read_json(str(expected))
    named = doc.get("ballots") if isinstance(doc, dict) else None
    if isinstance(named, str):
        ballots = base / named
        if not ballots.is_file():
            raise InputError(f"the ballots it names, {named!r}, are not there", file=str(expected))
        return str(ballots), str(expected)
    found = next((base / n for n in BALLOT_NAMES if (base / n).is_file()), None)
    if found is None:
        raise InputError(
            f"not a reference election: the folder has no ballot file ({', '.join(BALLOT_NAMES)})",
            file=folder,
        )
    return str(found), str(expected)


def read_expected(path: str) -> Expected:
    """Read an expected file; a relative ``options.candidates`` is taken from its folder."""
    from svcount.documents.seal import read_json

    doc, _ = read_json(path, decimals=True)
    if not isinstance(doc, dict) or not isinstance(doc.get("figures"), dict):
        raise InputError('an expected file is a JSON object with a "figures" object', file=path)
    if doc.get("schema", EXPECTED_SCHEMA) != EXPECTED_SCHEMA:
        raise InputError(
            f"schema {doc['schema']!r} is not {EXPECTED_SCHEMA!r}: not an expected file "
            "(a result written by svcount tally is compared with svcount diff)",
            file=path,
        )
    if not doc["figures"]:
        raise InputError("figures is empty: there is nothing to verify", file=path)
    options_given = doc.get("options") or {}
    if not isinstance(options_given, dict):
        raise InputError('"options" is an object of option names and values', file=path)
    given = dict(options_given)
    for key in ("candidates", "electorate_file"):  # files named relative to the expected file
        if isinstance(given.get(key), str):
            given[key] = str(Path(path).parent / given[key])
    if "candidates" not in given:  # a candidate list kept beside the expected file
        beside = (Path(path).parent / n for n in CANDIDATE_NAMES)
        found = next((p for p in beside if p.is_file()), None)
        if found is not None:
            given["candidates"] = str(found)
    options = CountOptions.from_mapping(given, file=path)
    return Expected(figures=doc["figures"], options=options, title=str(doc.get("title", "")))


_MISSING = object()


def _lookup(tree: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = tree
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _matches(expected: Any, counted: Any) -> bool:
    if (
        isinstance(counted, Decimal)
        and isinstance(expected, int | Decimal)
        and not isinstance(expected, bool)
    ):
        places = Decimal(1).scaleb(Decimal(expected).as_tuple().exponent)  # type: ignore[arg-type]
        return counted.quantize(places, ROUND_HALF_UP) == Decimal(expected)
    if type(expected) is not type(counted) and not (expected is None or counted is None):
        return False
    return bool(expected == counted)


def compare(expected: Expected, result: Result, file: str | None = None) -> list[Check]:
    """One check per figure in the expected file, in the file's order.

    A figure the count does not have is a mismatch where the count has none of
    its kind (no stage two, no areas); where it has others, the name is wrong:
    an :class:`InputError` naming it and the nearest.
    """
    counted = figures(result)
    checks = []
    for name, value, path in _walk(expected.figures):
        got = _lookup(counted, path)
        if got is _MISSING:
            parent = _lookup(counted, path[:-1])
            if isinstance(parent, dict) and parent:
                near = did_you_mean(path[-1], [str(k) for k in parent], cutoff=0.5, listing=True)
                raise InputError(f"unknown figure {name!r}{near}", file=file)
            checks.append(Check(name, value, None, False))
        else:
            checks.append(Check(name, value, got, _matches(value, got)))
    return checks


def _walk(tree: Mapping[str, Any]) -> Iterator[tuple[str, Any, tuple[str, ...]]]:
    """Leaves as (display name, value, key path); keys may contain dots (names)."""

    def walk(node: Mapping[str, Any], path: tuple[str, ...]) -> Iterator[Any]:
        for key, value in node.items():
            here = (*path, key)
            if isinstance(value, dict):
                yield from walk(value, here)
            else:
                yield ".".join(here), value, here

    yield from walk(tree, ())
