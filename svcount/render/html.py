"""The results page: one self-contained HTML file with SVG charts, from the figures view.

Rendered with Jinja2 with autoescaping on, so every string from the input
(names, parties, titles, areas) is text, never markup. No network request of
any kind: the styles are inline, the charts are inline SVG, and the page reads
fully with JavaScript off (the small script only adds a print button). Every
chart has a text alternative and the same numbers in an accessible table.
Same figures, same bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from svcount.model import Candidate
from svcount.render.words import HEADINGS, HEADS, number

__all__ = ["page"]


_SHORT_HEADS = {  # chart labels: the table beside the chart gives the full heading
    "blank": "No second preference",
    "more_than_one_candidate": "More than one marked",
    "void_for_uncertainty": "Void for uncertainty",
    "same_as_first": "Same as first",
    "not_remaining": "For an excluded candidate",
}
# Colour-blind-safe (Okabe-Ito), each with a pattern id, so colour is never the only cue.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
WIDTH = 640  # the SVG's own coordinate width; it scales to the page
LABEL = 200  # room for names on the left
ROW = 34


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # the number as shown
    segments: tuple[tuple[float, float, str, str], ...]  # (x, width, colour, pattern)
    y: int


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str  # the text alternative
    height: int
    bars: tuple[Bar, ...]
    line: tuple[float, str] | None = None  # (x, label): the more-than-half mark
    legend: tuple[tuple[str, str, str], ...] = ()  # (colour, pattern, label)


def _scale(top: int) -> float:
    return (WIDTH - LABEL - 90) / top if top else 0.0


def _bars(
    rows: Sequence[tuple[str, Sequence[int]]], top: int, colours: Sequence[int]
) -> tuple[Bar, ...]:
    """Horizontal bars; each row's values are stacked segments."""
    scale = _scale(top)
    out = []
    for i, (label, values) in enumerate(rows):
        x = float(LABEL)
        segments = []
        for j, value in enumerate(values):
            width = value * scale
            index = colours[j] if len(values) > 1 else colours[i % len(colours)]
            segments.append(
                (round(x, 2), round(width, 2), PALETTE[index % len(PALETTE)], f"p{index % 3}")
            )
            x += width
        out.append(Bar(label, sum(values), number(sum(values)), tuple(segments), 10 + i * ROW))
    return tuple(out)


def _first_chart(view: Mapping[str, Any], names: Sequence[str]) -> Chart:
    """Stage one's votes, with the more-than-half line under SV."""
    votes = view["first_preferences"]
    sv = view["method"] == "sv"
    top = max(votes.values()) if votes else 0
    valid = view["valid_votes"]
    half = valid / 2
    scale_top = max(top, int(half) + 1) if sv else top
    return Chart(
        id="first",
        title="First preferences" if sv else "Votes",
        description=(
            ("First preferences: " if sv else "Votes: ")
            + "; ".join(f"{n} {number(votes[n])}" for n in names)
            + (f". More than half is more than {number(valid // 2)}." if sv else ".")
        ),
        height=20 + len(names) * ROW,
        bars=_bars([(n, [votes[n]]) for n in names], scale_top, list(range(len(names)))),
        line=(round(LABEL + half * _scale(scale_top), 2), "half of valid votes") if sv else None,
    )


def _stage_two_charts(view: Mapping[str, Any]) -> list[Chart]:
    """The final totals stacked, and where the excluded candidates' papers went."""
    votes, moved, final = view["first_preferences"], view["second_preferences"], view["final"]
    remaining = list(moved)
    stacked = Chart(
        id="final",
        title="Final totals: first preferences and second preferences added",
        description="; ".join(
            f"{n}: {number(votes[n])} first preferences + "
            f"{number(moved[n])} second preferences "
            f"= {number(final[n])}"
            for n in remaining
        )
        + ".",
        height=20 + len(remaining) * ROW,
        bars=_bars([(n, [votes[n], moved[n]]) for n in remaining], max(final.values()), [0, 4]),
        legend=(
            (PALETTE[0], "p0", "First preferences"),
            (PALETTE[4], "p1", "Second preferences added"),
        ),
    )
    lost = {k: v for k, v in view["non_transferable"].items() if k != "total"}
    rows = [(f"To {n}", [moved[n]]) for n in remaining]
    rows += [(_SHORT_HEADS[k], [v]) for k, v in lost.items()]
    went = Chart(
        id="went",
        title="Where the excluded candidates' papers went",
        description="; ".join(f"{label}: {number(v[0])}" for label, v in rows) + ".",
        height=20 + len(rows) * ROW,
        bars=_bars(
            rows, max([1, *(v[0] for _, v in rows)]), [2] * len(remaining) + [6] * len(lost)
        ),
    )
    return [stacked, went]


