"""``svcount margin``: the margins of victory as table blocks, markdown and JSON.

Every sentence says which figure is exact and which is a bound: M, M_add and
M_remove are exact; half the final gap is the bound reports usually quote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from svcount.operations.margin import Doubt, FigureBounds, Kind, Margin, Margins, Move
from svcount.render import blocks
from svcount.render.blocks import Block, Grid, Note
from svcount.render.words import and_list, number

if TYPE_CHECKING:
    from rich.console import RenderableType

    from svcount.model import Provenance, Result

__all__ = [
    "MARGIN_SCHEMA",
    "doubt_sentence",
    "kind_text",
    "margin_blocks",
    "margin_json",
    "margin_markdown",
    "margin_tables",
    "summary",
    "summary_grid",
    "bounds_summary",
    "move_text",
    "outcome_text",
]

MARGIN_SCHEMA = "svcount-margin/1"

_TITLES = {
    "change": ("M", "papers read differently"),
    "add": ("M_add", "papers added"),
    "remove": ("M_remove", "papers removed"),
}


def _papers(n: int) -> str:
    return f"{number(n)} paper" + ("" if n == 1 else "s")


def kind_text(kind: Kind) -> str:
    """A kind of paper in words: ``(Ann, then Bob)``, ``(Ann, no second preference)``."""
    first, second = kind
    if first is None:
        return "(rejected)"
    return f"({first}, then {second})" if second else f"({first}, no second preference)"


def move_text(move: Move) -> str:
    """One line of a witness in words."""
    if move.before is None:
        assert move.after is not None
        return f"add {_papers(move.papers)} {kind_text(move.after)}"
    if move.after is None:
        return f"remove {_papers(move.papers)} {kind_text(move.before)}"
    return f"read {_papers(move.papers)} {kind_text(move.before)} as {kind_text(move.after)}"


def outcome_text(margin: Margin) -> str:
    """Who the witness's count elects, in words."""
    r = margin.recount
    if r is None:
        return "no valid ballot paper remains"
    if r.lot is not None and margin.papers == 0:
        return f"a lot was drawn between {and_list(r.lot.tied)}: {r.winner} is elected"
    if r.winner is None:
        return f"a lot is needed between {and_list(r.lot_required)}"
    final = sorted(r.final.values(), reverse=True)
    votes = f", {number(final[0])} to {number(final[1])}" if len(final) > 1 else ""
    return f"{r.winner} is elected{votes}"


def _witness_text(margin: Margin) -> str:
    if margin.papers is None:
        return "no change can elect another candidate"
    if not margin.witness:
        return "none needed"
    text = "; ".join(move_text(m) for m in margin.witness)
    return text[0].upper() + text[1:]


def doubt_sentence(doubt: Doubt) -> str:
    """Whether papers in doubt could change the result, said plainly."""
    name = {"change": "margin", "add": "M_add", "remove": "M_remove"}[doubt.mode]
    n, m = doubt.papers, doubt.margin
    one = n == 1
    they = "it" if one else "they"
    if doubt.could_change:
        relation = ("exceeds" if one else "exceed") if n > m else ("equals" if one else "equal")
        return (
            f"The {_papers(n)} {doubt.what} {relation} the {name} of {number(m)}: "
            f"read otherwise, {they} could change the result."
        )
    return (
        f"The {_papers(n)} {doubt.what} {'is' if one else 'are'} fewer than the {name} of "
        f"{number(m)}: however {they} {'is' if one else 'are'} read, {they} cannot change "
        "the result."
    )


def _bound_sentence(found: Margins) -> str | None:
    m, bound = found.change.papers, found.naive_bound
    if m is None or bound is None:
        return None
    if m < bound:
        return (
            f"The final gap suggests {number(bound)} (half of it, a bound), but "
            f"{_papers(m)} read differently {'changes' if m == 1 else 'change'} which "
            "candidates remain or who leads: the exact margin is smaller."
        )
    if m > bound:
        return (
            f"Half the final gap is {number(bound)}, but no {_papers(bound)} read "
            f"differently change the result: it takes {number(m)}."
        )
    return f"The exact margin is half the final gap, {number(bound)}, as usually quoted."


def margin_blocks(found: Margins, provenance: Provenance) -> list[Block]:
    """The margins, their witnesses and what they mean for a recount."""
    facts = summary(found)
    out: list[Block] = [
        Note(f"Margin of victory: {provenance.file} (sha256 {provenance.sha256[:12]}…)"),
        summary_grid(facts),
        *(Note(line) for line in facts["lines"]),
    ]
    if found.doubts:
        out.append(
            Grid(
                "Recount advice: papers in doubt against the margin they bear on",
                ("Papers in doubt", "Papers", "Margin", "Could change it"),
                tuple(
                    (d.what, number(d.papers), number(d.margin), "yes" if d.could_change else "no")
                    for d in found.doubts
                ),
            )
        )
        out.extend(Note(line) for line in facts["advice"])
    else:
        out.append(Note("Recount advice: no paper's reading is recorded as in doubt."))
    out.extend(Note(note[0].upper() + note[1:] + ".") for note in found.notes)
    return out


def margin_tables(found: Margins, provenance: Provenance, *, plain: bool) -> list[RenderableType]:
    return blocks.rich(margin_blocks(found, provenance), plain=plain)


