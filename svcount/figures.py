"""The figures view of a result: every figure once, by name, for every output to read.

JSON, CSV, ``svcount verify`` (and every format to come) are built from
:func:`figures` and :func:`area_figures`, never from the result directly, so
what is published is what is verified. Percentages are exact ``Decimal``\\ s;
a figure that does not apply (no stage two, no electorate, FPTP's second
preferences) is ``None``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from svcount.model import AreaResult, Candidate, Method, Provenance, Result, Turnout, percent

__all__ = [
    "AREA_FIGURES",
    "Notice",
    "View",
    "area_figures",
    "by_votes",
    "figures",
    "fptp_status",
    "view",
    "with_total",
]

_Named = TypeVar("_Named", str, Candidate)

#: The figures of a voting area that outputs show, in order (JSON, diff).
AREA_FIGURES = (
    "ballot_papers",
    "valid_votes",
    "first_preferences",
    "second_preferences",
    "final",
    "rejected",
    "second_preferences_not_counted",
    "non_transferable",
    "excluded_papers",
    "turnout",
    "ballot_papers_issued",
    "issued_minus_counted",
)


def with_total(heads: Mapping[Any, int]) -> dict[str, int]:
    """Figures by heading (an Enum's value), then their ``total``."""
    out = {head.value: n for head, n in heads.items()}
    out["total"] = sum(heads.values())
    return out


def _statuses(result: Result, names: list[str]) -> dict[str, dict[str, str]]:
    """Every candidate's status, final and at stage one, linear in the candidates.

    Final: elected, tied while a lot is required, excluded, or not_elected.
    At stage one: remaining or excluded when the count went on, else the final.
    """
    tied, excluded = set(result.lot_required), set(result.stage_one.excluded)
    remaining = set(result.stage_one.remaining)
    final = {
        n: "elected"
        if n == result.winner
        else "tied"
        if n in tied
        else "excluded"
        if n in excluded
        else "not_elected"
        for n in names
    }
    first = (
        {n: "remaining" if n in remaining else "excluded" for n in names} if remaining else final
    )
    return {"status": final, "stage_one_status": dict(first)}


def first_past_the_post(result: Result) -> dict[str, Any]:
    """What first past the post would have done with these first preferences.

    ``first_preference_leader`` is the candidate with most first preferences
    (None when several share the lead); for SV, ``winner_changed_by_transfers``
    says whether the winner came from behind, and ``first_preference_deficit``
    by how many first preferences (None for FPTP, where the count is this).
    """
    votes = result.stage_one.votes
    status = fptp_status(votes)
    leaders = [n for n, s in status.items() if s != "not_elected"]
    leader = leaders[0] if len(leaders) == 1 else None
    sv = result.method is Method.SV
    changed = sv and result.winner is not None and result.winner not in leaders
    return {
        "first_preference_leader": leader,
        "winner_changed_by_transfers": changed if sv else None,
        "first_preference_deficit": (max(votes.values()) - votes[result.winner])
        if changed and result.winner is not None
        else (0 if sv else None),
        "fptp_status": status,
    }


def fptp_status(votes: Mapping[str, int]) -> dict[str, str]:
    """Each candidate under first past the post: elected, tied (a lot), or not_elected."""
    top = max(votes.values())
    leaders = [n for n, v in votes.items() if v == top]
    return {
        n: ("elected" if leaders == [n] else "tied" if n in leaders else "not_elected")
        for n in votes
    }


def turnout_figures(turnout: Turnout | None) -> dict[str, Any] | None:
    if turnout is None:
        return None
    return {
        "electorate": turnout.electorate,
        "ballot_papers": turnout.ballot_papers,
        "ballot_papers_pct": turnout.ballot_papers_pct,
        "valid_votes": turnout.valid_votes,
        "valid_votes_pct": turnout.valid_votes_pct,
    }


def figures(result: Result) -> dict[str, Any]:
    """Every figure of a result, keyed as the JSON output and expected files name them."""
    one, two = result.stage_one, result.stage_two
    lot = result.lot
    names = [c.name for c in result.candidates]
    return {
        "method": result.method.value,
        "winner": result.winner,
        "decided_by": result.decided_by.value,
        "lot_required": list(result.lot_required),
        "lot": None
        if lot is None
        else {"tied": list(lot.tied), "winner": lot.winner, "how": lot.how, "seed": lot.seed},
        "majority": result.majority,
        "ballot_papers": result.ballot_papers,
        "valid_votes": result.valid,
        "votes_needed_at_stage_one": one.majority,
        "elected_at_stage_one": result.winner if two is None else None,
        "stage_two_held": two is not None,
        "remaining": list(one.remaining),
        "excluded": list(one.excluded),
        "tie_for_second": one.tie_for_second,
        "first_preferences": dict(one.votes),
        "share_pct": {n: result.share(n) for n in names},
        "second_preferences": dict(two.transfers) if two else None,
        "transfers_by_excluded": {e: dict(t) for e, t in two.by_excluded.items()}
        if two and two.by_excluded
        else None,
        "final": dict(result.final),
        **_statuses(result, names),
        "rejected": with_total(result.rejected),
        "non_transferable": with_total(two.non_transferable) if two else None,
        "excluded_papers": two.excluded_papers if two else None,
        "second_preferences_not_counted": with_total(result.second_not_counted)
        if result.second_not_counted is not None
        else None,
        "turnout": turnout_figures(result.turnout),
        **first_past_the_post(result),
        "areas": {area.name: area_figures(area) for area in result.areas},
    }


def area_figures(area: AreaResult) -> dict[str, Any]:
    """One voting area's share of every figure."""
    first, moved = area.first, area.transfers
    return {
        "ballot_papers": first.ballot_papers,
        "valid_votes": first.valid,
        "first_preferences": dict(first.votes),
        "share_pct": {n: percent(v, first.valid) for n, v in first.votes.items()},
        "second_preferences": dict(moved.transfers) if moved else None,
        "final": dict(area.totals),
        "rejected": with_total(area.rejected),
        "second_preferences_not_counted": with_total(first.second_not_counted)
        if area.method is Method.SV
        else None,
        "non_transferable": with_total(moved.non_transferable) if moved else None,
        "excluded_papers": moved.excluded_papers if moved else None,
        "turnout": turnout_figures(area.turnout),
        "ballot_papers_issued": area.issued,
        "issued_minus_counted": area.issued_minus_counted,
    }


@dataclass(frozen=True)
class Notice:
    """What the declaration says beyond the figures: who gives it, for what, when."""

    title: str | None = None
    returning_officer: str | None = None
    date: datetime.date | None = None

    @property
    def heading(self) -> str:
        return self.title or "Result of the poll"

    def over(self, kept: Notice) -> Notice:
        """This notice, each part not given taken from ``kept`` (a result file's own)."""
        return Notice(
            self.title or kept.title,
            self.returning_officer or kept.returning_officer,
            self.date or kept.date,
        )

    def record(self) -> dict[str, str]:
        """As a result file keeps it: only what was given."""
        given = {"title": self.title, "returning_officer": self.returning_officer}
        given["date"] = None if self.date is None else self.date.isoformat()
        return {k: v for k, v in given.items() if v is not None}


@dataclass(frozen=True)
class View:
    """A result as every output shows it: its figures, its candidates, where it came from.

    Made from a count (:func:`view`) or from a result file read back and
    checked, so every format renders either one the same way.
    """

    figures: Mapping[str, Any]
    candidates: tuple[Candidate, ...]
    provenance: Provenance
    margin: Mapping[str, Any] | None = None  # asked for with --margin (render/margin.summary)
    notice: Notice = Notice()  # --title, --date, --returning-officer
    signed: Mapping[str, Any] | None = None  # the result file's own signature, as read back

    @property
    def signatures(self) -> tuple[Mapping[str, Any], ...]:
        """Who signed what: each local return combined, then the result file itself.

        Each is ``{file, what, name, fingerprint, checked}``.
        """
        parts = [
            {"file": p["file"], "what": f"{p['area']}, {p['stage']} count", **p["signed_by"]}
            for p in self.provenance.parts
            if isinstance(p.get("signed_by"), Mapping)
        ]
        return (*parts, *([self.signed] if self.signed else []))

    @property
    def footer(self) -> dict[str, Any]:
        """What a page's footer says about where its figures came from."""
        p = self.provenance
        return {
            "version": p.version,
            "file": p.file,
            "sha256": p.sha256,
            "options": dict(p.options),
        }


def by_votes(items: Iterable[_Named], *tallies: Mapping[str, int]) -> list[_Named]:
    """Candidates (or names) with the most votes first, for tables (README, "Outputs").

    Sorted by each tally in turn; a name a tally lacks (an excluded candidate's
    final total) comes after those it has, and ties keep the ballot order.
    """

    def key(item: _Named) -> tuple[int, ...]:
        name = item if isinstance(item, str) else item.name
        return tuple(-tally[name] if name in tally else 1 for tally in tallies)

    return sorted(items, key=key)


def view(result: Result, provenance: Provenance) -> View:
    """A count's view."""
    return View(figures(result), result.candidates, provenance)