def _areas_chart(view: Mapping[str, Any]) -> Chart | None:
    """Turnout by voting area, or, without electorates, the winner's share in each."""
    areas = view["areas"]
    if all(a["turnout"] for a in areas.values()):
        values = {n: a["turnout"]["ballot_papers_pct"] for n, a in areas.items()}
        title, unit = "Turnout by voting area (ballot papers counted)", "%"
    else:
        winner = view["winner"]
        values = {n: a["share_pct"].get(winner, 0) for n, a in areas.items()} if winner else {}
        title, unit = f"{winner}'s share of first preferences by voting area", "%"
    if not values:
        return None
    hundredths = {n: int(round(v * 100)) for n, v in values.items()}
    bars = _bars([(n, [hundredths[n]]) for n in values], max(hundredths.values()) or 1, [5])
    return Chart(
        id="areas",
        title=title,
        description="; ".join(f"{n} {v}{unit}" for n, v in values.items()) + ".",
        height=20 + len(values) * ROW,
        bars=tuple(
            Bar(b.label, b.value, f"{values[b.label]}{unit}", b.segments, b.y) for b in bars
        ),
    )


def _charts(view: Mapping[str, Any], candidates: Sequence[Candidate]) -> list[Chart]:
    """The page's charts, in order."""
    charts = [_first_chart(view, [c.name for c in candidates])]
    if view["second_preferences"] is not None:
        charts += _stage_two_charts(view)
    areas = _areas_chart(view) if view["areas"] else None
    return charts + ([areas] if areas else [])


def _elected(view: Mapping[str, Any]) -> str:
    from svcount.render.declaration import elected_sentence

    if view["winner"] is None:
        return (
            "No candidate is elected yet: an equality of votes between "
            + ", ".join(view["lot_required"])
            + " must be decided by lot."
        )
    return elected_sentence(view)


def page(
    view: Mapping[str, Any],
    candidates: Sequence[Candidate],
    provenance: Mapping[str, Any],
    *,
    title: str | None = None,
    returning_officer: str | None = None,
    date: datetime.date | None = None,
    margin: Mapping[str, Any] | None = None,
) -> str:
    """The whole page; ``provenance`` gives the footer (version, file, sha256, options)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("svcount.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = environment.get_template("result.html.j2")
    sv = view["method"] == "sv"
    two = view["second_preferences"]
    rows = [
        {
            "name": c.name,
            "party": c.party or "",
            "first": number(view["first_preferences"][c.name]),
            "share": f"{view['share_pct'][c.name]}",
            "second": number(two[c.name]) if two and c.name in two else "",
            "total": number(view["final"][c.name]) if two and c.name in two else "",
            "status": view["status"][c.name].replace("_", " "),
        }
        for c in candidates
    ]
    lost = view["non_transferable"] or {}
    return template.render(
        heading=title or "Result of the poll",
        date=f"{date.day} {date:%B %Y}" if date else None,
        returning_officer=returning_officer,
        sv=sv,
        view=view,
        rows=rows,
        elected=_elected(view),
        margin=margin,
        charts=_charts(view, candidates),
        palette=PALETTE,
        width=WIDTH,
        label=LABEL,
        rejected=[(HEADINGS[k], number(v)) for k, v in view["rejected"].items() if k != "total"],
        rejected_total=number(view["rejected"]["total"]),
        lost=[(HEADS[k], number(v)) for k, v in lost.items() if k != "total"],
        lost_total=number(lost.get("total", 0)),
        turnout=view["turnout"],
        n=number,
        areas=view["areas"],
        provenance=provenance,
    )
