"""The staged count's documents: local files and police-area totals, written and read back.

A *local* file (schema ``svcount-local/1``) is one voting area's first count
or its second count; a *total* (``svcount-total/1``) is the police area
returning officer's stage one, which the second counts are made for. Each is
sealed (:mod:`svcount.documents.seal`) and, read back, checked for its own
arithmetic first and its digest last, so a slip is named precisely.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import add
from typing import Any

from svcount.count import stage_one
from svcount.documents.seal import Fields, canonical_digest, read_document, sealed
from svcount.documents.signing import Signer, Trusted, signed_by, verified
from svcount.errors import CountError, InputError
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
    StageOne,
    Transfers,
    by_excluded_problem,
)
from svcount.options import RECORD_ORDER

__all__ = [
    "LOCAL_SCHEMA",
    "TOTAL_SCHEMA",
    "BallotFile",
    "Combined",
    "FirstCountRef",
    "LocalCount",
    "Total",
    "first_figures",
    "marks_digest",
    "local_json",
    "read_local",
    "read_total",
    "total_json",
]

LOCAL_SCHEMA = "svcount-local/1"
TOTAL_SCHEMA = "svcount-total/1"


@dataclass(frozen=True)
class BallotFile:
    """The ballot file a local count was made from."""

    file: str
    sha256: str
    area_column: str | None = None  # the file's area column, when it holds several areas
    marks: str = ""  # digest of the area's classified mark table (marks_digest)
    options: Mapping[str, Any] = field(default_factory=dict)  # every option it was read with


@dataclass(frozen=True)
class FirstCountRef:
    """A first count as the total lists it: enough to tie a second count to it."""

    area: str
    file: str
    digest: str
    sha256: str  # of the ballot file it was made from
    figures: str  # digest of its figures alone, to check a second count's ballots against
    marks: str = ""  # digest of its classified mark table: the same papers, read the same way
    options: Mapping[str, Any] = field(default_factory=dict)  # as its ballots were read


@dataclass(frozen=True)
class LocalCount:
    """One local file: a voting area's first count, or its transfers."""

    path: str
    stage: str  # "first" or "second"
    area: str
    method: Method
    candidates: tuple[Candidate, ...]
    source: BallotFile
    first: FirstPreferences | None = None
    transfers: Transfers | None = None
    electorate: int | None = None
    digest: str = ""
    sha256: str = ""  # of the file's bytes, when it was read from a file
    # A second count: the total it was made for (file, digest), and the first
    # counts that total was made from (area -> digest).
    remaining_from: tuple[str, str] | None = None
    first_counts: Mapping[str, str] = field(default_factory=dict)
    signer: Signer | None = None  # who signed the file, checked when read with trusted keys
    election: str | None = None  # the poll it belongs to (--election), signed with the rest
    verification: Mapping[str, Any] | None = None  # a first count checked against a statement


@dataclass(frozen=True)
class Total:
    """The PARO's stage-one decision, as read back by a local count."""

    path: str
    digest: str
    method: Method
    candidates: tuple[Candidate, ...]
    remaining: tuple[str, ...]
    first_counts: tuple[FirstCountRef, ...] = field(default=())
    election: str | None = None


def _candidates_json(candidates: Sequence[Candidate]) -> list[dict[str, str | None]]:
    return [{"name": c.name, "party": c.party} for c in candidates]


def _heads(mapping: Mapping[Any, int]) -> dict[str, int]:
    return {k.value: n for k, n in mapping.items()}


def marks_digest(papers: Ballots) -> str:
    """The digest of a count's classified mark table: each (first, second) and heading's papers.

    Two counts with one digest counted the same papers read the same way,
    whatever options or bytes they came from; so a second count made with
    another column, count column or marker than its first is refused.
    """
    pairs = sorted(
        [first, second if isinstance(second, str) else f"({second.value})", n]
        for (first, second), n in papers.pairs.items()
        if n
    )
    rejected = {h.value: n for h, n in papers.rejected.items() if n}  # canonical: keys sorted
    return canonical_digest({"pairs": pairs, "rejected": rejected})


def first_figures(first: FirstPreferences) -> dict[str, Any]:
    return {
        "first_preferences": dict(first.votes),
        "rejected": _heads(first.rejected),
        "second_preferences_not_counted": _heads(first.second_not_counted),
        "ballot_papers": first.ballot_papers,
        "valid_votes": first.valid,
    }


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
            "marks_digest": local.source.marks,
            "options": dict(local.source.options),
        },
        "method": local.method.value,
        "candidates": _candidates_json(local.candidates),
        **({"election": local.election} if local.election else {}),
    }
    if local.first is not None:
        doc.update(first_figures(local.first), electorate=local.electorate)
        if local.verification is not None:
            doc["verification"] = dict(local.verification)
    elif local.transfers is not None and local.remaining_from is not None:
        moved = local.transfers
        doc.update(
            remaining=list(moved.remaining),
            remaining_from=dict(zip(("file", "digest"), local.remaining_from, strict=True)),
            first_counts=dict(local.first_counts),
            transfers=dict(moved.transfers),
            non_transferable=_heads(moved.non_transferable),
            excluded_papers=moved.excluded_papers,
            transfers_by_excluded={e: dict(t) for e, t in moved.by_excluded.items()},
        )
    return sealed(doc)