def margin_markdown(found: Margins, provenance: Provenance) -> str:
    return blocks.markdown(margin_blocks(found, provenance))


def _kind_json(kind: Kind | None) -> dict[str, Any] | None:
    if kind is None:
        return None
    first, second = kind
    return {"rejected": first is None, "first": first, "second": second}


def _outcome_json(recount: Result | None) -> dict[str, Any]:
    if recount is None:
        return {"winner": None, "lot_required": [], "final": {}, "valid_votes": 0}
    return {
        "winner": recount.winner,
        "lot_required": list(recount.lot_required),
        "final": dict(recount.final),
        "valid_votes": recount.valid,
    }


def _margin_json(margin: Margin) -> dict[str, Any]:
    return {
        "papers": margin.papers,
        "exact": margin.exact,
        "lower_bound": margin.papers if margin.exact else margin.lower,
        "witness": [
            {
                "papers": m.papers,
                "before": _kind_json(m.before),
                "after": _kind_json(m.after),
                "text": move_text(m),
            }
            for m in margin.witness
        ],
        "outcome": {**_outcome_json(margin.recount), "text": outcome_text(margin)}
        if margin.papers is not None
        else None,
    }


def margin_json(found: Margins, provenance: Provenance) -> str:
    """One object, schema ``svcount-margin/1`` (README, "svcount margin")."""
    document = {
        "schema": MARGIN_SCHEMA,
        "svcount_version": provenance.version,
        "input": provenance.input_record(),
        "options": dict(provenance.options),
        "method": found.method.value,
        "winner": found.winner,
        "exact": all(m.exact for m in found),
        "time_limit_seconds": found.seconds,
        "margins": {m.mode: _margin_json(m) for m in found},
        "naive_bound": found.naive_bound,
        "runner_up": found.runner_up,
        "majority": found.majority,
        "bound_text": _bound_sentence(found),
        "doubts": [_doubt_json(d) for d in found.doubts],
        "notes": list(found.notes),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _doubt_json(d: Doubt) -> dict[str, Any]:
    return {
        "figure": d.key,
        "what": d.what,
        "papers": d.papers,
        "compared_with": d.mode,
        "margin": d.margin,
        "could_change": d.could_change,
        "text": doubt_sentence(d),
    }


def summary(found: Margins) -> dict[str, Any]:
    """The margins as plain data for the other outputs: figures, then sentences to print."""
    lines = []
    for margin in found:
        symbol, _ = _TITLES[margin.mode]
        if not margin.exact:
            assert margin.lower is not None and margin.papers is not None
            lines.append(
                f"{symbol}: not proven exact within {number(round(found.seconds))} s: "
                f"at least {number(margin.lower)}, at most {_papers(margin.papers)}."
            )
        if margin.papers:
            lines.append(f"{symbol}: {_witness_text(margin)}; then {outcome_text(margin)}.")
    bound = _bound_sentence(found) if found.change.exact else None
    exact = all(m.exact for m in found)
    return {
        "exact": exact,
        **({} if exact else {"lower_bound": found.change.lower, "within": found.seconds}),
        "winner": found.winner,
        **{m.mode: m.papers for m in found},
        "naive_bound": found.naive_bound,
        "majority": found.majority,
        "lines": [*lines, *([bound] if bound else [])],
        "advice": [doubt_sentence(d) for d in found.doubts if d.key != "rejected.total"],
    }


def bounds_summary(bounds: FigureBounds, winner: str) -> dict[str, Any]:
    """What a result file's figures alone say of the margin: bounds, labelled so."""
    if bounds.exact:
        assert bounds.change is not None and bounds.add is not None
        lines = [
            f"From the figures (first past the post): M is {number(bounds.change)}, "
            f"M_add and M_remove {number(bounds.add)}."
        ]
    else:
        lines = [
            f"From the figures alone M is at least {number(bounds.lower)} (a bound); half the "
            f"final gap is {number(bounds.naive_bound or 0)}. The ballot file gives the exact "
            "figure: svcount margin BALLOTS."
        ]
    return {
        "exact": bounds.exact,
        "winner": winner,
        "change": bounds.change,
        "add": bounds.add,
        "remove": bounds.remove,
        "lower_bound": bounds.lower,
        "naive_bound": bounds.naive_bound,
        "lines": lines,
        "advice": [],
    }


def summary_grid(margin: Mapping[str, Any]) -> Grid:
    """The margins in a table beside the count's own tables."""
    unknown = "none" if margin["exact"] else "unknown"  # none: no change can unseat a lone one
    rows = []
    for key, (symbol, what) in _TITLES.items():
        value = margin[key]
        rows.append((f"{symbol}: {what}", unknown if value is None else number(value)))
    if not margin["exact"]:
        rows.append(("M is at least (a bound)", number(margin["lower_bound"])))
    if margin["naive_bound"] is not None:
        rows.append(("Half the final gap (a bound)", number(margin["naive_bound"])))
    if margin.get("majority") is not None:
        rows.append(("Majority", number(margin["majority"])))
    title = "How close it was" + (f": {margin['winner']} is elected" if "winner" in margin else "")
    if not margin["exact"]:
        within = margin.get("within")
        title += (
            " (from the figures alone)"
            if within is None
            else f" (not proven exact within {number(round(within))} s)"
        )
    return Grid(title, ("Margin", "Papers"), tuple(rows))
