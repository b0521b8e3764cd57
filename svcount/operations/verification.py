"""The verification of ballot papers, box by box, before the count (README, "Count night").

Before any vote is counted the returning officer has the papers in each ballot
box (and postal ballot box) counted face down and compared with the presiding
officer's ballot paper account, and draws up a statement as to the result of
the verification: for each box the papers expected and those verified, with an
explanation of any variance, and the postal and station papers verified.

The accounts are a CSV with a row per box: ``box``, optional ``station``,
``area`` and ``kind`` (``station`` or ``postal``), the account as ``issued``
or as ``supplied``, ``unused`` and ``spoilt`` (issued = supplied − unused −
spoilt), optional ``tendered`` (recorded, never counted), ``verified`` and
optional ``explanation``. Columns are matched as a ballot file's headers are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svcount.errors import InputError, whole_number
from svcount.marks import area_order
from svcount.names import name_in
from svcount.operations.notebook import Tabulated
from svcount.reading.header import header_key

if TYPE_CHECKING:
    from svcount.documents.signing import Trusted

__all__ = [
    "SCHEMA",
    "Box",
    "Statement",
    "Verified",
    "agreement",
    "read_accounts",
    "read_statement",
    "statement_document",
]

SCHEMA = "svcount-verification/1"
#: Each column's spellings, matched as headers are (case, spaces, - and _ ignored).
_COLUMNS = {
    "box": ("box", "ballotbox", "boxnumber", "boxno", "batch"),
    "station": ("station", "pollingstation"),
    "area": ("area", "votingarea", "countingarea"),
    "kind": ("kind", "type", "boxtype"),
    "issued": ("issued", "papersissued", "ballotpapersissued"),
    "supplied": ("supplied", "paperssupplied"),
    "unused": ("unused", "unusedpapers"),
    "spoilt": ("spoilt", "spoiled", "spoiltpapers"),
    "tendered": ("tendered", "tenderedpapers"),
    "verified": ("verified", "papersverified", "found", "counted"),
    "explanation": ("explanation", "reason", "note", "notes"),
}
KINDS = ("station", "postal")


@dataclass(frozen=True)
class Box:
    """One box's account and what was found in it."""

    box: str
    station: str
    area: str
    kind: str  # "station" or "postal"
    expected: int  # papers issued, by the ballot paper account
    verified: int  # papers found at verification
    tendered: int | None
    explanation: str
    line: int  # where the accounts file gives it

    @property
    def variance(self) -> int:
        return self.verified - self.expected


@dataclass(frozen=True)
class Statement(Tabulated):
    """The statement as to the result of the verification; in a notebook, its boxes."""

    boxes: tuple[Box, ...]

    def __repr__(self) -> str:
        total = self.areas()[""]
        return (
            f"Statement(boxes={len(self.boxes)}, expected={total['expected']:,}, "
            f"verified={total['verified']:,}, with_variance={total['with_variance']}, "
            f"unexplained={self.unexplained})"
        )

    def rows(self) -> list[dict[str, Any]]:
        """Every box: its papers expected and verified, the variance and why."""
        return [
            {
                "box": b.box,
                "expected": b.expected,
                "verified": b.verified,
                "variance": b.variance,
                "area": b.area,
                "kind": b.kind,
                "station": b.station,
                "explanation": b.explanation,
            }
            for b in self.boxes
        ]

    def areas(self) -> dict[str, dict[str, int]]:
        """Per voting area, then in all (under ""): postal and station papers verified, all
        papers verified and expected, boxes with a variance and those unexplained."""
        out: dict[str, dict[str, int]] = {}

        def add(key: str, box: Box) -> None:
            figures = out.setdefault(key, dict.fromkeys(_FIGURES, 0))
            figures[f"{box.kind}_verified"] += box.verified
            figures["verified"] += box.verified
            figures["expected"] += box.expected
            figures["with_variance"] += box.variance != 0
            figures["unexplained"] += box.variance != 0 and not box.explanation

        for box in self.boxes:
            if box.area:
                add(box.area, box)
            add("", box)
        total = out.pop("")
        return {**{a: out[a] for a in sorted(out, key=area_order)}, "": total}

    @property
    def unexplained(self) -> int:
        return sum(1 for b in self.boxes if b.variance and not b.explanation)


_FIGURES = ("postal_verified", "station_verified", "verified", "expected", "with_variance",
            "unexplained")  # fmt: skip


