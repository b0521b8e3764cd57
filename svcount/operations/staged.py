"""The count-night protocol across separate files (PCC Order 2012 Sch. 3 r.57-60).

Each local returning officer counts their own voting area and sends the first
count to the police area returning officer (a *local* file, stage ``first``).
The PARO adds them up and decides who remains (a *total* file). If nobody was
elected, each local count counts the second preferences on its excluded
candidates' papers for those remaining candidates (a local file, stage
``second``), and the PARO declares the result from all of them.

Because the local figures are those of :func:`svcount.count.first_preferences`
and :func:`svcount.count.transfers`, the combined result is, figure for figure,
that of one count of all the papers.

Every file crosses a trust boundary, so each is checked when it is read back:

- its own arithmetic (papers = valid + rejected, first preferences sum to the
  valid votes, transfers and non-transferable papers sum to the excluded
  candidates' papers), and a ``digest`` of its own content, so an edit is found;
- its ties: a second count names the first count of its area and the total it
  was made from, and was made from the same ballot file; its excluded papers
  are what that first count gave the excluded candidates. ``combine`` checks
  every tie and refuses, naming both files, what does not belong together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import add
from typing import Any

from svcount.count import (
    declare_areas,
    first_preferences,
    stage_one,
    transfers,
)
from svcount.errors import CountError, InputError, UsageError, whole_number
from svcount.documents.files import canonical_digest, read_json
from svcount.io import Loaded
from svcount.marks import normalise_name
from svcount.model import (
    PAPER_HEADS,
    STAGE_TWO_HEADS,
    SV_HEADINGS,
    Ballots,
    Candidate,
    FirstPreferences,
    Method,
    NotCounted,
    Rejection,
    Result,
    StageOne,
    Transfers,
    Turnout,
)
from svcount.options import CountOptions
from svcount.pipeline import Provenance, area_figures, input_files

__all__ = [
    "LOCAL_SCHEMA",
    "TOTAL_SCHEMA",
    "Combined",
    "LocalCount",
    "Total",
    "choose_area",
    "combine",
    "declare",
    "first_count",
    "local_count",
    "local_json",
    "read_local",
    "read_total",
    "second_count",
    "total_json",
]

LOCAL_SCHEMA = "svcount-local/1"
TOTAL_SCHEMA = "svcount-total/1"


@dataclass(frozen=True)
class Source:
    """The ballot file a local count was made from."""

    file: str
    sha256: str
    area_column: str | None = None  # the file's area column, when it holds several areas


@dataclass(frozen=True)
class FirstCountRef:
    """A first count as the total lists it: enough to tie a second count to it."""

    area: str
    file: str
    digest: str
    sha256: str  # of the ballot file it was made from
    figures: str  # digest of its figures alone, to check a second count's ballots against


@dataclass(frozen=True)
class LocalCount:
    """One local file: a voting area's first count, or its transfers."""

    path: str
    stage: str  # "first" or "second"
    area: str
    method: Method
    candidates: tuple[Candidate, ...]
    source: Source
    first: FirstPreferences | None = None
    transfers: Transfers | None = None
    electorate: int | None = None
    digest: str = ""
    sha256: str = ""  # of the file's bytes, when it was read from a file
    # A second count: the total it was made for (file, digest), and the first
    # counts that total was made from (area -> digest).
    remaining_from: tuple[str, str] | None = None
    first_counts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Total:
    """The PARO's stage-one decision, as read back by a local count."""

    path: str
    digest: str
    method: Method
    candidates: tuple[Candidate, ...]
    remaining: tuple[str, ...]
    first_counts: tuple[FirstCountRef, ...] = field(default=())


# --------------------------------------------------------------------------- making


def _candidates_json(candidates: Sequence[Candidate]) -> list[dict[str, str | None]]:
    return [{"name": c.name, "party": c.party} for c in candidates]


def _heads(mapping: Mapping[Any, int]) -> dict[str, int]:
    return {k.value: n for k, n in mapping.items()}


def _first_figures(first: FirstPreferences) -> dict[str, Any]:
    return {
        "first_preferences": dict(first.votes),
        "rejected": _heads(first.rejected),
        "second_preferences_not_counted": _heads(first.second_not_counted),
        "ballot_papers": first.ballot_papers,
        "valid_votes": first.valid,
    }


