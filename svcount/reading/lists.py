"""The lists a count reads beside the ballots: candidate lists and areas files.

Each is read into checked values or refused with a located one-line
:class:`~svcount.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from svcount.errors import InputError, whole_number
from svcount.marks import fold
from svcount.model import Candidate
from svcount.names import name_in
from svcount.reading.header import COLUMN_NAMES
from svcount.reading.source import check_readable

__all__ = ["AreaRow", "area_electorates", "frame_candidates", "read_areas", "read_candidates"]


def _read_text(path: str, encoding: str | None, what: str) -> str:
    """A small text file, decoded; a bad byte names the file and suggests the fix."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # the name policy bounds names
    file = Path(path)
    check_readable(file, path, f"a {what}")
    try:
        return file.read_text(encoding=encoding or "utf-8-sig")
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", file=path) from None
    except UnicodeDecodeError as exc:
        name = (encoding or "utf-8").upper()
        raise InputError(
            f"is not valid {name} text (byte 0x{exc.object[exc.start]:02x}): save the {what} "
            "as UTF-8, or give --encoding",
            file=path,
        ) from None


def _delimiter_of(line: str) -> str:
    return max((",", ";", "\t"), key=line.count) if any(d in line for d in ",;\t") else ","


_NAME_HEADERS = ("name", "candidate", "candidatename", "nameofcandidate", "fullname")
_PARTY_HEADERS = ("party", "description", "partydescription", "affiliation", "partyname")
#: What a party column's header holds when it is spelled otherwise ("Political party").
_PARTY_WORDS = ("party", "description", "affiliation")


def _column(header: list[str], exact: tuple[str, ...], words: tuple[str, ...]) -> int | None:
    """The column named one of ``exact``, else the first whose name holds one of ``words``.

    Only a line of several cells is read for ``words``: a one-name-per-line
    list may well begin with a candidate whose name holds "name".
    """
    found = next((header.index(h) for h in exact if h in header), None)
    if found is None and len(header) > 1:
        found = next((i for i, h in enumerate(header) if any(w in h for w in words)), None)
    return found


def frame_candidates(frame: Any) -> list[tuple[str, str | None]]:
    """A DataFrame of candidates: its name column (and party column), found as a candidate
    file's header is; a frame of one column is names."""
    header = [fold(str(h)) for h in frame.columns]
    party_at = _column(header, _PARTY_HEADERS, _PARTY_WORDS)
    name_at = _column(
        [h if i != party_at else "" for i, h in enumerate(header)], _NAME_HEADERS, ("name",)
    )
    if name_at is None and len(header) == 1:
        name_at = 0
    if name_at is None:
        raise InputError(
            f"the candidates' DataFrame has no name column (columns: {list(frame.columns)!r}): "
            "name it name (and party), or give a list of names"
        )
    names = frame.iloc[:, name_at].tolist()
    parties = frame.iloc[:, party_at].tolist() if party_at is not None else [None] * len(names)
    return [
        (str(n), None if p is None or p != p or not str(p).strip() else str(p))  # NaN: no party
        for n, p in zip(names, parties, strict=True)
    ]


def read_candidates(path: str, encoding: str | None = None) -> tuple[Candidate, ...]:
    """A candidate list: one name per line, or a CSV with a ``name`` (and ``party``) column."""
    lines = _read_text(path, encoding, "candidate list").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise InputError("the candidate list is empty", file=path)
    delimiter = ";" if lines[start].count(";") > lines[start].count(",") else ","
    header = [fold(h) for h in next(csv.reader([lines[start]], delimiter=delimiter))]
    party_at = _column(header, _PARTY_HEADERS, _PARTY_WORDS)
    name_at = _column(
        [h if i != party_at else "" for i, h in enumerate(header)], _NAME_HEADERS, ("name",)
    )
    entries: list[tuple[int, str, str | None]] = []
    if name_at is not None:
        reader = csv.reader(io.StringIO("\n".join(lines[start + 1 :])), delimiter=delimiter)
        for offset, row in enumerate(reader):
            if not any(cell.strip() for cell in row):
                continue
            cell = row[party_at].strip() if party_at is not None and party_at < len(row) else ""
            entries.append(
                (start + 2 + offset, row[name_at] if name_at < len(row) else "", cell or None)
            )
    else:
        entries = [(i + 1, line, None) for i, line in enumerate(lines) if line.strip()]
        if len(entries) > 1 and all(delimiter in text for _, text, _ in entries):
            raise InputError(
                f"looks like a CSV without a header: every line holds a {delimiter!r}. "
                f"Add a first line such as name{delimiter}party, or list one name per line",
                file=path,
                line=entries[0][0],
            )
    seen: dict[str, int] = {}
    candidates = []
    for line, raw_name, party in entries:
        name = name_in(raw_name, "candidate", path, line)
        party = None if party is None else (name_in(party, "party", path, line) or None)
        if not name:
            raise InputError("a row has no candidate name", file=path, line=line)
        if name.casefold() in seen:
            raise InputError(
                f"candidate {name!r} is listed twice (lines {seen[name.casefold()]} and {line})",
                file=path,
                line=line,
            )
        seen[name.casefold()] = line
        candidates.append(Candidate(name, party))
    if not candidates:
        raise InputError("the candidate list has a header but no names", file=path)
    return tuple(candidates)


