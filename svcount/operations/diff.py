"""Two counts of one poll compared, figure by figure: what a recount changed.

Both counts are result files read back and checked (:mod:`svcount.documents.result`);
they must be of the same poll (the same candidates and method). Every figure
of the figures view is compared by name; derived figures (shares, statuses)
are left out, since they follow from the ones compared. What is not a figure
(file names, hashes, options, version) is listed apart: it may differ freely.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from svcount.documents.result import ResultFile
from svcount.errors import InputError
from svcount.figures import AREA_FIGURES
from svcount.operations.notebook import Tabulated

__all__ = ["Change", "Comparison", "compare_results", "DIFF_SCHEMA"]

DIFF_SCHEMA = "svcount-diff/1"

#: The figures of a count that a recount can change, in the order they are shown.
FIGURES = (
    "winner",
    "decided_by",
    "lot",
    "remaining",
    "excluded",
    "first_preferences",
    "second_preferences",
    "final",
    "majority",
    "ballot_papers",
    "valid_votes",
    "rejected",
    "excluded_papers",
    "non_transferable",
    "second_preferences_not_counted",
    "turnout",
)


@dataclass(frozen=True)
class Change:
    figure: str  # dotted name, e.g. "first_preferences.Ann" or "areas.Blaby.valid_votes"
    before: Any
    after: Any

    @property
    def same(self) -> bool:
        return bool(self.before == self.after)

    @property
    def change(self) -> int | Decimal | None:
        """after - before, for numbers."""
        numbers = (int, Decimal)
        if isinstance(self.before, numbers) and isinstance(self.after, numbers):
            if not isinstance(self.before, bool) and not isinstance(self.after, bool):
                return self.after - self.before
        return None


@dataclass(frozen=True)
class Comparison(Tabulated):
    """Two counts of one poll, figure by figure; in a notebook, a table of what changed."""

    before: ResultFile
    after: ResultFile
    figures: tuple[Change, ...]  # every figure, same or not
    metadata: tuple[Change, ...]  # only those that differ

    def __repr__(self) -> str:
        return (
            f"Comparison(before={self.before.path!r}, after={self.after.path!r}, "
            f"changed={len(self.changed)}, winner_changed={self.winner_changed})"
        )

    def rows(self) -> list[dict[str, Any]]:
        """Each figure that changed: its name, before, after and the change (numbers)."""
        return [
            {
                "figure": c.figure,
                "before": "" if c.before is None else c.before,
                "after": "" if c.after is None else c.after,
                "change": "" if c.change is None else f"{c.change:+,}",
            }
            for c in self.changed
        ]

    @property
    def same(self) -> bool:
        return all(c.same for c in self.figures)

    @property
    def changed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.figures if not c.same)

    @property
    def winner_changed(self) -> bool:
        return bool(self.before.figures["winner"] != self.after.figures["winner"])


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}")
    elif isinstance(value, list):
        yield path, ", ".join(map(str, value))
    else:
        yield path, value


def _flatten(view: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in FIGURES:
        out.update(_leaves(view[key], key))
    for name, area in view["areas"].items():
        for key in AREA_FIGURES:
            out.update(_leaves(area[key], f"areas.{name}.{key}"))
    return out


def compare_results(before: ResultFile, after: ResultFile) -> Comparison:
    """Every figure of two counts of one poll; refuses counts of different polls."""
    if [c.name for c in before.candidates] != [c.name for c in after.candidates]:
        raise InputError(
            f"different polls: the candidates differ from those in {before.path}", file=after.path
        )
    if before.method != after.method:
        raise InputError(
            f"different polls: counted by {after.method.value}, {before.path} by "
            f"{before.method.value}",
            file=after.path,
        )
    old, new = _flatten(before.figures), _flatten(after.figures)
    names = list(dict.fromkeys([*old, *new]))
    figures = tuple(Change(n, old.get(n), new.get(n)) for n in names)
    meta_before = {"file": before.path, "sha256": before.sha256, **_meta(before)}
    meta_after = {"file": after.path, "sha256": after.sha256, **_meta(after)}
    metadata = tuple(
        Change(k, meta_before.get(k), meta_after.get(k))
        for k in dict.fromkeys([*meta_before, *meta_after])
        if meta_before.get(k) != meta_after.get(k)
    )
    return Comparison(before, after, figures, metadata)


def _meta(result: ResultFile) -> dict[str, Any]:
    out = {"svcount_version": result.version}
    for key, value in result.input.items():
        out[f"input.{key}"] = value
    for key, value in result.options.items():
        out[f"options.{key}"] = value
    return out