def _sealed(doc: dict[str, Any]) -> str:
    """The document with its ``digest``: SHA-256 of everything else, canonically written."""
    doc["digest"] = canonical_digest(doc)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def choose_area(
    ballots: Ballots, areas: Mapping[str, Ballots] | None, area: str | None, file: str
) -> tuple[str, Ballots]:
    """The voting area a local count is for, and its papers.

    A file without an area column is all one area, named by ``area``; a file
    with one gives its papers for ``area`` (which may be left out when the
    file holds just one).
    """
    if areas is None:
        if area is None:
            raise UsageError("--stage needs --area NAME: the voting area this count is for")
        return normalise_name(area), ballots
    if area is None:
        if len(areas) != 1:
            raise UsageError(f"the file holds {len(areas)} voting areas: choose one with --area")
        return next(iter(areas.items()))
    wanted = normalise_name(area)
    if wanted not in areas:
        raise InputError(
            f"no papers for the area {wanted!r} (the file has: {', '.join(areas)})", file=file
        )
    return wanted, areas[wanted]


def first_count(
    *,
    area: str,
    papers: Ballots,
    method: Method,
    source: Source,
    electorate: int | None = None,
) -> LocalCount:
    """A voting area's first count (stage ``first``): its papers' own figures."""
    name = area
    first = first_preferences(papers)
    if electorate is not None:
        Turnout.of(first.ballot_papers, first.valid, electorate, name)
    return LocalCount(
        path="",
        stage="first",
        area=name,
        method=method,
        candidates=papers.candidates,
        source=source,
        first=first,
        electorate=electorate,
    )


def second_count(
    *,
    area: str,
    papers: Ballots,
    method: Method,
    source: Source,
    total: Total,
) -> LocalCount:
    """A voting area's second count (stage ``second``) for the total's remaining candidates.

    Refuses ballots other than those of the area's first count: the ballot
    file's SHA-256 and the figures of its first count must both be the ones
    the total was made from.
    """
    name = area
    if (total.candidates, total.method) != (papers.candidates, method):
        raise InputError(
            "a different election: its candidates or method differ from this count's",
            file=total.path,
        )
    ref = next((r for r in total.first_counts if r.area == name), None)
    if ref is None:
        raise InputError(f"the total has no first count for {name!r}", file=total.path)
    if ref.sha256 != source.sha256:
        raise InputError(
            f"{name}'s first count ({ref.file}) was made from another ballot file (sha256 "
            f"{ref.sha256[:12]}…, this one {source.sha256[:12]}…): count the second "
            "preferences from the same file",
            file=source.file,
        )
    if canonical_digest(_first_figures(first_preferences(papers))) != ref.figures:
        raise InputError(
            f"these ballots do not give {name}'s first count ({ref.file}): count the second "
            "preferences with the same options as the first",
            file=source.file,
        )
    return LocalCount(
        path="",
        stage="second",
        area=name,
        method=method,
        candidates=papers.candidates,
        source=source,
        transfers=transfers(papers, total.remaining),
        remaining_from=(total.path, total.digest),
        first_counts={r.area: r.digest for r in total.first_counts},
    )


def local_count(
    loaded: Loaded, area: str | None, *, electorate: int | None = None, total: Total | None = None
) -> LocalCount:
    """A loaded ballot file's local count: its first count, or with ``total`` its second."""
    source = Source(
        loaded.file,
        loaded.sha256,
        loaded.layout.column_name("area") if loaded.areas is not None else None,
    )
    name, papers = choose_area(loaded.ballots, loaded.areas, area, loaded.file)
    if total is None:
        return first_count(
            area=name, papers=papers, method=loaded.method, source=source, electorate=electorate
        )
    return second_count(area=name, papers=papers, method=loaded.method, source=source, total=total)


