"""The words every rendering shares: lists of names, numbers, dates, labels, the table frame."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from svcount.model import DecidedBy, NotCounted, Rejection

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["DECIDED", "HEADINGS", "HEADS", "and_list", "day_text", "number", "table"]

#: Each rejection heading's and second-preference head's label, by its JSON name.
HEADINGS = {h.value: h.label for h in Rejection}
HEADS = {h.value: h.label for h in NotCounted}

#: How a winner was decided, as the tables say it, by its JSON name.
DECIDED = {
    DecidedBy.MAJORITY.value: "more than half of the valid first preferences",
    DecidedBy.STAGE_TWO.value: "most votes after second preferences",
    DecidedBy.SIMPLE_MAJORITY.value: "a simple majority of two candidates",
    DecidedBy.MOST_VOTES.value: "most votes (first past the post)",
    DecidedBy.LOT.value: "lot, after an equality of votes",
}


def and_list(names: Sequence[str]) -> str:
    """``Ann``, ``Ann and Bob``, ``Ann, Bob and Cy``."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def number(value: int) -> str:
    return f"{value:,}"


def day_text(day: datetime.date) -> str:
    """A date as notices print it: ``5 May 2016``."""
    return f"{day.day} {day:%B %Y}"


#: A candidate's party, or description on the notice: the column a narrow table moves below.
PARTY_COLUMNS = ("Party", "Description")
#: The columns of words, not numbers (left-aligned): the party's, and a box's area and kind.
TEXT_COLUMNS = (*PARTY_COLUMNS, "Area", "Kind", "Station")


def table(title: str, *columns: str, plain: bool) -> Table:
    """A titled Rich table: numbers right-aligned, box art only when not ``plain``.

    Title and headers are ``Text``: a name in them is printed, never read as markup.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    t = Table(
        title=Text(title, style="" if plain else "bold"),
        box=None if plain else box.SIMPLE_HEAVY,
        title_justify="left",
        show_edge=not plain,
        title_style=None if plain else "bold",
        min_width=len(title) + 2,
    )
    for i, column in enumerate(columns):
        justify: Literal["left", "right"] = "left" if i == 0 or column in TEXT_COLUMNS else "right"
        t.add_column(Text(column), justify=justify)  # a Text: names in headers are not markup
    return t
