"""The last step of a risk-limiting audit: the risk measured from the papers read, and the verdict.

The audit board reads each sampled paper and writes what it says in a CSV
in the ballot file's own format, with two more columns naming the paper:
its batch and its position in the batch (as ``svcount rla sample`` lists
them). Ballot polling measures each assertion's risk from those readings
alone (ALPHA); a comparison audit compares each reading with the paper's
recorded votes, given in the same format (Super-simple).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from svcount.errors import InputError
from svcount.marks import Outcome, fold
from svcount.model import Candidate, Method
from svcount.operations import risk
from svcount.operations.assertions import MISSING, Assertion, Missing, Plan
from svcount.operations.notebook import Tabulated
from svcount.operations.sampling import BATCH_COLUMNS, Draw, batch_name, column

if TYPE_CHECKING:
    from svcount.io import Reopened

__all__ = ["Assessment", "Measured", "assess", "read_papers"]

#: The readings' column naming a paper's position in its batch.
_POSITION = ("position", "paperposition", "ballotposition", "positioninbatch")
Paper = tuple[str, int]  # (batch, position from 1)


@dataclass(frozen=True)
class Measured:
    """One assertion's risk after the sample, and what was seen."""

    assertion: Assertion
    risk: float
    seen: Mapping[str, int]  # polling: for, against, neither; comparison: o1, o2, u1, u2


@dataclass(frozen=True)
class Assessment(Tabulated):
    """The verdict: ``stop`` (every risk at most the limit), ``grow`` (draw ``more``), or
    ``hand count`` (only a full hand count can confirm the result)."""

    audit: str  # "polling" or "comparison"
    draws: int
    risk_limit: float
    measured: tuple[Measured, ...]
    verdict: str
    more: int | None  # draws to add when the verdict is "grow"
    unread: tuple[Paper, ...] = ()  # papers read but never drawn: left out
    more_by_chance: tuple[tuple[int, int], ...] = ()  # polling: (chance %, draws) of stopping

    def __repr__(self) -> str:
        """One line for a notebook: the verdict, after how many draws, and the highest risk."""
        worst = max((m.risk for m in self.measured), default=1.0)
        grow = f", draw about {self.more:,} more" if self.verdict == "grow" and self.more else ""
        return (
            f"<Assessment: {self.verdict}{grow}; {self.audit}, {self.draws:,} draws, highest "
            f"risk {worst:.4f} at a limit of {self.risk_limit:g}>"
        )

    def rows(self) -> list[dict[str, Any]]:
        """Each assertion's risk and what was seen, highest risk first."""
        return [
            {
                "assertion": m.assertion.kind,
                "winner": m.assertion.winner,
                "loser": m.assertion.loser or "",
                "eliminated": ", ".join(m.assertion.eliminated),
                **dict(m.seen),
                "risk": round(m.risk, 6),
                "confirmed": m.risk <= self.risk_limit,
            }  # fmt: skip
            for m in sorted(self.measured, key=lambda m: -m.risk)
        ]


def assess(
    plan: Plan,
    draws: Sequence[Draw],
    readings: Mapping[Paper, Outcome | Missing],
    recorded: Mapping[Paper, Outcome | Missing] | None = None,
    *,
    estimate: bool = True,
) -> Assessment:
    """Measure each assertion of ``plan`` on the sampled papers, in draw order.

    Without ``recorded``, a ballot-polling audit (ALPHA, Stark 2023); with it,
    a comparison audit (Super-simple, Stark 2010), each paper's reading
    against its recorded votes. ``estimate=False`` leaves out how many more
    draws a growing sample needs (a simulation, for polling).
    """
    read = [_reading(readings, d, "readings") for d in draws]
    shown = [_reading(recorded, d, "recorded votes") for d in draws] if recorded else None
    if shown is None:
        measured = tuple(_polled(a, read) for a in plan.assertions)
    else:
        measured = tuple(_compared(a, read, shown) for a in plan.assertions)
    drawn = {(d.batch, d.position) for d in draws}
    unread = tuple(sorted(p for p in readings if p not in drawn))
    verdict, more, chances = _verdict(plan, measured, read, shown is not None, estimate)
    audit = "polling" if shown is None else "comparison"
    return Assessment(audit, len(draws), plan.risk_limit, measured, verdict, more, unread, chances)