def local_json(local: LocalCount, version: str) -> str:
    """A local file (schema ``svcount-local/1``), sealed with its digest."""
    doc: dict[str, Any] = {
        "schema": LOCAL_SCHEMA,
        "stage": local.stage,
        "area": local.area,
        "svcount_version": version,
        "input": {
            "file": local.source.file,
            "sha256": local.source.sha256,
            "area_column": local.source.area_column,
        },
        "method": local.method.value,
        "candidates": _candidates_json(local.candidates),
    }
    if local.first is not None:
        doc.update(_first_figures(local.first), electorate=local.electorate)
    elif local.transfers is not None and local.remaining_from is not None:
        moved = local.transfers
        doc.update(
            remaining=list(moved.remaining),
            remaining_from=dict(zip(("file", "digest"), local.remaining_from, strict=True)),
            first_counts=dict(local.first_counts),
            transfers=dict(moved.transfers),
            non_transferable=_heads(moved.non_transferable),
            excluded_papers=moved.excluded_papers,
        )
    return _sealed(doc)


def total_json(combined: Combined, version: str) -> str:
    """The PARO's stage one: totals, who remains, and the first counts it was made from."""
    total = reduce(add, combined.firsts.values())
    stage = combined.stage
    doc = {
        "schema": TOTAL_SCHEMA,
        "svcount_version": version,
        "method": combined.method.value,
        "candidates": _candidates_json(total.candidates),
        "areas": list(combined.firsts),
        "first_counts": [
            {
                "area": local.area,
                "file": local.path,
                "digest": local.digest,
                "input_sha256": local.source.sha256,
                "figures_digest": canonical_digest(_first_figures(local.first)),
            }
            for local in combined.first_counts
            if local.first is not None
        ],
        "first_preferences": dict(total.votes),
        "ballot_papers": total.ballot_papers,
        "valid_votes": total.valid,
        "votes_needed_at_stage_one": stage.majority,
        "remaining": list(stage.remaining),
        "excluded": list(stage.excluded),
        "tie_for_second": stage.tie_for_second,
    }
    return _sealed(doc)


# --------------------------------------------------------------------------- reading back


def _load(path: str) -> tuple[dict[str, Any], str]:
    """A count file's document and the SHA-256 of its bytes."""
    doc, data = read_json(path)
    if not isinstance(doc, dict):
        raise InputError("not an svcount count file (expected a JSON object)", file=path)
    return doc, hashlib.sha256(data).hexdigest()


class _Fields:
    """Typed access to a parsed file, each problem an InputError naming the file."""

    def __init__(self, doc: Mapping[str, Any], path: str) -> None:
        self.doc, self.path = doc, path

    def fail(self, message: str) -> InputError:
        return InputError(message, file=self.path)

    def text(self, key: str, doc: Mapping[str, Any] | None = None) -> str:
        value = (self.doc if doc is None else doc).get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{key} must be a non-empty string")
        return value

    def number(self, value: Any, where: str) -> int:
        try:
            return whole_number(value, where)
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    def table(self, key: str, keys: Sequence[str]) -> dict[str, int]:
        value = self.doc.get(key)
        if not isinstance(value, dict) or sorted(value) != sorted(keys):
            raise self.fail(f"{key} must give a figure for each of: {', '.join(keys)}")
        return {k: self.number(value[k], f"{key}.{k}") for k in keys}

    def method(self) -> Method:
        try:
            return Method(str(self.doc.get("method")))
        except ValueError:
            raise self.fail("method must be sv or fptp") from None

    def candidates(self) -> tuple[Candidate, ...]:
        value = self.doc.get("candidates")
        if not isinstance(value, list) or not value:
            raise self.fail("candidates must be a non-empty list")
        out = []
        for entry in value:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise self.fail(f"a candidate must be an object with a name: {entry!r}")
            out.append(Candidate(entry["name"], entry.get("party")))
        return tuple(out)

    def names(self, key: str, allowed: Sequence[str]) -> tuple[str, ...]:
        value = self.doc.get(key)
        if not isinstance(value, list) or not all(v in allowed for v in value):
            raise self.fail(f"{key} must list candidates of this election")
        return tuple(value)

    def source(self) -> Source:
        value = self.doc.get("input")
        if not isinstance(value, dict):
            raise self.fail("input must name the ballot file and its sha256")
        column = value.get("area_column")
        return Source(
            self.text("file", value),
            self.text("sha256", value),
            column if isinstance(column, str) else None,
        )

    def check(self, holds: bool, message: str) -> None:
        """One figure of the file's own arithmetic."""
        if not holds:
            raise self.fail(f"the figures do not add up: {message} (was the file edited?)")

    def sealed(self) -> str:
        """Check the digest last, once the arithmetic has named any specific slip."""
        digest = self.doc.get("digest")
        if not isinstance(digest, str):
            raise self.fail(
                "the file has no digest of its figures: only files written by svcount "
                "tally --stage or svcount combine can be combined"
            )
        if canonical_digest({k: v for k, v in self.doc.items() if k != "digest"}) != digest:
            raise self.fail(
                "the file was changed after svcount wrote it: its content does not match its digest"
            )
        return digest


