"""The records a comparison audit compares its readings with, committed before the seed is
rolled (README, "Risk-limiting audits").

Records given after the sample is known could be made to fit it, so ``rla
plan`` commits them (their SHA-256 and papers, in the sealed plan) and
``assess`` takes no others. Two forms:

- **cvrs**: a ballot file of any input format, its papers in the order the
  ballot manifest lists them (the k-th paper of the file is the manifest's
  k-th); it must count to the count's own papers, kind by kind.
- **packets**: the count's own sealed packets, the way a UK count keeps its
  papers (bundles sorted by first preference, an excluded candidate's
  papers sorted again by where they went at stage two, rejected papers by
  heading). A packet manifest lists each packet, its papers and its label;
  the labels must add up to the count's figures, class by class. The label
  is the recorded vote of every paper in the packet, at exactly the detail
  the count's plain assertions need (``assertions.plain_assertions``), and
  the manifest is the ballot manifest the sample is drawn from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from svcount.errors import InputError, UsageError
from svcount.marks import Outcome, fold, heading_of
from svcount.model import Ballots, Candidate, Method, NotCounted, Rejection, Result
from svcount.model import second_as_counted as counted_second
from svcount.operations.sampling import (
    BATCH_COLUMNS,
    MAX_PAPERS,
    PAPERS_COLUMNS,
    Draw,
    batch_name,
    column,
    csv_rows,
)

__all__ = ["KINDS", "NOT_TRANSFERRED", "Committed", "commit", "recorded"]

#: The forms committed records take.
KINDS = ("cvrs", "packets")
#: A packet of an excluded candidate's papers that went to no one at stage two.
NOT_TRANSFERRED = "not transferred"
_FIRST = ("first", "firstpreference", "label", "candidate", "heading")
_TO = ("transferredto", "transfer", "to", "secondcountedfor")
Paper = tuple[str, int]


@dataclass(frozen=True)
class Committed:
    """Records committed in a plan: which form, the file, its SHA-256 and its papers."""

    kind: str
    file: str
    sha256: str
    papers: int

    def document(self) -> dict[str, object]:
        return {"kind": self.kind, "file": self.file, "sha256": self.sha256, "papers": self.papers}

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Committed:
        """The commitment a plan records (a damaged one raises ValueError or KeyError)."""
        kind, sha = str(doc["kind"]), str(doc["sha256"])
        if kind not in KINDS or len(sha) != 64 or not isinstance(doc["papers"], int):
            raise ValueError(f"committed records of kind {kind!r}, SHA-256 {sha!r}")
        return cls(kind, str(doc["file"]), sha, int(doc["papers"]))


def commit(kind: str, path: str, ballots: Ballots, result: Result) -> Committed:
    """The records at ``path`` committed, once they are shown to count to ``ballots``."""
    from svcount.reading.source import sha256_of

    if kind == "packets":
        papers = sum(n for n, _ in read_packets(path, ballots, result).values())
    else:
        papers = _cvrs_agree(path, ballots, result.method)
    return Committed(kind, path, sha256_of(path), papers)


def recorded(
    committed: Committed,
    given: str | None,
    draws: Sequence[Draw],
    manifest: Mapping[str, int],
    plan: tuple[Sequence[str], Method, Ballots, Result],
) -> dict[Paper, Outcome]:
    """Each drawn paper's recorded vote, from the records the plan committed (at ``given``,
    when they have moved), refused if they are any other records."""
    from svcount.reading.source import sha256_of

    path = given or committed.file
    try:
        digest = sha256_of(path)
    except OSError as exc:
        raise InputError(
            f"cannot read the records the plan committed ({committed.kind}): {exc.strerror}; "
            "give where they are now with --recorded FILE",
            file=path,
        ) from None
    if digest != committed.sha256:
        raise InputError(
            f"not the records the plan committed ({committed.kind}, SHA-256 "
            f"{committed.sha256[:12]}…): a comparison audit compares with those, and no others",
            file=path,
        )
    candidates, method, ballots, result = plan
    if committed.kind == "packets":
        labels = read_packets(path, ballots, result)
        if {p: n for p, (n, _) in labels.items()} != dict(manifest):
            raise InputError(
                "the sample was drawn from another manifest than the committed packets: draw it "
                f"from the packet manifest ({committed.file})",
                file=path,
            )
        return {(d.batch, d.position): labels[d.batch][1] for d in draws}
    return _cvr_votes(path, candidates, method, draws, manifest)


# --------------------------------------------------------------------------- packets


def read_packets(path: str, ballots: Ballots, result: Result) -> dict[str, tuple[int, Outcome]]:
    """Each packet's papers and label, in the manifest's order, refused unless the labels add
    up to the count's figures class by class."""
    rows = csv_rows(path, "packet manifest")
    head = rows[0] if rows else []
    where = {
        "packet": column(head, ("packet", *BATCH_COLUMNS)),
        "papers": column(head, PAPERS_COLUMNS),
        "first": column(head, _FIRST),
        "to": column(head, _TO),
    }
    if None in (where["packet"], where["papers"], where["first"]):
        raise InputError(
            "a packet manifest's header has packet, papers and first (a candidate, or a "
            "rejection heading) columns, and transferred_to for an excluded candidate's papers",
            file=path,
            line=1,
        )
    names = {fold(c.name): c.name for c in ballots.candidates}
    packets: dict[str, tuple[int, Outcome]] = {}
    found: Counter[tuple[str, str]] = Counter()
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {k: (row[i] if i is not None and i < len(row) else "") for k, i in where.items()}
        packet = batch_name(cells["packet"], path, line)
        papers, label, key = _packet(cells, names, result, path, line)
        if packet in packets or not packet:
            said = "is listed twice" if packet else "has no name"
            raise InputError(f"the packet {packet!r} {said}", file=path, line=line)
        packets[packet] = papers, label
        found[key] += papers
    _add_up(found, _classes(ballots, result), path)
    return packets


