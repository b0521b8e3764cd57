"""The declaration of result, as the returning officer gives it: text and markdown.

A rendering of the figures view (:func:`svcount.figures.figures`, or a result
file read back), never a recount: every number is the count's own, with
thousands separators. It follows the public notice of the PCC Elections Order
2012 Sch. 3 (r.62 and the declaration form), the GLA Act 1999 Sch. 2 for
mayors, and the first-past-the-post notice used from 2024: the elected
candidate and how, every candidate's votes, the statement of rejected ballot
papers, the papers on which no second preference was counted, papers counted
and turnout, and the figures of each voting area.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from svcount.figures import Notice, View
from svcount.model import Candidate
from svcount.render.blocks import md_table, md_text
from svcount.render.words import HEADINGS, HEADS, and_list, day_text, number

__all__ = ["Notice", "markdown", "text"]


def elected_sentence(view: Mapping[str, Any]) -> str:
    """The elected candidate in words, and how."""
    winner, how = view["winner"], view["decided_by"]
    final = view["final"]
    lead = view["majority"]
    if how == "unopposed":
        return f"{winner} is duly elected, unopposed."
    if how == "majority_at_stage_one":
        return (
            f"{winner} is duly elected, having received {number(final[winner])} of the "
            f"{number(view['valid_votes'])} valid first preferences, more than half "
            f"({number(view['votes_needed_at_stage_one'])} were needed)."
        )
    if how == "most_votes_after_second_preferences":
        return (
            f"{winner} is duly elected after the second preferences on the excluded "
            f"candidates' papers were added, with {number(final[winner])} votes, a majority of "
            f"{number(lead)}."
        )
    if how in ("most_votes", "simple_majority"):
        return (
            f"{winner} is duly elected, having received the most votes, {number(final[winner])}, "
            f"a majority of {number(lead)}."
        )
    lot = view["lot"]
    drawn = (
        "drawn by the returning officer"
        if lot["how"] == "entered"
        else f"drawn by svcount with the recorded seed {lot['seed']}"
    )
    stage = (
        "after second preferences"
        if view["stage_two_held"]
        else ("on first preferences" if view["method"] == "sv" else "")
    )
    votes = f"{number(final[winner])} votes each" if final else "equal votes"
    return (
        f"There was an equality of votes {stage + ' ' if stage else ''}between "
        f"{and_list(lot['tied'])} ({votes}). {winner} is duly elected by lot, {drawn}."
    )


@dataclass(frozen=True)
class _Section:
    """One part of the notice: a heading, sentences, and a table."""

    heading: str
    sentences: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    total: tuple[str, ...] | None = None


def _votes(view: Mapping[str, Any], candidates: Sequence[Candidate]) -> _Section:
    """The votes of every candidate, in candidate order."""
    sv = view["method"] == "sv"
    two = view["second_preferences"]
    columns: tuple[str, ...] = ("Candidate", "Description")
    columns += (
        ("First preferences", "Second preferences", "Total")
        if two
        else (("First preferences",) if sv else ("Votes",))
    )
    rows = []
    for c in candidates:
        first = view["first_preferences"][c.name]
        row: tuple[str, ...] = (c.name, c.party or "", number(first))
        if two:
            if c.name in two:
                row += (number(two[c.name]), number(view["final"][c.name]))
            else:
                row += ("", "excluded")
        rows.append(row)
    sentence = (
        "The votes given for each candidate were as follows:"
        if not sv
        else "The first preferences given for each candidate"
        + (", and the second preferences added to each remaining candidate," if two else "")
        + " were as follows:"
    )
    return _Section("Votes", (sentence,), columns, tuple(rows))


def _declaration(view: Mapping[str, Any]) -> _Section:
    """Who remained, and who is elected and how."""
    notes = []
    if view["excluded"]:
        notes.append(
            f"No candidate received more than half of the valid first preferences; "
            f"{and_list(view['remaining'])} remained and {and_list(view['excluded'])} "
            f"{'was' if len(view['excluded']) == 1 else 'were'} excluded."
        )
        if view["tie_for_second"]:
            notes.append(
                "An equality of votes gave more than two candidates an equal claim to the "
                "two places, so all of them remained."
            )
    elif view["tie_for_second"]:
        notes.append("An equality of votes kept every candidate in the count.")
    return _Section("Declaration", (*notes, elected_sentence(view)))


def _by_heading(
    heading: str, sentence: str, column: str, figures: Mapping[str, int], labels: Mapping[str, str]
) -> _Section:
    """Papers by heading, with their total (rejections, second preferences not counted)."""
    rows = tuple((labels[k], number(v)) for k, v in figures.items() if k != "total")
    return _Section(
        heading, (sentence,), (column, "Papers"), rows, ("Total", number(figures["total"]))
    )


def _papers(view: Mapping[str, Any]) -> _Section:
    papers = [
        f"Ballot papers counted: {number(view['ballot_papers'])} "
        f"({number(view['valid_votes'])} valid, {number(view['rejected']['total'])} rejected)."
    ]
    if view.get("verification"):  # the count summary, when it was checked (text_of)
        papers.append(view["verification"])
    turnout = view["turnout"]
    if turnout is not None:
        papers.append(
            f"Electorate: {number(turnout['electorate'])}. "
            f"Turnout: {turnout['ballot_papers_pct']}% "
            f"of the electorate by ballot papers counted, rejected ones included (the "
            f"returning officer's figure); {turnout['valid_votes_pct']}% by valid votes only."
        )
    return _Section("Ballot papers and turnout", tuple(papers))


def _verified(provenance: Any) -> str:
    """The count summary against the verification statement(s), when the count was checked:
    the papers verified, counted, and any difference with the reason it was accepted."""
    records = [f for f in provenance.files if f.get("role") == "verification" and "verified" in f]
    records += [p["verification"] for p in provenance.parts if p.get("verification")]
    if not records:
        return ""
    verified, counted = (sum(int(r[k]) for r in records) for k in ("verified", "counted"))
    said = f"Ballot papers verified: {number(verified)}; counted: {number(counted)}"
    if counted == verified:
        return said + "."
    reasons = sorted({str(r["accepted_difference"]) for r in records if "accepted_difference" in r})
    accepted = f", accepted: {'; '.join(reasons)}" if reasons else ""
    return f"{said} (a difference of {counted - verified:+,}{accepted})."


def _areas(view: Mapping[str, Any]) -> _Section:
    """Each voting area's papers, valid votes, rejections and turnout, with the total."""
    with_turnout = all(a["turnout"] for a in view["areas"].values())

    def cells(name: str, figures: Mapping[str, Any]) -> tuple[str, ...]:
        row = (
            name,
            number(figures["ballot_papers"]),
            number(figures["valid_votes"]),
            number(figures["rejected"]["total"]),
        )
        if not with_turnout:
            return row
        t = figures["turnout"]
        return row + ((str(t["ballot_papers_pct"]), str(t["valid_votes_pct"])) if t else ("", ""))

    columns: tuple[str, ...] = ("Voting area", "Papers", "Valid", "Rejected")
    columns += ("Turnout %", "Valid %") if with_turnout else ()
    return _Section(
        "By voting area",
        ("Ballot papers in each voting area:",),
        columns,
        tuple(cells(name, area) for name, area in view["areas"].items()),
        cells("Total", view),
    )