def read_local(path: str) -> LocalCount:
    """Read and check a local file (schema ``svcount-local/1``)."""
    doc, sha256 = _load(path)
    if doc.get("schema") != LOCAL_SCHEMA:
        hint = (
            " (a police-area total goes to --remaining-from)"
            if doc.get("schema") == TOTAL_SCHEMA
            else ""
        )
        raise InputError(f"not a local count file: schema is not {LOCAL_SCHEMA}{hint}", file=path)
    f = _Fields(doc, path)
    candidates = f.candidates()
    names = [c.name for c in candidates]
    method = f.method()
    area = normalise_name(f.text("area"))
    stage = doc.get("stage")
    if stage == "first":
        electorate = doc.get("electorate")
        first = FirstPreferences(
            candidates=candidates,
            votes=f.table("first_preferences", names),
            rejected={
                Rejection(k): v
                for k, v in f.table("rejected", [h.value for h in SV_HEADINGS]).items()
            },
            second_not_counted={
                NotCounted(k): v
                for k, v in f.table(
                    "second_preferences_not_counted", [h.value for h in PAPER_HEADS]
                ).items()
            },
        )
        valid = f.number(doc.get("valid_votes"), "valid_votes")
        papers = f.number(doc.get("ballot_papers"), "ballot_papers")
        f.check(valid == first.valid, f"first preferences sum to {first.valid:,}, not {valid:,}")
        f.check(
            papers == first.ballot_papers,
            f"{papers:,} ballot papers, but {first.valid:,} valid and "
            f"{sum(first.rejected.values()):,} rejected",
        )
        f.check(
            sum(first.second_not_counted.values()) <= first.valid,
            "more papers with an unusable second preference than valid papers",
        )
        if electorate is not None:
            electorate = f.number(electorate, "electorate")
            f.check(electorate >= papers, f"an electorate of {electorate:,} below {papers:,}")
        return LocalCount(
            path,
            "first",
            area,
            method,
            candidates,
            f.source(),
            first=first,
            electorate=electorate,
            digest=f.sealed(),
            sha256=sha256,
        )
    if stage == "second":
        remaining = f.names("remaining", names)
        moved = Transfers(
            remaining=remaining,
            transfers=f.table("transfers", list(remaining)),
            non_transferable={
                NotCounted(k): v
                for k, v in f.table("non_transferable", [h.value for h in STAGE_TWO_HEADS]).items()
            },
            excluded_papers=f.number(doc.get("excluded_papers"), "excluded_papers"),
        )
        looked_at = sum(moved.transfers.values()) + sum(moved.non_transferable.values())
        f.check(
            looked_at == moved.excluded_papers,
            f"{looked_at:,} papers transferred or not, but {moved.excluded_papers:,} papers of "
            "excluded candidates",
        )
        links = doc.get("first_counts")
        if not isinstance(links, dict) or area not in links:
            raise f.fail("first_counts must give the digest of every area's first count")
        return LocalCount(
            path,
            "second",
            area,
            method,
            candidates,
            f.source(),
            transfers=moved,
            digest=f.sealed(),
            sha256=sha256,
            remaining_from=_link(f, "remaining_from"),
            first_counts={normalise_name(str(a)): str(d) for a, d in links.items()},
        )
    raise InputError("stage must be first or second", file=path)


def _link(f: _Fields, key: str) -> tuple[str, str]:
    value = f.doc.get(key)
    if not isinstance(value, dict):
        raise f.fail(f"{key} must name a file and its digest")
    return f.text("file", value), f.text("digest", value)