def _reading(papers: Mapping[Paper, Outcome | Missing], draw: Draw, what: str) -> Outcome | Missing:
    try:
        return papers[draw.batch, draw.position]
    except KeyError:
        alike = sorted({b for b, _ in papers if _batch_key(b) == _batch_key(draw.batch)})
        said = (
            f" (they name batch {alike[0]!r}: write the batch as the manifest does)"
            if alike
            else ""
        )
        raise InputError(
            f"the {what} have no paper {draw.position} of batch {draw.batch!r}, which was drawn"
            f"{said}: read every paper of the sample (a paper that cannot be found is a row "
            "with found no: the worst case for every assertion, never a paper left out)"
        ) from None


def _batch_key(name: str) -> str:
    """A batch's name as a hand might write it: case, spacing and leading zeros aside."""
    return re.sub(r"\d+", lambda m: str(int(m[0])), fold(name))


def _polled(assertion: Assertion, read: Sequence[Outcome | Missing]) -> Measured:
    scores = [assertion.score(o) for o in read]
    seen = {"for": scores.count(1.0), "against": scores.count(0.0), "neither": scores.count(0.5)}
    found = risk.alpha_risk(scores, assertion.reported_mean) if assertion.diluted > 0 else 1.0
    return Measured(assertion, found, seen)


def _compared(
    assertion: Assertion, read: Sequence[Outcome | Missing], shown: Sequence[Outcome | Missing]
) -> Measured:
    """Discrepancies in Super-simple's terms: a reading that scores less than the recorded
    votes is an overstatement (of one vote at 1/2, two at 1), more an understatement. A
    paper that cannot be found is a two-vote overstatement, the worst case (SHANGRLA)."""
    seen = {"o1": 0, "o2": 0, "u1": 0, "u2": 0}
    for actual, recorded in zip(read, shown, strict=True):
        if actual is MISSING:
            seen["o2"] += 1
            continue
        gap = assertion.score(recorded) - assertion.score(actual)
        if gap:
            seen[("o" if gap > 0 else "u") + ("1" if abs(gap) == 0.5 else "2")] += 1
    found = risk.super_simple_risk(assertion.diluted, len(read), **seen)
    return Measured(assertion, found, seen)


def _verdict(
    plan: Plan,
    measured: Sequence[Measured],
    read: Sequence[Outcome | Missing],
    comparison: bool,
    estimate: bool,
) -> tuple[str, int | None, tuple[tuple[int, int], ...]]:
    """Stop, grow by how many draws (the 90th percentile of simulated audits for polling, with
    the draws for each chance of stopping), or a full hand count when that would reach every
    paper or can never confirm the result."""
    if any(m.assertion.diluted <= 0 for m in measured):
        return "hand count", None, ()
    open_ = [m for m in measured if m.risk > plan.risk_limit]
    if not open_:
        return "stop", None, ()
    n, papers = len(read), plan.ballot_papers
    if not estimate:
        return "grow", None, ()
    chances: tuple[tuple[int, int], ...] = ()
    if comparison:  # from the evidence: what outweighs the discrepancies seen
        needed = [
            risk.super_simple_more(m.assertion.diluted, plan.risk_limit, dict(m.seen), n, papers)
            for m in open_
        ]
        more = max(max(papers if k is None else k for k in needed), 1)
    else:
        chances = _polling_more(plan, open_, read)
        more = dict(chances)[90]
    return ("hand count", None, ()) if n + more >= papers else ("grow", more, chances)