def _margin(margin: Mapping[str, Any]) -> _Section:
    """How close it was, and whether a recount could change it (``--margin``)."""
    return _Section("Margin of victory", (*margin["lines"], *margin["advice"]))


def _signatures(signatures: Sequence[Mapping[str, Any]]) -> _Section:
    """Who signed each file the result was read from, and whether that was checked."""
    checked = all(s["checked"] for s in signatures)
    lead = (
        "Each return was signed, and each signature checked against the trusted keys:"
        if checked
        else "Signed returns (a signature marked 'not checked' was read without --trust):"
    )
    return _Section(
        "Signed returns",
        (
            lead,
            *(
                line
                for s in signatures
                for line in (
                    f"{s['what'][:1].upper()}{s['what'][1:]} ({s['file']}): signed by {s['name']}"
                    + ("" if s["checked"] else " (not checked)"),
                    *_key_lines(s["fingerprint"]),
                )
            ),
        ),
    )


def _key_lines(mark: str) -> tuple[str, ...]:
    """A fingerprint within 80 columns: its hex groups eight to a line, to read aloud."""
    head, _, groups = mark.partition(":")
    words = groups.split()
    if len(words) <= 8:
        return (f"  key {mark}",)
    lead = f"  key {head}:"
    return (lead + " ".join(words[:8]), " " * len(lead) + " ".join(words[8:]))