def read_total(path: str) -> Total:
    """Read and check a police-area total (schema ``svcount-total/1``) for the second count."""
    doc, _ = _load(path)
    if doc.get("schema") != TOTAL_SCHEMA:
        if "winner" in doc and str(doc.get("schema", "")).startswith("svcount-result"):
            raise InputError(
                "stage one decided this count: no second preferences are needed", file=path
            )
        raise InputError(f"not a police-area total: schema is not {TOTAL_SCHEMA}", file=path)
    f = _Fields(doc, path)
    candidates = f.candidates()
    names = [c.name for c in candidates]
    method = f.method()
    remaining = f.names("remaining", names)
    votes = f.table("first_preferences", names)
    valid = f.number(doc.get("valid_votes"), "valid_votes")
    f.check(valid == sum(votes.values()), f"first preferences sum to {sum(votes.values()):,}")
    papers = f.number(doc.get("ballot_papers"), "ballot_papers")
    f.check(papers >= valid, f"{papers:,} ballot papers but {valid:,} valid votes")
    try:
        stage = stage_one(FirstPreferences(candidates, votes, {}, {}), method)
    except CountError as exc:
        raise f.fail(str(exc)) from None
    f.check(
        (list(stage.remaining), list(stage.excluded), stage.majority)
        == (list(remaining), doc.get("excluded"), doc.get("votes_needed_at_stage_one")),
        f"these first preferences leave {', '.join(stage.remaining) or 'nobody'} remaining",
    )
    refs = doc.get("first_counts")
    if not isinstance(refs, list) or not refs:
        raise f.fail("first_counts must list the first count of every voting area")
    first_counts = []
    for ref in refs:
        if not isinstance(ref, dict):
            raise f.fail("first_counts must list objects")
        first_counts.append(
            FirstCountRef(
                area=f.text("area", ref),
                file=f.text("file", ref),
                digest=f.text("digest", ref),
                sha256=f.text("input_sha256", ref),
                figures=f.text("figures_digest", ref),
            )
        )
    digest = f.sealed()
    if not remaining:
        raise InputError(
            "stage one decided this count: no second preferences are needed", file=path
        )
    return Total(path, digest, method, candidates, remaining, tuple(first_counts))


# --------------------------------------------------------------------------- combining


@dataclass(frozen=True)
class Combined:
    """Local counts checked and put together, ready to declare or to total."""

    method: Method
    firsts: dict[str, FirstPreferences]
    moved: dict[str, Transfers]
    electorates: dict[str, int]
    stage: StageOne
    first_counts: tuple[LocalCount, ...]  # in area order


def _differ(what: str, local: LocalCount, other: LocalCount) -> InputError:
    return InputError(f"{what} (compare {other.path})", file=local.path)


def combine(counts: Sequence[LocalCount], areas: Sequence[str] | None = None) -> Combined:
    """Check local counts belong together, then add them up.

    Refuses: two files for one area at one stage; one ballot file counted as
    two areas; different elections (candidates or method); transfers without
    a first count, counted for other remaining candidates than the totals
    leave, from another ballot file or first count, or for a number of
    excluded papers other than the first count gives; a missing area when
    ``areas`` lists them.
    """
    if not counts:
        raise InputError("no local count files given")
    reference = counts[0]
    firsts: dict[str, LocalCount] = {}
    seconds: dict[str, LocalCount] = {}
    by_sha: dict[str, LocalCount] = {}
    for local in counts:
        if (local.candidates, local.method) != (reference.candidates, reference.method):
            what = "method" if local.method != reference.method else "candidate list"
            raise InputError(
                f"a different election: its {what} differs from that in {reference.path}",
                file=local.path,
            )
        chosen = firsts if local.stage == "first" else seconds
        if local.area in chosen:
            raise InputError(
                f"a second {local.stage}-stage count for {local.area!r} "
                f"(the first is {chosen[local.area].path})",
                file=local.path,
            )
        chosen[local.area] = local
        if local.stage == "first":
            twin = by_sha.get(local.source.sha256)
            if twin is not None and not (local.source.area_column and twin.source.area_column):
                raise _differ(
                    f"the same ballot file ({local.source.file}, sha256 "
                    f"{local.source.sha256[:12]}…) is counted as {twin.area!r} and as "
                    f"{local.area!r}: its papers would be counted twice",
                    local,
                    twin,
                )
            by_sha[local.source.sha256] = local
    orphans = [a for a in seconds if a not in firsts]
    if orphans:
        raise InputError(f"second-stage counts without a first-stage count: {', '.join(orphans)}")
    if areas is not None:
        missing = [a for a in areas if a not in firsts]
        unknown = [a for a in firsts if a not in areas]
        if missing or unknown:
            raise InputError(
                "the local counts do not match the list of areas: "
                + "; ".join(
                    part
                    for part in (
                        f"missing {', '.join(missing)}" if missing else "",
                        f"not in the list {', '.join(unknown)}" if unknown else "",
                    )
                    if part
                )
            )
        firsts = {a: firsts[a] for a in areas}
    first_figures = {a: local.first for a, local in firsts.items() if local.first is not None}
    try:
        stage = stage_one(reduce(add, first_figures.values()), reference.method)
    except CountError as exc:
        raise InputError(str(exc)) from None
    digests = {a: local.digest for a, local in firsts.items()}
    for area, second in seconds.items():
        _check_tie(second, firsts[area], stage, digests)
    if seconds:
        missing = [a for a in firsts if a not in seconds]
        if missing:
            raise InputError(f"second-stage counts are missing for: {', '.join(missing)}")
    electorates = {a: lc.electorate for a, lc in firsts.items() if lc.electorate is not None}
    return Combined(
        method=reference.method,
        firsts=first_figures,
        moved={a: t for a in firsts if a in seconds and (t := seconds[a].transfers) is not None},
        electorates=electorates if len(electorates) == len(firsts) else {},
        stage=stage,
        first_counts=tuple(firsts.values()),
    )