def _polling_more(
    plan: Plan, open_: Sequence[Measured], read: Sequence[Outcome | Missing]
) -> tuple[tuple[int, int], ...]:
    """Draws still needed for each chance of stopping, simulating the audit on from here with
    papers like those read."""
    seen = Counter(read)
    kinds = sorted(seen, key=repr)
    chances = [seen[k] for k in kinds]
    scores = [[m.assertion.score(k) for k in kinds] for m in open_]
    start_logs, start_sums = [], []
    for m in open_:
        mine = [m.assertion.score(o) for o in read]
        start_logs.append(risk.alpha_log_t(mine, m.assertion.reported_mean))
        start_sums.append(sum(mine))
    cap = plan.ballot_papers - len(read)
    sizes = risk.polling_sizes(
        chances,
        scores,
        [m.assertion.reported_mean for m in open_],
        plan.risk_limit,
        max(cap, 1),
        (start_logs, start_sums, len(read)),
    )
    return tuple((c, max(n, 1)) for c, n in sizes.by_chance)


# --------------------------------------------------------------------------- reading the files


def read_papers(
    path: str, candidates: Sequence[str], method: Method
) -> dict[Paper, Outcome | Missing]:
    """Papers read one by one, in the ballot file's own format with batch and position columns.

    Every mark is classified as the count classifies it (README, "The
    count"), against the plan's candidates, except that a name written in
    another case is that candidate (an audit board writes by hand): a name not
    on it is refused, with a did-you-mean. A
    ``found`` column saying no marks a paper that could not be found: it is
    :data:`MISSING`, the worst case for every assertion.
    """
    from svcount.io import load, reopened

    roster = tuple(Candidate(c) for c in candidates)
    loaded = load(path, method=method, candidates=roster, case_forgiven=True)
    fptp = loaded.method is Method.FPTP
    papers: dict[Paper, Outcome | Missing] = {}
    with reopened(loaded) as again:
        named, lost = _paper_names(again)
        for (line, *_), row, count in again.records():
            assert isinstance(line, int)
            if count != 1:
                raise InputError("each row is one paper read", file=path, line=line)
            paper = named[line]
            if paper in papers:
                raise InputError(
                    f"paper {paper[1]} of batch {paper[0]!r} is read twice", file=path, line=line
                )
            if line in lost:
                papers[paper] = MISSING
            else:
                papers[paper] = loaded.outcomes[row[0], "" if fptp else row[1], row[2]]
    return papers


def _paper_names(again: Reopened) -> tuple[dict[int, Paper], set[int]]:
    """Each record's (batch, position), by the line it starts on; and the lines of papers
    that could not be found (``found`` no)."""
    file = again.loaded.file
    header = again.loaded.layout.header if again.loaded.layout is not None else ()
    batch, position = column(header, BATCH_COLUMNS), column(header, _POSITION)
    found = column(header, ("found",))
    if batch is None or position is None:
        raise InputError(
            "the readings need a batch column and a position column naming each paper, as "
            "svcount rla sample lists them",
            file=file,
            line=1,
        )
    named: dict[int, Paper] = {}
    lost: set[int] = set()
    for line, cells in again.cells((batch, position, found if found is not None else batch)):
        if not cells:
            continue
        named[line] = _paper(cells[0], cells[1], file, line)
        said = fold(cells[2]) if found is not None else "yes"
        if said not in ("yes", "y", "true", "1", "found", "no", "n", "false", "0", "missing"):
            raise InputError(
                f"found is yes or no (could the paper be found?), not {cells[2]!r}",
                file=file,
                line=line,
            )
        if said in ("no", "n", "false", "0", "missing"):
            lost.add(line)
    return named, lost


def _paper(batch: str, position: str, file: str, line: int) -> Paper:
    name = batch_name(batch, file, line)
    if not position.strip().isdigit() or int(position) < 1 or not name:
        raise InputError(
            f"a paper is named by its batch and its position from 1, not {batch!r}, {position!r}",
            file=file,
            line=line,
        )
    return name, int(position)