def _packet(
    cells: Mapping[str, str], names: Mapping[str, str], result: Result, path: str, line: int
) -> tuple[int, Outcome, tuple[str, str]]:
    """A packet's papers, its label as a recorded vote, and its class (first, transferred)."""
    count = cells["papers"].strip().replace(",", "")
    if not (count.isdecimal() and count.isascii()) or not 0 < int(count) <= MAX_PAPERS:
        raise InputError(
            f"a packet's papers are a whole number, not {count!r}", file=path, line=line
        )
    first, to = cells["first"].strip(), cells["to"].strip()
    heading = heading_of(first) if fold(first) not in names else None
    if heading is not None:
        if to:
            raise InputError(
                "a packet of rejected papers is transferred to no one", file=path, line=line
            )
        return int(count), heading, (_heading_key(heading, result.method), "")
    if fold(first) not in names:
        raise InputError(
            f"{first!r} is neither a candidate nor a heading of the statement of rejected ballot "
            "papers",
            file=path,
            line=line,
        )
    candidate = names[fold(first)]
    excluded = result.stage_two is not None and candidate in result.stage_one.excluded
    if not excluded:
        if to:
            raise InputError(
                f"{candidate}'s papers were not transferred (only an excluded candidate's were): "
                f"leave transferred_to blank, not {to!r}",
                file=path,
                line=line,
            )
        return int(count), (candidate, NotCounted.BLANK), (candidate, "")
    target = _target(to, names, result, path, line)
    second: str | NotCounted = NotCounted.BLANK if target == NOT_TRANSFERRED else target
    return int(count), (candidate, second), (candidate, target)


def _target(to: str, names: Mapping[str, str], result: Result, path: str, line: int) -> str:
    remaining = result.stage_one.remaining
    if fold(to) in names and names[fold(to)] in remaining:
        return names[fold(to)]
    if fold(to) in ("nottransferred", "nontransferable", "none", "exhausted"):
        return NOT_TRANSFERRED
    raise InputError(
        f"an excluded candidate's packet is transferred to one of {', '.join(remaining)}, or "
        f"{NOT_TRANSFERRED!r}, not {to!r}",
        file=path,
        line=line,
    )


