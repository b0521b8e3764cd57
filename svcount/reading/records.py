"""A record of a structured source, in the count's own vocabulary, and the papers that give them.

A reader of a structured format (reading/formats.py) gives :class:`Papers`;
each :class:`Record` is one paper (or several alike) as the count reads it:
the marks of its first and second preference as
:class:`~svcount.model.Marked` values, a heading of the statement where the
source gives one, its voting area, and its own number and id for messages and
the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from svcount.marks import Field
from svcount.model import Candidate, Method

__all__ = ["Papers", "Record", "where"]


@dataclass(frozen=True, slots=True)
class Record:
    """One record of a structured source: a paper (or ``papers`` alike) as the count reads it."""

    number: int  # its position in the file, from 1
    id: str  # the source's own name for it ("" when it has none)
    first: Field
    second: Field
    rejected: str = ""  # a heading of the statement, as ``marks.heading_of`` reads it, or ""
    area: str = ""
    papers: int = 1


class Papers(Protocol):
    """A structured source's papers, read again from the file each time they are asked for."""

    #: How a message names one record ("CVR").
    noun: str
    #: The method the source says (a plurality contest is first past the post), or None.
    method: Method | None
    #: Every candidate the source declares, in its order, with parties: 0 votes included.
    candidates: tuple[Candidate, ...]
    #: Whether each record names a voting area.
    has_areas: bool
    #: Where the source keeps each role (first, second, rejected, area), for provenance.
    columns: Mapping[str, str]

    def records(self) -> Iterator[Record]: ...

    def notices(self) -> tuple[str, ...]:
        """What the last reading of the records found that the user should be told."""
        ...


def where(papers: Papers, record: Record) -> str:
    """How messages name a record: ``CVR 12 (cvr-0012)``."""
    own = f" ({record.id})" if record.id and record.id != str(record.number) else ""
    return f"{papers.noun} {record.number:,}{own}"
