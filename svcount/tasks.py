"""Each command's work beyond a count: the pipeline's entry points, with typed results.

The command line reaches ``operations/`` only through here and ``pipeline``:
verifying a reference election, a result's margins, the audit trail,
synthesised ballots and the risk-limiting audit's three steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from svcount.errors import CountError, InputError, UsageError
from svcount.figures import View
from svcount.operations.assertions import plan_document
from svcount.operations.margin import FigureBounds, Margins, margins
from svcount.operations.sampling import sample_document
from svcount.operations.verification import statement_document
from svcount.options import CountOptions
from svcount.pipeline import QUIET, Counted, Listener, Progress, input_files, tally

if TYPE_CHECKING:
    from pathlib import Path

    from svcount.documents.local import LocalCount
    from svcount.documents.signing import Trusted
    from svcount.documents.writing import Landing
    from svcount.model import Ballots
    from svcount.operations.assertions import Plan
    from svcount.operations.assess import Assessment
    from svcount.operations.sampling import Draw, Retrieval
    from svcount.operations.verification import Statement
    from svcount.operations.verify import Check

__all__ = [
    "FigureBounds",
    "Margins",
    "Synthesised",
    "Verification",
    "audit",
    "election_folder",
    "expected_options",
    "plan_document",
    "sample_document",
    "statement_document",
    "verification",
    "papers_verified",
    "verified_count",
    "result_margins",
    "rla_assess",
    "rla_plan",
    "rla_sample",
    "synth",
    "verify",
]


@dataclass(frozen=True)
class Verification:
    """One reference election verified: every figure's check, its count, its expected file."""

    checks: tuple[Check, ...]
    counted: Counted
    expected: str

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def expected_options(expected: str, given: Mapping[str, Any]) -> CountOptions:
    """The options of an expected file, overridden by those ``given`` (None: not given)."""
    from svcount.operations.verify import read_expected

    options = read_expected(expected).options.merged(dict(given))
    options.check()
    return options


def verify(
    ballots: str,
    expected: str,
    options: CountOptions,
    *,
    progress: Progress | None = None,
    listen: Listener = QUIET,
) -> Verification:
    """Count ``ballots`` and check every figure against the ``expected`` file."""
    from svcount.operations.verify import compare, read_expected

    wanted = read_expected(expected)
    counted = tally(ballots, options, progress=progress, listen=listen)
    return Verification(tuple(compare(wanted, counted.result, expected)), counted, expected)


def election_folder(folder: str) -> tuple[str, str]:
    """A reference-election folder's ballot file and expected file."""
    from svcount.operations.verify import election_files

    return election_files(folder)


def result_margins(shown: View, counted: Counted | None) -> Margins | FigureBounds | None:
    """The margins of a result: exact from the count's papers, else bounds from its figures;
    None while a lot is required, or when the result file already holds them."""
    from svcount.operations.margin import figure_bounds

    if shown.figures["winner"] is None or shown.margin is not None:
        return None
    if counted is not None and counted.ballots is not None:
        return margins(counted.ballots, counted.result)
    return figure_bounds(shown.figures)


def audit(
    path: str | Path,
    counted: Counted,
    progress: Progress | None = None,
    landing: Landing | None = None,
) -> str:
    """Write the per-paper audit trail of ``counted``; its SHA-256."""
    from svcount.operations.audit import write_audit

    if counted.loaded is None:
        raise UsageError("--audit needs ballot papers, and this count read a result file")
    return write_audit(path, counted.loaded, counted.result, progress, landing)


@dataclass(frozen=True)
class Synthesised:
    """A ballot file whose count reproduces a figures file, and what had to be assumed."""

    ballots: bytes  # the CSV, UTF-8
    areas: str | None  # the areas file's CSV, when the figures have voting areas
    ballot_papers: int
    assumed: Mapping[str, str]


def synth(figures: str, seed: int, aggregate: bool = False) -> Synthesised:
    """Ballots for the figures file ``figures``, the same bytes for the same seed."""
    from svcount.operations.synth import areas_csv, read_figures, synthesise

    wanted = read_figures(figures)
    areas = areas_csv(wanted) if wanted.areas else None
    return Synthesised(
        synthesise(wanted, seed, aggregate), areas, wanted.ballot_papers, dict(wanted.assumed)
    )


