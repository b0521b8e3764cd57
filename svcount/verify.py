"""Compare a count with the figures a correct count must reproduce.

An expected file (schema ``svcount-expected/1``, see the README) lists
published figures under ``figures``, in the shape of :func:`counted_figures`,
and optionally the ``options`` to count with. Percentages are compared at the
precision they were published with: 48 matches 47.95, 16.36 needs 16.36.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from svcount.count import AreaResult, Result, Turnout, percent, statement
from svcount.errors import InputError

__all__ = ["Check", "Expected", "compare", "counted_figures", "read_expected", "EXPECTED_SCHEMA"]

EXPECTED_SCHEMA = "svcount-expected/1"
#: Options an expected file may give, with the type each must have.
OPTION_TYPES: dict[str, type | tuple[type, ...]] = {
    "method": str,
    "candidates": str,
    "electorate": int,
    "lot": str,
    "seed": int,
    "separator": str,
    "uncertain_marker": str,
    "unknown_as_void": bool,
    "first_column": str,
    "second_column": str,
    "rejected_column": str,
    "area_column": str,
    "electorate_file": str,
    "encoding": str,
    "delimiter": str,
}


@dataclass(frozen=True)
class Expected:
    figures: Mapping[str, Any]
    options: Mapping[str, Any]
    title: str = ""


@dataclass(frozen=True)
class Check:
    figure: str  # dotted path, e.g. "first_preferences.Willy Bach"
    expected: Any
    counted: Any
    ok: bool


def read_expected(path: str) -> Expected:
    """Read an expected file; a relative ``options.candidates`` is taken from its folder."""
    from svcount.files import read_json

    doc, _ = read_json(path, decimals=True)
    if not isinstance(doc, dict) or not isinstance(doc.get("figures"), dict):
        raise InputError('an expected file is a JSON object with a "figures" object', file=path)
    if not doc["figures"]:
        raise InputError("figures is empty: there is nothing to verify", file=path)
    options = dict(doc.get("options") or {})
    for key, value in options.items():
        wanted = OPTION_TYPES.get(key)
        if wanted is None:
            raise InputError(
                f"unknown option {key!r} (known: {', '.join(OPTION_TYPES)})", file=path
            )
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise InputError(f"option {key!r} has the wrong type: {value!r}", file=path)
    for key in ("candidates", "electorate_file"):  # files named relative to the expected file
        if key in options:
            options[key] = str(Path(path).parent / options[key])
    return Expected(figures=doc["figures"], options=options, title=str(doc.get("title", "")))


def counted_figures(result: Result) -> dict[str, Any]:
    """Every figure of a result, in the shape an expected file uses."""
    two = result.stage_two
    turnout = result.turnout
    return {
        "method": result.method.value,
        "winner": result.winner,
        "decided_by": result.decided_by.value,
        "stage_two_held": two is not None,
        "remaining": list(result.stage_one.remaining),
        "excluded": list(result.stage_one.excluded),
        "first_preferences": dict(result.stage_one.votes),
        "share_pct": {c.name: result.share(c.name) for c in result.candidates},
        "second_preferences": dict(two.transfers) if two else {},
        "final": dict(result.final),
        "majority": result.majority,
        "ballot_papers": result.ballot_papers,
        "valid_votes": result.valid,
        "rejected": _with_total(result.rejected),
        "non_transferable": _with_total(two.non_transferable) if two else {},
        "second_preferences_not_counted": _with_total(result.second_not_counted or {}),
        "lot_required": list(result.lot_required),
        "turnout": _turnout(turnout),
        "areas": {area.name: _area(result, area) for area in result.areas},
    }


def _turnout(turnout: Turnout | None) -> dict[str, Any]:
    if turnout is None:
        return {}
    return {
        "electorate": turnout.electorate,
        "ballot_papers_pct": turnout.ballot_papers_pct,
        "valid_votes_pct": turnout.valid_votes_pct,
    }


def _area(result: Result, area: AreaResult) -> dict[str, Any]:
    first, moved = area.first, area.transfers
    return {
        "first_preferences": dict(first.votes),
        "share_pct": {n: percent(v, first.valid) for n, v in first.votes.items()},
        "second_preferences": dict(moved.transfers) if moved else {},
        "final": dict(area.totals),
        "ballot_papers": first.ballot_papers,
        "valid_votes": first.valid,
        "rejected": _with_total(statement(first.rejected, result.method)),
        "non_transferable": _with_total(moved.non_transferable) if moved else {},
        "second_preferences_not_counted": _with_total(first.second_not_counted),
        "ballot_papers_issued": area.issued,
        "turnout": _turnout(area.turnout),
    }


def _with_total(heads: Mapping[Any, int]) -> dict[str, int]:
    out = {head.value: n for head, n in heads.items()}
    out["total"] = sum(heads.values())
    return out


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


def compare(expected: Expected, result: Result) -> list[Check]:
    """One check per figure in the expected file, in the file's order."""
    counted = counted_figures(result)
    checks = []
    for name, value, path in _walk(expected.figures):
        got = _lookup(counted, path)
        if got is _MISSING:
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


def as_json_value(value: Any) -> Any:
    """Decimals as numbers in JSON output (their published precision kept)."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return float(value) if isinstance(exponent, int) and exponent < 0 else int(value)
    return value