@dataclass(frozen=True)
class AreaRow:
    """One row of an areas file: a voting area, its electorate, papers issued."""

    name: str
    electorate: int | None
    issued: int | None


_AREA_FIELDS = {
    "area": COLUMN_NAMES["area"],
    "electorate": ("electorate", "electors"),
    "issued": ("ballotpapersissued", "papersissued", "issued"),
}


def read_areas(
    path: str, *, need_electorate: bool, encoding: str | None = None
) -> tuple[AreaRow, ...]:
    """An areas file: CSV with ``area``, ``electorate`` and ``ballot_papers_issued`` columns.

    Area names are read as ballot files' are (trimmed, NFC); two that differ
    only in case are an error naming both.
    """
    lines = _read_text(path, encoding, "areas file").splitlines()
    first = next((line for line in lines if line.strip()), "")
    reader = csv.reader(lines, delimiter=_delimiter_of(first))
    rows = [(i + 1, row) for i, row in enumerate(reader) if any(c.strip() for c in row)]
    if not rows:
        raise InputError("the areas file is empty", file=path)
    header = [fold(h) for h in rows[0][1]]
    where = {
        key: next((header.index(n) for n in names if n in header), None)
        for key, names in _AREA_FIELDS.items()
    }
    if where["area"] is None or (need_electorate and where["electorate"] is None):
        wanted = "area,electorate" if need_electorate else "area"
        raise InputError(
            f"the header needs the columns {wanted} (optional: ballot_papers_issued)",
            file=path,
            line=rows[0][0],
        )
    out: list[AreaRow] = []
    seen: dict[str, tuple[str, int]] = {}
    for line, row in rows[1:]:
        at = where["area"]
        name = name_in(row[at], "area", path, line) if at is not None and at < len(row) else ""
        if not name:
            raise InputError("a row has no area name", file=path, line=line)
        if name.casefold() in seen:
            other, at_line = seen[name.casefold()]
            same = "is listed twice" if other == name else f"and {other!r} differ only in case"
            raise InputError(
                f"area {name!r} {same} (lines {at_line} and {line})", file=path, line=line
            )
        seen[name.casefold()] = (name, line)

        electorate = _cell(row, where["electorate"], "electorate", path, line)
        if need_electorate and electorate is None:
            raise InputError(f"area {name!r} has no electorate", file=path, line=line)
        out.append(
            AreaRow(
                name, electorate, _cell(row, where["issued"], "ballot_papers_issued", path, line)
            )
        )
    if not out:
        raise InputError("the areas file has a header but no areas", file=path)
    return tuple(out)


def _cell(row: list[str], index: int | None, what: str, path: str, line: int) -> int | None:
    text = row[index].strip() if index is not None and index < len(row) else ""
    try:
        return whole_number(text, what, text=True) if text else None
    except ValueError as exc:
        raise InputError(str(exc), file=path, line=line) from None


def area_electorates(
    path: str | None, areas: Iterable[str], encoding: str | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """Electorates and papers issued per area from an areas file, checked against ``areas``."""
    if path is None:
        return {}, {}
    areas = list(areas)
    rows = read_areas(path, need_electorate=True, encoding=encoding)
    listed = [r.name for r in rows]
    missing = [a for a in areas if a not in listed]
    extra = [a for a in listed if a not in areas]
    if missing or extra:
        parts = [
            f"in the ballots but not the file: {', '.join(missing)}" if missing else "",
            f"in the file but not the ballots: {', '.join(extra)}" if extra else "",
        ]
        raise InputError(
            "the areas differ from the ballots' (" + "; ".join(p for p in parts if p) + ")",
            file=path,
        )
    issued = {r.name: r.issued for r in rows if r.issued is not None}
    return {r.name: r.electorate for r in rows if r.electorate is not None}, issued