def rla_plan_of_result(
    path: str, risk_limit: float, packets: str | None = None
) -> tuple[Plan, Ballots, dict[str, Any]]:
    """The plan of a result file: the count's plain assertions from its figures (its papers
    are not there to choose a better set), with any packets committed; the papers the
    figures give, and the result's input record."""
    from svcount.count import count
    from svcount.documents.result import read_result
    from svcount.model import EnteredLot, Method
    from svcount.operations.assertions import figures_ballots, plan
    from svcount.operations.committed import commit

    found = read_result(path)
    try:
        ballots = figures_ballots(found.figures, found.candidates)
        result = count(ballots, Method(found.figures["method"]))
        if result.winner is None and found.figures.get("winner") in result.lot_required:
            result = count(ballots, result.method, lot=EnteredLot(found.figures["winner"]))
        planned = plan(ballots, result, risk_limit, plain=True)
    except (KeyError, TypeError, ValueError, CountError) as exc:
        raise InputError(f"no plan from this result's figures: {exc}", file=path) from None
    if result.winner != found.figures.get("winner"):
        raise InputError("the result's figures do not give its winner", file=path)
    if packets is not None:
        planned = replace(planned, committed=commit("packets", packets, ballots, result))
    record = {"file": path, "sha256": found.sha256, "figures": True}
    return planned, ballots, record


def rla_plan(
    counted: Counted, risk_limit: float, cvrs: str | None = None, packets: str | None = None
) -> Plan:
    """The risk-limiting audit's plan of a count of papers (README, "Risk-limiting audits"),
    with the records a comparison audit compares with committed (``cvrs`` or ``packets``)."""
    from svcount.operations.assertions import plan
    from svcount.operations.committed import commit

    if counted.ballots is None:
        raise UsageError("an audit plan needs the ballot papers, not a result file")
    if cvrs is not None and packets is not None:
        raise UsageError("--cvrs or --packets: a comparison audit compares with one set of records")
    try:
        planned = plan(counted.ballots, counted.result, risk_limit, plain=packets is not None)
    except CountError as exc:
        raise UsageError(f"--packets: {exc}") from None
    kind, path = ("cvrs", cvrs) if cvrs is not None else ("packets", packets)
    if path is None:
        return planned
    return replace(planned, committed=commit(kind, path, counted.ballots, counted.result))


def rla_sample(
    manifest: str,
    seed: str,
    size: int,
    already: int,
    verification: str | None = None,
    jurisdiction: str | None = None,
) -> tuple[dict[str, int], list[Draw]]:
    """A ballot manifest read (with ``verification``, checked to add up to the papers
    verified), and the draws of this round (with ``jurisdiction``, as Arlo's server keys
    the papers)."""
    from svcount.operations.sampling import manifest_keys, read_manifest, sample

    batches = read_manifest(manifest)
    if verification is not None:
        papers_verified(sum(batches.values()), verification, f"the manifest {manifest}")
    keys = manifest_keys(manifest, jurisdiction)
    return batches, sample(batches, seed, size, already, keys)


def verification(
    accounts: str, ballots: str | None = None, box_column: str | None = None
) -> tuple[Statement, tuple[dict[str, str], ...]]:
    """The statement as to the result of the verification, and the files it was made from.

    With ``ballots``, each box's papers are counted from that ballot file's ``box_column``.
    """
    from svcount.io import papers_by_column
    from svcount.operations.verification import read_accounts
    from svcount.options import ReadOptions

    counted = None
    if ballots is not None and box_column is not None:
        counted = papers_by_column(ballots, box_column, ReadOptions())
    found = read_accounts(accounts, counted)
    return found, input_files(accounts=accounts, ballots=ballots)


def papers_verified(papers: int, statement: str, what: str) -> None:
    """Refuse ``what`` unless its ``papers`` are the papers the statement verified."""
    from svcount.operations.verification import read_statement

    verified = read_statement(statement).total
    if papers != verified:
        raise InputError(
            f"{what} has {papers:,} ballot papers and the verification statement {verified:,}: "
            "an audit is of the papers verified, every one",
            file=statement,
        )


def verified_count(counted: Counted, statement: str, accepted: str | None = None) -> Counted:
    """A count checked against the verification statement (README, "Count night"): the
    papers counted (rejected included) in each voting area, or in all, must be those verified,
    unless the difference is accepted with a reason. The statement's SHA-256 is recorded."""
    from svcount.operations.verification import agreement, read_statement

    found = read_statement(statement)
    areas = {a.name: a.first.ballot_papers for a in counted.result.areas} or None
    differences = agreement(found, counted.result.ballot_papers, areas, statement)
    said = [
        f"{area or 'the count'}: {v:,} papers verified, {c:,} counted (a difference of {c - v:+,})"
        for area, v, c in differences
    ]
    if said and accepted is None:
        raise InputError(
            f"the count does not agree with the verification: {'; '.join(said)}; give "
            "--accept-difference REASON to declare it anyway",
            file=statement,
        )
    total = counted.result.ballot_papers
    record = {**input_files(verification=statement)[0], "verified": found.total,
              "counted": total, **({"accepted_difference": accepted} if said else {})}  # fmt: skip
    provenance = replace(counted.provenance, files=(*counted.provenance.files, record))
    summary = count_summary(record)
    return replace(counted, provenance=provenance, warnings=(*counted.warnings, summary))