def _sections(
    view: Mapping[str, Any],
    candidates: Sequence[Candidate],
    margin: Mapping[str, Any] | None = None,
    signatures: Sequence[Mapping[str, Any]] = (),
) -> list[_Section]:
    """The sections of the notice, in order."""
    out = [
        _votes(view, candidates),
        _declaration(view),
        _by_heading(
            "Statement of rejected ballot papers",
            "The number of ballot papers rejected was as follows:",
            "Heading",
            view["rejected"],
            HEADINGS,
        ),
    ]
    if view["non_transferable"] is not None:
        out.append(
            _by_heading(
                "Second preferences not counted",
                "Of the excluded candidates' papers, the number on which no second "
                "preference was counted, by reason:",
                "Reason",
                view["non_transferable"],
                HEADS,
            )
        )
    out.append(_papers(view))
    if view["areas"]:
        out.append(_areas(view))
    if margin is not None:
        out.append(_margin(margin))
    if signatures:
        out.append(_signatures(signatures))
    return out


def _preamble(notice: Notice) -> list[str]:
    lines = []
    if notice.date:
        lines.append(f"Date of poll: {day_text(notice.date)}")
    if notice.returning_officer:
        lines.append(f"Returning officer: {notice.returning_officer}")
    return lines


# --------------------------------------------------------------------------- text


def text(
    view: Mapping[str, Any],
    candidates: Sequence[Candidate],
    notice: Notice,
    margin: Mapping[str, Any] | None = None,
    signatures: Sequence[Mapping[str, Any]] = (),
) -> str:
    """The declaration as plain text, 80 columns at most."""
    import io

    from rich.console import Console

    from svcount.render.blocks import Grid, fitted, paragraph

    console = Console(file=io.StringIO(), width=80, color_system=None, force_terminal=False)
    keep = [c.name for c in candidates] + [c.party for c in candidates if c.party]
    keep += list(view["areas"] or ())

    def say(line: str = "") -> None:
        console.print(paragraph(line, keep))

    say(notice.heading)
    say("=" * min(80, len(notice.heading)))
    for line in _preamble(notice):
        say(line)
    for section in _sections(view, candidates, margin, signatures):
        say()
        say(section.heading)
        say("-" * len(section.heading))
        for sentence in section.sentences:
            say(sentence)
        if section.columns:
            say()
            console.print(fitted(Grid("", section.columns, section.rows, section.total), True))
    out: str = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in out.splitlines()) + "\n"


# --------------------------------------------------------------------------- markdown


def markdown(
    view: Mapping[str, Any],
    candidates: Sequence[Candidate],
    notice: Notice,
    margin: Mapping[str, Any] | None = None,
    signatures: Sequence[Mapping[str, Any]] = (),
) -> str:
    """The declaration as CommonMark with pipe tables, for a council's web page."""
    lines = [f"# {md_text(notice.heading)}", ""]
    preamble = _preamble(notice)
    if preamble:
        lines += [md_text(line) + "  " for line in preamble[:-1]] + [md_text(preamble[-1]), ""]
    for section in _sections(view, candidates, margin, signatures):
        lines += [f"## {md_text(section.heading)}", ""]
        for sentence in section.sentences:
            lines += [md_text(sentence), ""]
        if section.columns:
            lines += [*md_table(section.columns, section.rows, section.total), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def text_of(shown: View) -> str:
    """The declaration of a result's View as plain text (render/formats.py's builder)."""
    figures = {**shown.figures, "verification": _verified(shown.provenance)}
    return text(figures, shown.candidates, shown.notice, shown.margin, shown.signatures)


def markdown_of(shown: View) -> str:
    """The declaration of a result's View as CommonMark (render/formats.py's builder)."""
    figures = {**shown.figures, "verification": _verified(shown.provenance)}
    return markdown(figures, shown.candidates, shown.notice, shown.margin, shown.signatures)
