"""What reading a ballot file gives, and the papers of a structured format read as they are.

:class:`RawMarks` is a file's distinct raw rows with their papers, unclassified;
:class:`Loaded` is the file read and classified, ready to count. A structured
format (reading/formats.py) gives its records' marks as
:class:`~svcount.marks.Marked` values, classified by the one classifier with
nothing to split, and its problems said with the record that holds them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

from svcount.errors import InputError, MarkError, MarkProblem, UsageError
from svcount.marks import MarkRules, Outcome, RawKey, classify_by_area
from svcount.model import Ballots, Candidate, Method
from svcount.options import ReadOptions
from svcount.reading.formats import reader
from svcount.reading.hardened import no_cycle_collection
from svcount.reading.header import ROLES, Layout, Row
from svcount.reading.records import Papers, where
from svcount.reading.rows import BlankRows, describe
from svcount.reading.source import sha256_of

__all__ = ["CSV_ONLY", "Loaded", "RawMarks", "load_records", "record_marks"]


@dataclass(frozen=True)
class RawMarks:
    counts: Mapping[Row, int]
    rows: int
    layout: Layout | None  # None for a structured format (reading/formats.py)
    engine: str  # "pandas", "python" or "records": which reader produced the counts
    sha256: str  # of the file's bytes as given (compressed if it is)
    blank_tail: BlankRows | None = None  # fully blank rows at the end of the file
    lines_in_order: bool = False  # record i is on line i + 2 (known from the pandas scan)
    papers: Papers | None = None  # a structured format's records
    seen: Mapping[tuple[str, object], str] = field(default_factory=dict)  # value -> first record

    def roles(self) -> tuple[str, ...]:
        """The roles the file gives: first and second always, then those it has."""
        if self.papers is not None:
            given = {"rejected", *(["area"] if self.papers.has_areas else [])}
        else:
            given = set(self.layout.columns) if self.layout else set()
        return tuple(r for r in ROLES if r in ("first", "second") or r in given)


@dataclass(frozen=True)
class Loaded:
    """A ballot file read, classified and ready to count."""

    ballots: Ballots
    method: Method
    file: str
    sha256: str
    rows: int
    layout: Layout | None  # a CSV's header; None for a structured format
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    areas: Mapping[str, Ballots] | None = None  # per voting area, when the file has an area column
    outcomes: Mapping[RawKey, Outcome] = field(default_factory=dict)  # what each mark became
    lines_in_order: bool = False  # record i is on line i + 2: no blank lines, no quoted newlines
    skipped: int = 0  # lines before the header, left out (--skip-rows, a "sep=" line)
    papers: Papers | None = None  # a structured format's records, to read again for the audit
    format: str = "csv"  # the input format: "csv", or a key of reading/formats.READERS

    @property
    def aggregated(self) -> bool:
        """Whether a row may stand for several papers (a count column)."""
        return self.layout is not None and "count" in self.layout.columns

    def column_name(self, role: str) -> str | None:
        """Where the file keeps a role: its column's name (or a structured format's field)."""
        if self.papers is not None:
            return self.papers.columns.get(role)
        return None if self.layout is None else self.layout.column_name(role)


#: The reading options a structured format takes too; every other is a CSV's only (a column,
#: a separator, an encoding...), refused for it, never silently ignored.
STRUCTURED_OPTIONS = ("unknown_as_void", "contest")
CSV_ONLY = tuple(f.name for f in fields(ReadOptions) if f.name not in STRUCTURED_OPTIONS)


#: How many distinct pairs of mark objects ``record_marks`` tells apart by identity.
_BY_IDENTITY = 4096


def record_marks(name: str, kind: str, options: ReadOptions) -> RawMarks:
    """A structured file's records aggregated: distinct marks, and each value's first record."""
    default = ReadOptions()
    given = [o for o in CSV_ONLY if getattr(options, o) != getattr(default, o)]
    if given:
        raise UsageError(
            f"--{given[0].replace('_', '-')} is an option of a CSV ballot file, and {name} is "
            f"a {kind} file, whose records give their marks apart (no text to split or decode)"
        )
    papers = reader(kind).papers(name, name, options.contest)
    counts: Counter[Row] = Counter()
    seen: dict[tuple[str, object], str] = {}  # each value's first record, as messages say it
    # A reader gives alike records the same mark objects: told apart by identity, they are
    # counted without hashing their marks. Each entry keeps its objects (so no identity is
    # reused), and there are at most _BY_IDENTITY entries.
    by_identity: dict[tuple[int, int, str, str], tuple[Row, object, object]] = {}
    alike: Counter[tuple[int, int, str, str]] = Counter()
    rows = 0
    with no_cycle_collection():  # many small objects, none in a cycle
        for record in papers.records():
            first, second = record.first, record.second
            identity = (id(first), id(second), record.rejected, record.area)
            if identity in by_identity:
                alike[identity] += record.papers
                rows += 1
                continue
            key: Row = (first, second, record.rejected, record.area)
            if key not in counts:  # a new combination: where each of its values is first met
                for role, value in zip(ROLES, key, strict=True):
                    seen.setdefault((role, value), where(papers, record))
            if len(by_identity) < _BY_IDENTITY:
                by_identity[identity] = (key, first, second)
            counts[key] += record.papers
            rows += 1
    for identity, papers_alike in alike.items():
        counts[by_identity[identity][0]] += papers_alike
    if rows == 0:
        raise InputError(f"no {papers.noun}s: the file holds no ballot papers", file=name)
    return RawMarks(counts, rows, None, "records", sha256_of(name), papers=papers, seen=seen)


def load_records(
    name: str,
    kind: str,
    method: Method | None,
    candidates: Sequence[Candidate] | None,
    options: ReadOptions,
    case_forgiven: bool = False,
) -> Loaded:
    """A structured file loaded: its records' marks classified as they are, never as text.

    Its candidates are those it declares (0 votes and parties kept) unless a list is given.
    """
    marks = record_marks(name, kind, options)
    papers = marks.papers
    assert papers is not None
    if method is Method.SV and papers.method is Method.FPTP:
        raise InputError("--method sv, but the contest is first past the post", file=name)
    method = method or papers.method or Method.SV
    fptp = method is Method.FPTP
    counts: Counter[Row] = Counter()
    for (first, second, rejected, area), n in marks.counts.items():
        counts[(first, "" if fptp else second, rejected, area)] += n
    rules = MarkRules("", "", options.unknown_as_void, fptp, case_forgiven)
    roster = papers.candidates if candidates is None else candidates
    try:
        classified, by_area = classify_by_area(counts, papers.has_areas, roster, rules)
    except MarkError as exc:
        raise _in_records(name, marks.seen, exc.problems) from None
    warnings = tuple(f"{name}: {notice}" for notice in papers.notices())
    warnings += tuple(describe(w, _first_record(w, marks.seen)) for w in classified.warnings)
    return Loaded(
        ballots=classified.ballots,
        method=method,
        file=name,
        sha256=marks.sha256,
        rows=marks.rows,
        layout=None,
        warnings=warnings,
        notes=classified.notes,
        areas=by_area,
        outcomes=classified.outcomes,
        papers=papers,
        format=kind,
    )


def _first_record(problem: MarkProblem, seen: Mapping[tuple[str, object], str]) -> str | None:
    return next(
        (seen[(problem.role, v)] for v in problem.values if (problem.role, v) in seen), None
    )


def _in_records(
    name: str, seen: Mapping[tuple[str, object], str], problems: Sequence[MarkProblem]
) -> InputError:
    """Problems with marks, each said with the first record that holds it."""
    said = [describe(p, _first_record(p, seen)) for p in problems]
    if len(said) == 1:
        return InputError(said[0], file=name)
    return InputError(f"{len(said)} problems with names: {'; '.join(said)}", file=name)