def count_summary(record: Mapping[str, Any]) -> str:
    """The count summary line of a count checked against the verification: papers verified
    and counted, the difference, and the reason it was accepted."""
    verified, counted = record["verified"], record["counted"]
    accepted = record.get("accepted_difference")
    return (
        f"count summary: {verified:,} papers verified, {counted:,} counted, a difference of "
        f"{counted - verified:+,}" + (f"; accepted: {accepted}" if accepted else "")
    )


def verified_local(
    local: LocalCount,
    statement: str,
    accepted: str | None = None,
    trusted: Trusted | None = None,
) -> LocalCount:
    """A first count checked against the verification statement (README, "Count night"):
    its papers counted are the papers verified in its voting area (or in all, when the
    statement has no areas), unless the difference is accepted with a reason. The record
    (the statement's SHA-256, papers verified and issued) goes into the local file, and so
    to combine and the declaration."""
    from svcount.operations.verification import read_statement

    if local.first is None:
        raise UsageError("--verification checks a first count (--stage first)")
    found = read_statement(statement, trusted)
    if found.election != local.election and found.election and local.election:
        raise InputError(
            f"the statement is of the poll {found.election!r}, the count of --election "
            f"{local.election!r}",
            file=statement,
        )
    verified, issued = found.total, found.issued
    if found.areas:
        if local.area not in found.areas:
            raise InputError(
                f"the statement has no voting area {local.area!r} (it has "
                f"{', '.join(sorted(found.areas))})",
                file=statement,
            )
        verified, issued = found.areas[local.area], found.issued_areas[local.area]
    counted = local.first.ballot_papers
    if counted != verified and accepted is None:
        raise InputError(
            f"{local.area}: {verified:,} papers verified, {counted:,} counted (a difference of "
            f"{counted - verified:+,}); give --accept-difference REASON to count it anyway",
            file=statement,
        )
    record = {**input_files(verification=statement)[0], "verified": verified, "issued": issued,
              "counted": counted, "areas": sorted(found.areas),
              **({"election": found.election} if found.election else {}),
              **({"accepted_difference": accepted} if counted != verified else {})}  # fmt: skip
    return replace(local, verification=record)


def rla_retrieval(
    draws: list[Draw], batches: dict[str, int], boards: int, by_box: bool
) -> list[Retrieval]:
    """The draws as audit boards retrieve them (README, "Risk-limiting audits")."""
    from svcount.operations.sampling import retrieval

    return retrieval(draws, batches, boards, by_box)


def rla_assess(
    plan_file: str,
    sample_file: str,
    readings: str,
    recorded: str | None = None,
    risk_limit: float | None = None,
    manifest: str | None = None,
    seed: str | None = None,
) -> Assessment:
    """The assessment of an audit's files, at the plan's risk limit unless another is given.

    Nothing is believed: the plan's assertions are derived again from its recorded count,
    and every draw again from the manifest and the seed.
    """
    from svcount.operations.assertions import read_plan
    from svcount.operations.assess import assess, read_papers
    from svcount.operations.committed import recorded as recorded_votes
    from svcount.operations.sampling import read_sample, verified

    planned, ballots, result = read_plan(plan_file)
    if risk_limit is not None:
        planned = replace(planned, risk_limit=risk_limit)
    batches, draws = verified(read_sample(sample_file), planned.ballot_papers, manifest, seed)
    read_ = read_papers(readings, planned.candidates, planned.method)
    committed = planned.committed
    if committed is None and recorded is not None:
        raise UsageError(
            "--recorded: the plan commits no records, and records given once the sample is known "
            "could be made to fit it; plan with --cvrs FILE or --packets MANIFEST, then roll "
            "the seed"
        )
    if committed is None:
        return assess(planned, draws, read_)
    shown = recorded_votes(
        committed, recorded, draws, batches, (planned.candidates, planned.method, ballots, result)
    )
    return assess(planned, draws, read_, dict(shown))