def _check_tie(
    second: LocalCount, first: LocalCount, stage: StageOne, digests: Mapping[str, str]
) -> None:
    """A second count must have been made from this first count, for these totals."""
    moved = second.transfers
    assert moved is not None and second.remaining_from is not None and first.first is not None
    area = second.area
    if moved.remaining != stage.remaining:
        raise InputError(
            f"the second count for {area!r} was made for {', '.join(moved.remaining)} "
            f"remaining, but the first counts leave "
            f"{', '.join(stage.remaining) or 'nobody to transfer to'}",
            file=second.path,
        )
    if second.source.sha256 != first.source.sha256:
        raise _differ(
            f"the second count for {area!r} was made from another ballot file than its first "
            f"count ({second.source.file}, not {first.source.file})",
            second,
            first,
        )
    if dict(second.first_counts) != dict(digests):
        raise _differ(
            f"the second count for {area!r} was made from a total "
            f"({second.remaining_from[0]}) of other "
            "first counts than those given here",
            second,
            first,
        )
    excluded = sum(first.first.votes[n] for n in stage.excluded)
    if moved.excluded_papers != excluded:
        raise _differ(
            f"the second count for {area!r} looked at {moved.excluded_papers:,} papers of "
            f"excluded candidates, but its first count gives them {excluded:,}",
            second,
            first,
        )


def declare(
    combined: Combined,
    counts: Sequence[LocalCount],
    options: CountOptions,
    areas: str | None = None,
) -> Declared:
    """The declaration from every area's first and second counts, and its provenance.

    ``options`` gives the electorate (or an areas file) and the lot; the
    provenance lists each local file with the SHA-256 it was read with.
    """
    from svcount import __version__

    electorates, issued = area_figures(options.electorate_file, combined.firsts, options.encoding)
    result = declare_areas(
        combined.firsts,
        combined.moved,
        combined.method,
        lot=options.lot_instruction(),
        electorate=options.electorate,
        electorates=electorates or combined.electorates,
        issued=issued,
    )
    parts = tuple(
        {"file": c.path, "stage": c.stage, "area": c.area, "sha256": c.sha256} for c in counts
    )
    provenance = Provenance(
        file=", ".join(c.path for c in counts),
        sha256=hashlib.sha256("".join(p["sha256"] for p in parts).encode()).hexdigest(),
        rows=result.ballot_papers,
        columns={},
        options={
            "method": combined.method.value,
            "electorate": options.electorate,
            "electorate_file": options.electorate_file,
            "lot": options.lot,
            "seed": options.seed,
        },
        version=__version__,
        parts=parts,
        files=input_files(areas=areas, electorate_file=options.electorate_file),
    )
    return Declared(result, provenance)


@dataclass(frozen=True)
class Declared:
    result: Result
    provenance: Provenance