def read_accounts(path: str, counted: Mapping[str, int] | None = None) -> Statement:
    """The accounts file, each row checked; ``counted`` gives each box's papers from a ballot
    file, which a ``verified`` column must then agree with (or stands in for)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(io.StringIO(f.read())))
    except OSError as exc:
        raise InputError(f"cannot read the accounts: {exc.strerror or exc}", file=path) from None
    except UnicodeDecodeError:
        raise InputError("the accounts are not UTF-8 text", file=path) from None
    except csv.Error as exc:
        raise InputError(f"the accounts are not a readable CSV: {exc}", file=path) from None
    if not rows:
        raise InputError("the accounts are empty: expected a header such as box,issued,verified",
                         file=path)  # fmt: skip
    where = _columns(rows[0], path, counted is not None)
    boxes = [
        _box(row, where, path, line, counted)
        for line, row in enumerate(rows[1:], 2)
        if any(cell.strip() for cell in row)
    ]
    if not boxes:
        raise InputError("the accounts list no ballot box", file=path)
    _no_box_twice(boxes, path)
    if counted is not None:
        listed = {b.box for b in boxes}
        missing = sorted(set(counted) - listed)
        if missing:
            raise InputError(
                f"the ballot file has papers of box {missing[0]!r}, which the accounts do not "
                "list: every box is verified against its ballot paper account",
                file=path,
            )
        empty = next((b for b in boxes if b.box not in counted), None)
        if empty is not None:
            raise InputError(
                f"box {empty.box!r} is in the accounts, but the ballot file has no paper of it: "
                "is it the right file, and the right box column?",
                file=path,
                line=empty.line,
            )
    return Statement(tuple(boxes))


def _columns(header: Sequence[str], path: str, counting: bool) -> dict[str, int]:
    keys = [header_key(h) for h in header]
    where = {}
    for role, spellings in _COLUMNS.items():
        found = [i for i, k in enumerate(keys) if k in spellings]
        if len(found) > 1:
            raise InputError(f"two columns for {role}: {header[found[0]]!r} and "
                             f"{header[found[1]]!r}", file=path, line=1)  # fmt: skip
        if found:
            where[role] = found[0]
    if "box" not in where:
        raise InputError("the accounts need a box column", file=path, line=1)
    if "issued" not in where and not {"supplied", "unused", "spoilt"} <= set(where):
        raise InputError(
            "the accounts need each box's ballot paper account: an issued column, or supplied, "
            "unused and spoilt columns",
            file=path,
            line=1,
        )
    if "verified" not in where and not counting:
        raise InputError(
            "the accounts need a verified column (the papers found in each box), or give "
            "--ballots FILE --box-column NAME to count them",
            file=path,
            line=1,
        )
    return where


def _box(
    row: Sequence[str], where: Mapping[str, int], path: str, line: int,
    counted: Mapping[str, int] | None,
) -> Box:  # fmt: skip
    def cell(role: str) -> str:
        i = where.get(role)
        return row[i].strip() if i is not None and i < len(row) else ""

    def number(role: str) -> int:
        try:
            return whole_number(cell(role), role, text=True)
        except ValueError as exc:
            raise InputError(f"{exc} (box {cell('box')!r})", file=path, line=line) from None

    name = name_in(cell("box"), "box", path, line)
    if not name:
        raise InputError("a row with no box", file=path, line=line)
    kind = cell("kind").casefold() or "station"
    if kind not in KINDS:
        raise InputError(f"kind is station or postal, not {cell('kind')!r}", file=path, line=line)
    expected = _expected(cell, number, path, line)
    verified = number("verified") if cell("verified") or counted is None else None
    if counted is not None:
        found = counted.get(name, 0)
        if verified is not None and verified != found:
            raise InputError(
                f"box {name!r}: {verified:,} papers verified by the accounts, {found:,} in the "
                "ballot file",
                file=path,
                line=line,
            )
        verified = found
    assert verified is not None
    tendered = number("tendered") if cell("tendered") else None
    area = name_in(cell("area"), "area", path, line)
    station = name_in(cell("station"), "station", path, line)
    return Box(name, station, area, kind, expected, verified, tendered, cell("explanation"), line)


def _expected(
    cell: Callable[[str], str], number: Callable[[str], int], path: str, line: int
) -> int:
    """Papers issued: given, or supplied less unused and spoilt (and the two must agree)."""
    parts = [cell(r) for r in ("supplied", "unused", "spoilt")]
    derived = None
    if all(parts):
        supplied, unused, spoilt = number("supplied"), number("unused"), number("spoilt")
        if supplied < unused + spoilt:
            raise InputError(
                f"{supplied:,} papers supplied, but {unused:,} unused and {spoilt:,} spoilt: "
                "more than were supplied",
                file=path,
                line=line,
            )
        derived = supplied - unused - spoilt
    if cell("issued"):
        issued = number("issued")
        if derived is not None and derived != issued:
            raise InputError(f"{issued:,} issued, but supplied − unused − spoilt is "
                             f"{derived:,}", file=path, line=line)  # fmt: skip
        return issued
    if derived is None:
        raise InputError("a box with no ballot paper account (issued, or supplied, unused and "
                         "spoilt)", file=path, line=line)  # fmt: skip
    return derived


def _no_box_twice(boxes: Sequence[Box], path: str) -> None:
    seen: dict[str, int] = {}
    for b in boxes:
        if b.box.casefold() in seen:
            raise InputError(f"box {b.box!r} is listed twice (lines {seen[b.box.casefold()]} and "
                             f"{b.line})", file=path, line=b.line)  # fmt: skip
        seen[b.box.casefold()] = b.line


def statement_document(
    found: Statement, given: Sequence[Mapping[str, Any]], election: str | None = None
) -> dict[str, Any]:
    """The statement as a sealed JSON document (``svcount-verification/1``), of ``election``
    (the poll, as the local counts name it) when given."""
    from svcount.documents.seal import seal

    areas = found.areas()
    return seal(
        {
            "schema": SCHEMA,
            **({"election": election} if election else {}),
            "input": list(given),
            "boxes": [
                {
                    "box": b.box,
                    "station": b.station or None,
                    "area": b.area or None,
                    "kind": b.kind,
                    "expected": b.expected,
                    "verified": b.verified,
                    "variance": b.variance,
                    "tendered": b.tendered,
                    "explanation": b.explanation or None,
                }  # fmt: skip
                for b in found.boxes
            ],
            "areas": {a: f for a, f in areas.items() if a},
            "total": areas[""],
            "unexplained_variances": found.unexplained,
        }
    )


@dataclass(frozen=True)
class Verified:
    """A statement read back: the papers verified in all and per voting area."""

    total: int
    areas: Mapping[str, int]
    issued: int = 0  # the papers the accounts say were issued (expected), in all
    issued_areas: Mapping[str, int] = field(default_factory=dict)  # and per voting area
    election: str | None = None  # the poll it names (--election), if any


def read_statement(path: str, trusted: Trusted | None = None) -> Verified:
    """A statement written by ``svcount verification --format json``, its seal checked (and,
    with ``trusted``, its signature: an unsigned statement is refused)."""
    from svcount.documents.seal import Fields, read_document
    from svcount.documents.signing import signed_by

    not_one = f"not a statement of svcount verification (schema {SCHEMA})"
    doc, _ = read_document(path, not_one)
    fields = Fields(doc, path)
    fields.check(doc.get("schema") == SCHEMA, not_one)
    digest = fields.sealed(
        "the statement has no digest: write it again with svcount verification -f json"
    )
    signed_by(doc, digest, path, trusted)
    try:
        areas = {str(a): int(f["verified"]) for a, f in doc["areas"].items()}
        issued = {str(a): int(f["expected"]) for a, f in doc["areas"].items()}
        total = doc["total"]
        election = doc.get("election")
        return Verified(
            int(total["verified"]), areas, int(total["expected"]), issued,
            None if election is None else str(election),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"the statement is damaged: {exc}", file=path) from None


def agreement(
    verified: Verified, counted: int, areas: Mapping[str, int] | None, path: str
) -> list[tuple[str, int, int]]:
    """Each (area, verified, counted) that differs ("" for the whole count); refused when the
    statement's voting areas are not the count's."""
    if areas and verified.areas:
        if set(areas) != set(verified.areas):
            only = sorted(set(areas) ^ set(verified.areas))
            raise InputError(
                f"the statement's voting areas are not the count's (first of them: {only[0]!r})",
                file=path,
            )
        return [(a, verified.areas[a], n) for a, n in areas.items() if verified.areas[a] != n]
    return [] if verified.total == counted else [("", verified.total, counted)]