def total_json(combined: Combined, version: str) -> str:
    """The PARO's stage one: totals, who remains, and the first counts it was made from."""
    total = reduce(add, combined.firsts.values())
    stage = combined.stage
    doc = {
        "schema": TOTAL_SCHEMA,
        "svcount_version": version,
        "method": combined.method.value,
        **({"election": combined.election} if combined.election else {}),
        "candidates": _candidates_json(total.candidates),
        "areas": list(combined.firsts),
        "first_counts": [
            {
                "area": local.area,
                "file": local.path,
                "digest": local.digest,
                "input_sha256": local.source.sha256,
                "figures_digest": canonical_digest(first_figures(local.first)),
                "marks_digest": local.source.marks,
                "options": dict(local.source.options),
                **({"signed_by": local.signer.found()} if local.signer else {}),
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
    return sealed(doc)


UNSEALED = (
    "the file has no digest of its figures: only files written by svcount "
    "tally --stage or svcount combine can be combined"
)
NOT_A_COUNT_FILE = "not an svcount count file (expected a JSON object)"


def _ballot_file(f: Fields) -> BallotFile:
    value = f.doc.get("input")
    if not isinstance(value, dict):
        raise f.fail("input must name the ballot file and its sha256")
    column = value.get("area_column")
    return BallotFile(
        f.text("file", value),
        f.text("sha256", value),
        column if isinstance(column, str) else None,
        f.text("marks_digest", value),
        _options(f, value.get("options")),
    )


def _options(f: Fields, given: Any) -> dict[str, Any]:
    """The options a local count was read with: each one svcount records, a plain value."""
    if not isinstance(given, dict) or set(given) != set(RECORD_ORDER):
        raise f.fail(f"input.options must give every option: {', '.join(RECORD_ORDER)}")
    plain = (str, int, bool, type(None))
    wrong = [k for k, v in given.items() if not isinstance(v, plain)]
    if wrong:
        raise f.fail(f"input.options[{wrong[0]!r}] must be a string, a number or null")
    return {k: given[k] for k in RECORD_ORDER}


def read_local(path: str, trusted: Trusted | None = None) -> LocalCount:
    """Read and check a local file (schema ``svcount-local/1``).

    With ``trusted``, the file must be signed by one of those keys.
    """
    doc, sha256 = read_document(path, NOT_A_COUNT_FILE)
    if doc.get("schema") != LOCAL_SCHEMA:
        hint = (
            " (a police-area total goes to --remaining-from)"
            if doc.get("schema") == TOTAL_SCHEMA
            else ""
        )
        raise InputError(f"not a local count file: schema is not {LOCAL_SCHEMA}{hint}", file=path)
    f = Fields(doc, path)
    candidates = f.candidates()
    names = [c.name for c in candidates]
    common: dict[str, Any] = {
        "path": path,
        "area": f.name(f.text("area"), "area"),
        "method": f.method(),
        "candidates": candidates,
        "source": _ballot_file(f),
        "sha256": sha256,
        "election": election_of(f),
    }
    stage = doc.get("stage")
    if stage == "first":
        first, electorate = _first_count(f, candidates)
        digest = f.sealed(UNSEALED)
        return LocalCount(
            **common,
            stage="first",
            first=first,
            electorate=electorate,
            digest=digest,
            signer=signed_by(doc, digest, path, trusted),
            verification=_verification(f, first.ballot_papers),
        )
    if stage == "second":
        links = doc.get("first_counts")
        if not isinstance(links, dict) or common["area"] not in links:
            raise f.fail("first_counts must give the digest of every area's first count")
        moved = _transfers(f, names)
        digest = f.sealed(UNSEALED)
        return LocalCount(
            **common,
            stage="second",
            transfers=moved,
            digest=digest,
            signer=signed_by(doc, digest, path, trusted),
            remaining_from=_link(f, "remaining_from"),
            first_counts={f.name(str(a), "area"): str(d) for a, d in links.items()},
        )
    raise InputError("stage must be first or second", file=path)


def _verification(f: Fields, counted: int) -> Mapping[str, Any] | None:
    """A first count's verification record, its figures whole numbers that agree with it."""
    record = f.doc.get("verification")
    if record is None:
        return None
    figures = ("verified", "issued", "counted")
    if not isinstance(record, dict) or not all(
        type(record.get(k)) is int and record[k] >= 0 for k in figures
    ):
        raise f.fail("verification must give the papers verified, issued and counted")
    if record["counted"] != counted:
        raise f.fail(f"verification says {record['counted']:,} counted, the count {counted:,}")
    if record["verified"] != counted and not record.get("accepted_difference"):
        raise f.fail("a difference from the papers verified without its reason accepted")
    return dict(record)


def _first_count(
    f: Fields, candidates: tuple[Candidate, ...]
) -> tuple[FirstPreferences, int | None]:
    """A first count's figures and electorate, each checked against the others."""
    doc = f.doc
    first = FirstPreferences(
        candidates=candidates,
        votes=f.table("first_preferences", [c.name for c in candidates]),
        rejected={
            Rejection(k): v for k, v in f.table("rejected", [h.value for h in SV_HEADINGS]).items()
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
    electorate = doc.get("electorate")
    if electorate is not None:
        electorate = f.number(electorate, "electorate")
        f.check(electorate >= papers, f"an electorate of {electorate:,} below {papers:,}")
    return first, electorate


def _transfers(f: Fields, names: list[str]) -> Transfers:
    """A second count's transfers, which must account for every excluded candidate's paper."""
    remaining = f.names("remaining", names)
    moved = Transfers(
        remaining=remaining,
        transfers=f.table("transfers", list(remaining)),
        non_transferable={
            NotCounted(k): v
            for k, v in f.table("non_transferable", [h.value for h in STAGE_TWO_HEADS]).items()
        },
        excluded_papers=f.number(f.doc.get("excluded_papers"), "excluded_papers"),
        by_excluded=_by_excluded(f, names, remaining),
    )
    looked_at = sum(moved.transfers.values()) + sum(moved.non_transferable.values())
    f.check(
        looked_at == moved.excluded_papers,
        f"{looked_at:,} papers transferred or not, but {moved.excluded_papers:,} papers of "
        "excluded candidates",
    )
    problem = by_excluded_problem(moved.by_excluded, moved.transfers, None)
    f.check(problem is None, problem or "")
    return moved


def _by_excluded(
    f: Fields, names: list[str], remaining: tuple[str, ...]
) -> dict[str, dict[str, int]]:
    """Each excluded candidate's papers to each remaining one, and not transferred; {} when a
    second count of an older version did not give them, or they do not fit its remaining
    candidates (then the file's other checks say what is wrong)."""
    given = f.doc.get("transfers_by_excluded")
    keys = [*remaining, "non_transferable"]
    fits = (
        isinstance(given, dict)
        and set(given) <= set(names) - set(remaining)
        and all(isinstance(t, dict) and sorted(t) == sorted(keys) for t in given.values())
    )
    if not fits:  # absent (an older version), or not of this count's shape: not used
        return {}
    assert isinstance(given, dict)
    return {e: {k: f.number(t[k], f"transfers_by_excluded.{k}") for k in keys}
            for e, t in given.items()}  # fmt: skip


def _link(f: Fields, key: str) -> tuple[str, str]:
    value = f.doc.get(key)
    if not isinstance(value, dict):
        raise f.fail(f"{key} must name a file and its digest")
    return f.text("file", value), f.text("digest", value)


def read_total(path: str, trusted: Trusted | None = None) -> Total:
    """Read and check a police-area total (schema ``svcount-total/1``) for the second count.

    With ``trusted``, the total must be signed by one of those keys (the PARO's).
    """
    doc, _ = read_document(path, NOT_A_COUNT_FILE)
    if doc.get("schema") != TOTAL_SCHEMA:
        if "winner" in doc and str(doc.get("schema", "")).startswith("svcount-result"):
            raise InputError(
                "stage one decided this count: no second preferences are needed", file=path
            )
        raise InputError(f"not a police-area total: schema is not {TOTAL_SCHEMA}", file=path)
    f = Fields(doc, path)
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
                area=f.name(f.text("area", ref), "area"),
                file=f.text("file", ref),
                digest=f.text("digest", ref),
                sha256=f.text("input_sha256", ref),
                figures=f.text("figures_digest", ref),
                marks=f.text("marks_digest", ref),
                options=_options(f, ref.get("options")),
            )
        )
    digest = f.sealed(UNSEALED)
    if not remaining:
        raise InputError(
            "stage one decided this count: no second preferences are needed", file=path
        )
    if trusted is not None:
        verified(doc, digest, path, trusted)
    election = election_of(f)
    return Total(path, digest, method, candidates, remaining, tuple(first_counts), election)


def election_of(f: Fields) -> str | None:
    """The poll a file names (``election``), under the name policy; None if it names none."""
    value = f.doc.get("election")
    return None if value is None else f.name(f.text("election"), "election")


@dataclass(frozen=True)
class Combined:
    """Local counts checked and put together, ready to declare or to total."""

    method: Method
    firsts: dict[str, FirstPreferences]
    moved: dict[str, Transfers]
    electorates: dict[str, int]
    stage: StageOne
    first_counts: tuple[LocalCount, ...]  # in area order
    election: str | None = None  # the poll every local count names
