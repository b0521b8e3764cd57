"""The results page: one self-contained HTML file with HTML and CSS charts, from the figures view.

Rendered with Jinja2 with autoescaping on, so every string from the input
(names, parties, titles, areas) is text, never markup. No network request of
any kind: the styles are inline, the charts are HTML and CSS (their text is
page text, never scaled below its size, each figure in a column of its own so
nothing can overlap), and the page reads fully with JavaScript off (the
small script only adds a print button). Every
chart has a text alternative and the same numbers in an accessible table.
Same figures, same bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from svcount.figures import by_votes
from svcount.model import Candidate
from svcount.render.words import HEADINGS, HEADS, number

if TYPE_CHECKING:
    import jinja2

    from svcount.figures import View

__all__ = ["page"]


_SHORT_HEADS = {  # chart labels: the table beside the chart gives the full heading
    "blank": "No second preference",
    "more_than_one_candidate": "More than one marked",
    "void_for_uncertainty": "Void for uncertainty",
    "same_as_first": "Same as first",
    "not_remaining": "For an excluded candidate",
}
#: Colour-blind-safe (Okabe-Ito). Each candidate has one colour and one pattern on every
#: chart (after seven, the colours come round again with a new pattern), so colour is
#: never the only cue; what is not a candidate is grey.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
PATTERNS = ("solid", "striped", "dotted")


@dataclass(frozen=True)
class Style:
    """A candidate's look on every chart: a colour and a pattern."""

    index: int  # the candidate's place in the candidate list

    @property
    def classes(self) -> str:
        """The CSS classes of its bars: ``c3 striped`` is the fourth colour, striped."""
        pattern = PATTERNS[(self.index // len(PALETTE)) % len(PATTERNS)]
        return f"c{self.index % len(PALETTE)} {pattern}"


@dataclass(frozen=True)
class Segment:
    width: float  # per cent of the bar's track
    look: str  # CSS classes: a candidate's ("c3 striped"), or "neutral"
    added: bool = False  # second preferences added: hatched over the candidate's colour


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the figure as shown, in its own column: never over a bar or a line
    segments: tuple[Segment, ...]
    candidate: str | None = None  # whose bar it is, for the candidate's colour


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str  # the text alternative
    bars: tuple[Bar, ...]
    line: tuple[float, str] | None = None  # (per cent, key text): the more-than-half mark
    legend: tuple[tuple[str, str], ...] = ()  # (CSS classes of a swatch, what it means)


def _look(styles: Mapping[str, Style], name: str) -> str:
    return styles[name].classes


def _percent(value: float, top: float) -> float:
    return round(100 * value / top, 3) if top else 0.0


def _first_chart(
    view: Mapping[str, Any], names: Sequence[str], styles: Mapping[str, Style]
) -> Chart:
    """Stage one's votes, with the more-than-half line under SV."""
    votes = view["first_preferences"]
    sv = view["method"] == "sv"
    valid = view["valid_votes"]
    top = max([*votes.values(), valid // 2 + 1 if sv else 0, 1])
    line = None
    if sv:
        key = f"Dashed line: more than half of the valid votes ({number(valid // 2 + 1)}) elects."
        line = (_percent(valid / 2, top), key)
    return Chart(
        id="first",
        title="First preferences" if sv else "Votes",
        description=(
            ("First preferences: " if sv else "Votes: ")
            + "; ".join(f"{n} {number(votes[n])}" for n in names)
            + (f". More than half is more than {number(valid // 2)}." if sv else ".")
        ),
        bars=tuple(
            Bar(n, number(votes[n]), (Segment(_percent(votes[n], top), _look(styles, n)),), n)
            for n in names
        ),
        line=line,
    )


def _stage_two_charts(view: Mapping[str, Any], styles: Mapping[str, Style]) -> list[Chart]:
    """The final totals stacked, and where the excluded candidates' papers went."""
    votes, moved, final = view["first_preferences"], view["second_preferences"], view["final"]
    remaining = by_votes(moved, final)
    top = max([*final.values(), 1])
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
        bars=tuple(
            Bar(
                n,
                number(final[n]),
                (
                    Segment(_percent(votes[n], top), _look(styles, n)),
                    Segment(_percent(moved[n], top), _look(styles, n), added=True),
                ),
                n,
            )
            for n in remaining
        ),
        legend=(
            ("neutral", "Plain: first preferences"),
            ("neutral added", "Hatched: second preferences added"),
        ),
    )
    lost = {k: v for k, v in view["non_transferable"].items() if k != "total"}
    most = max([1, *moved.values(), *lost.values()])
    bars = [
        Bar(
            f"To {n}",
            number(moved[n]),
            (Segment(_percent(moved[n], most), _look(styles, n), True),),
            n,
        )
        for n in remaining
    ]
    bars += [
        Bar(_SHORT_HEADS[k], number(v), (Segment(_percent(v, most), "neutral"),))
        for k, v in lost.items()
    ]
    went = Chart(
        id="went",
        title="Where the excluded candidates' papers went",
        description="; ".join(f"{b.label}: {b.text}" for b in bars) + ".",
        bars=tuple(bars),
        legend=(("neutral", "Grey: not transferred"),),
    )
    return [stacked, went]


def _areas_chart(view: Mapping[str, Any], styles: Mapping[str, Style]) -> Chart | None:
    """Turnout by voting area, or, without electorates, the winner's share in each."""
    areas = view["areas"]
    winner = view["winner"]
    if all(a["turnout"] for a in areas.values()):
        values = {n: a["turnout"]["ballot_papers_pct"] for n, a in areas.items()}
        title, look = "Turnout by voting area (ballot papers counted)", "neutral"
    elif winner:
        values = {n: a["share_pct"].get(winner, 0) for n, a in areas.items()}
        title, look = f"{winner}'s share of first preferences by voting area", _look(styles, winner)
    else:
        return None
    top = max([*values.values(), 1])
    return Chart(
        id="areas",
        title=title,
        description="; ".join(f"{n} {v}%" for n, v in values.items()) + ".",
        bars=tuple(
            Bar(
                n,
                f"{v}%",
                (Segment(_percent(v, top), look),),
                None if look == "neutral" else winner,
            )
            for n, v in values.items()
        ),
    )


def _charts(
    view: Mapping[str, Any], candidates: Sequence[Candidate], styles: Mapping[str, Style]
) -> list[Chart]:
    """The page's charts, in order."""
    charts = [
        _first_chart(
            view, by_votes([c.name for c in candidates], view["first_preferences"]), styles
        )
    ]
    if view["second_preferences"] is not None:
        charts += _stage_two_charts(view, styles)
    areas = _areas_chart(view, styles) if view["areas"] else None
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


def _area_columns(view: Mapping[str, Any]) -> tuple[bool, bool]:
    """Whether the by-area table shows turnout, and the papers-issued check."""
    areas = (view["areas"] or {}).values()
    return all(a["turnout"] for a in areas), any(
        a["ballot_papers_issued"] is not None for a in areas
    )


def _issued_total(view: Mapping[str, Any]) -> tuple[int, int] | None:
    """The papers issued in all and issued less counted, as the text table's Total row gives
    them: when every voting area gave its papers issued."""
    issued = [a["ballot_papers_issued"] for a in (view["areas"] or {}).values()]
    if not issued or any(n is None for n in issued):
        return None
    return sum(issued), sum(issued) - view["ballot_papers"]


def _area_votes(view: Mapping[str, Any], candidates: Sequence[Candidate]) -> list[dict[str, Any]]:
    """The votes of each candidate in each voting area: first preferences, then stage two's."""
    areas = view["areas"]
    if not areas:
        return []
    names = by_votes([c.name for c in candidates], view["first_preferences"])
    tables = [
        {
            "id": "table-area-votes",
            "caption": ("First preferences" if view["method"] == "sv" else "Votes")
            + " for each candidate in each voting area",
            "names": names,
            "rows": [
                (a, [number(f["first_preferences"][n]) for n in names]) for a, f in areas.items()
            ],
            "total": [number(view["first_preferences"][n]) for n in names],
        }
    ]
    moved = view["second_preferences"]
    if moved is not None:
        remaining = by_votes(moved, view["final"])
        tables.append(
            {
                "id": "table-area-seconds",
                "caption": "Second preferences added to each remaining candidate, by voting area",
                "names": remaining,
                "rows": [
                    (a, [number((f["second_preferences"] or {}).get(n, 0)) for n in remaining])
                    for a, f in areas.items()
                ],
                "total": [number(moved[n]) for n in remaining],
            }
        )
    return tables


#: The options as a reader reads them, in the order outputs record them.
_OPTION_WORDS = {
    "method": "Method",
    "candidates": "Candidate list",
    "electorate": "Electorate",
    "lot": "Lot drawn by the returning officer",
    "seed": "Lot drawn with seed",
    "separator": "Marks separated by",
    "uncertain_marker": "Uncertain mark",
    "unknown_as_void": "Unknown names",
    "first_column": "First-preference column",
    "second_column": "Second-preference column",
    "rejected_column": "Rejection column",
    "area_column": "Voting-area column",
    "count_column": "Papers column",
    "electorate_file": "Electorate file",
    "encoding": "Encoding",
    "delimiter": "Delimiter",
    "skip_rows": "Lines left out before the header",
}
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


def _option_text(key: str, value: Any) -> str:
    """One option's value, in words: a file by its name, never a local path."""
    if key == "method":
        return {"sv": "supplementary vote", "fptp": "first past the post"}.get(value, str(value))
    if key in ("candidates", "electorate_file"):
        return PurePath(str(value)).name
    if key == "separator":
        return " or ".join(f"“{ch}”" for ch in str(value))
    if key == "delimiter":
        return _DELIMITERS.get(str(value), f"“{value}”")
    if key == "unknown_as_void":
        return "void" if value else "rejected"
    if key == "encoding":
        return str(value).upper()
    return f"{value:,}" if isinstance(value, int) else str(value)


def _footer(provenance: Mapping[str, Any]) -> dict[str, Any]:
    """The footer: the input by its file name(s) and hash, the options in words."""
    names = [PurePath(part.strip()).name for part in str(provenance["file"]).split(", ")]
    options = provenance.get("options") or {}
    return {
        "version": provenance["version"],
        "file": ", ".join(names),
        "sha256": provenance["sha256"],
        "options": [
            (_OPTION_WORDS.get(k, k.replace("_", " ")), _option_text(k, v))
            for k, v in options.items()
            if v is not None
            and v is not False
            and k in _OPTION_WORDS
            and not (k == "skip_rows" and v == 0)  # the default, as None is for the rest
        ],
    }


def _template() -> jinja2.Template:
    """The page's Jinja template, every value escaped."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("svcount.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("result.html.j2")


def page(
    view: Mapping[str, Any],
    candidates: Sequence[Candidate],
    provenance: Mapping[str, Any],
    *,
    title: str | None = None,
    returning_officer: str | None = None,
    date: datetime.date | None = None,
    margin: Mapping[str, Any] | None = None,
    signatures: Sequence[Mapping[str, Any]] = (),
) -> str:
    """The whole page; ``provenance`` gives the footer (version, file, sha256, options);
    ``signatures``, who signed each return, as the text declaration lists them."""
    template = _template()
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
        for c in by_votes(candidates, view["final"] or {}, view["first_preferences"])
    ]
    lost = view["non_transferable"] or {}
    styles = {c.name: Style(i) for i, c in enumerate(candidates)}
    rendered: str = template.render(
        heading=title or "Result of the poll",
        date=f"{date.day} {date:%B %Y}" if date else None,
        returning_officer=returning_officer,
        sv=sv,
        view=view,
        rows=rows,
        elected=_elected(view),
        margin=margin,
        charts=_charts(view, candidates, styles),
        palette=PALETTE,
        rejected=[(HEADINGS[k], number(v)) for k, v in view["rejected"].items() if k != "total"],
        rejected_total=number(view["rejected"]["total"]),
        lost=[(HEADS[k], number(v)) for k, v in lost.items() if k != "total"],
        lost_total=number(lost.get("total", 0)),
        turnout=view["turnout"],
        n=number,
        areas=view["areas"],
        area_votes=_area_votes(view, candidates),
        area_columns=_area_columns(view),
        issued_total=_issued_total(view),
        footer=_footer(provenance),
        signatures=signatures,
        all_checked=all(s["checked"] for s in signatures),
    )
    return rendered


def result_page(shown: View) -> str:
    """The results page of a result's View: its figures, notice, footer and margin."""
    return page(
        shown.figures,
        shown.candidates,
        shown.footer,
        title=shown.notice.title,
        returning_officer=shown.notice.returning_officer,
        date=shown.notice.date,
        margin=shown.margin,
        signatures=shown.signatures,
    )