def _heading_key(heading: Rejection, method: Method) -> str:
    if method is Method.FPTP and heading in (Rejection.UNMARKED, Rejection.VOID_FOR_UNCERTAINTY):
        return Rejection.UNMARKED_OR_VOID.value  # one heading in first past the post
    return heading.value


def _classes(ballots: Ballots, result: Result) -> Counter[tuple[str, str]]:
    """The count's papers by packet class: (first preference, where it went) or (heading, "")."""
    classes: Counter[tuple[str, str]] = Counter()
    excluded = set(result.stage_one.excluded) if result.stage_two is not None else set()
    remaining = result.stage_one.remaining
    for (first, second), n in ballots.pairs.items():
        if first in excluded:
            went = counted_second(first, second)
            to = went if isinstance(went, str) and went in remaining else NOT_TRANSFERRED
            classes[(first, to)] += n
        else:
            classes[(first, "")] += n
    for heading, n in ballots.rejected.items():
        classes[(_heading_key(heading, result.method), "")] += n
    return +classes


def _add_up(found: Counter[tuple[str, str]], wanted: Counter[tuple[str, str]], path: str) -> None:
    """Refused unless each class's packets hold the count's papers of that class."""
    for key in sorted(set(found) | set(wanted)):
        if found[key] != wanted[key]:
            first, to = key
            headings = {r.value: f"papers rejected as {r.label.lower()}" for r in Rejection}
            said = headings.get(first, f"{first}'s papers")
            if to:
                said += " not transferred" if to == NOT_TRANSFERRED else f" transferred to {to}"
            raise InputError(
                f"the packets hold {found[key]:,} of {said}, the count {wanted[key]:,}: the "
                "labels must add up to the count's own figures, packet class by class",
                file=path,
            )


# --------------------------------------------------------------------------- cvrs


def _cvrs_agree(path: str, ballots: Ballots, method: Method) -> int:
    """The papers of a CVR file that counts to ``ballots``, kind by kind; else refused."""
    from svcount.io import load

    loaded = load(path, method=method, candidates=ballots.candidates)
    if dict(loaded.ballots.pairs) != dict(ballots.pairs) or dict(loaded.ballots.rejected) != dict(
        ballots.rejected
    ):
        raise UsageError(
            f"--cvrs {path}: its papers do not count to the count's own "
            f"({loaded.ballots.ballot_papers:,} papers, the count {ballots.ballot_papers:,}, or "
            "the same number of other kinds): a comparison audit's records are the count's papers"
        )
    return loaded.ballots.ballot_papers


def _cvr_votes(
    path: str,
    candidates: Sequence[str],
    method: Method,
    draws: Sequence[Draw],
    manifest: Mapping[str, int],
) -> dict[Paper, Outcome]:
    """Each drawn paper's recorded vote: the file's k-th paper for the manifest's k-th."""
    from svcount.io import load, reopened

    start, offset = {}, 0
    for batch, papers in manifest.items():
        start[batch], offset = offset, offset + papers
    wanted: dict[int, list[Paper]] = {}
    for d in draws:
        wanted.setdefault(start[d.batch] + d.position - 1, []).append((d.batch, d.position))
    loaded = load(path, method=method, candidates=tuple(Candidate(c) for c in candidates))
    fptp = loaded.method is Method.FPTP
    votes: dict[Paper, Outcome] = {}
    ahead = sorted(wanted, reverse=True)  # the next paper wanted is last
    at = 0
    with reopened(loaded) as again:
        for _, row, count in again.records():
            while ahead and ahead[-1] < at + count:
                outcome = loaded.outcomes[row[0], "" if fptp else row[1], row[2]]
                votes.update(dict.fromkeys(wanted[ahead.pop()], outcome))
            if not ahead:
                break
            at += count
    return votes
