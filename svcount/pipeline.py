"""One pipeline: a source and its options in, a counted poll out.

Every command and the library count through here, so a poll is read,
classified and counted one way only:

- :func:`tally`: a ballot file (a path, ``-`` for stdin) or a DataFrame, with
  :class:`~svcount.options.CountOptions`, becomes a :class:`Counted`: the
  result, its provenance, and what the user should be told;
- :func:`local_count`, :func:`combine`: the staged count across files;
- :func:`diff`: two result files of one poll compared (a recount);
- :func:`published`: what a declaration or page shows, from a result file or ballots.

The command line only parses options, calls these, renders and exits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any, TypedDict, Unpack

from svcount.count import count, count_by_area, declare_areas
from svcount.documents.local import Combined, LocalCount, read_local, read_total
from svcount.documents.result import read_result
from svcount.documents.signing import Signer, Trusted
from svcount.errors import CountError, InputError, UsageError
from svcount.figures import View, view
from svcount.io import Loaded, input_format, load, look_alike_warnings
from svcount.model import Ballots, Candidate, Method, Provenance, Result
from svcount.operations import staged
from svcount.operations.diff import Comparison, compare_results
from svcount.operations.margin import SECONDS, Margins, margins
from svcount.options import CountOptions
from svcount.reading.lists import area_electorates, read_areas, read_candidates
from svcount.reading.source import sha256_of

if TYPE_CHECKING:
    import pandas as pd


__all__ = [
    "Counted",
    "Listener",
    "combine",
    "diff",
    "input_files",
    "is_result_file",
    "local_count",
    "margin",
    "published",
    "read",
    "tally",
]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Listener:
    """Who hears about a count as it goes: each warning, and each ballot file once read.

    The library's default hears nothing (:class:`Counted` keeps the warnings);
    the command line prints them on stderr, and ``--verbose`` describes the file.
    """

    warning: Callable[[str], None] = lambda message: None
    read: Callable[[Loaded], None] = lambda loaded: None


QUIET = Listener()


@dataclass(frozen=True)
class Counted:
    """A poll counted: its result, how to reproduce it, and what the user should be told."""

    result: Result
    provenance: Provenance
    warnings: tuple[str, ...] = ()
    loaded: Loaded | None = None  # the ballot file as read, when there was one (for the audit)
    ballots: Ballots | None = None  # the whole count's papers, when they were read


def input_files(**paths: str | None) -> tuple[dict[str, str], ...]:
    """Each input file given, by role, with the SHA-256 of its bytes as read now."""
    return tuple(
        {"role": role, "file": path, "sha256": sha256_of(path)}
        for role, path in paths.items()
        if path is not None
    )


def read(
    source: str,
    options: CountOptions,
    *,
    roster: tuple[Candidate, ...] | None = None,
    stdin: IO[bytes] | None = None,
    progress: Progress | None = None,
    engine: str = "auto",
) -> Loaded:
    """Read and classify one ballot file (``-`` for stdin) as ``options`` say.

    ``roster`` gives the candidates directly, instead of a candidate list file.
    """
    options.check()
    text = input_format(source) == "csv"  # only text has separators that a name could hold
    return load(
        source,
        method=options.rules.method,
        candidates=_roster(options, roster, markable=text),
        options=options.reading,
        stdin=stdin,
        progress=progress,
        engine=engine,  # type: ignore[arg-type]
    )


def _roster(
    options: CountOptions, roster: tuple[Candidate, ...] | None, *, markable: bool = True
) -> tuple[Candidate, ...] | None:
    """The candidates given, else those of the candidate list file; with ``markable``, each
    one can be written in a CSV's marks."""
    rules = options.rules
    if roster is None and rules.candidates:
        roster = read_candidates(rules.candidates, options.reading.encoding)
    if roster is not None and markable:
        _markable(roster, options, rules.candidates)
    return roster


def _markable(roster: Sequence[Candidate], options: CountOptions, file: str | None) -> None:
    """Every candidate can be marked: a name holding a separator or the marker never can."""
    reading = options.reading
    special = set(reading.separator.strip()) | {reading.uncertain_marker.strip()}
    for candidate in roster:
        clash = next((ch for ch in candidate.name if ch in special), None)
        if clash is not None:
            what = "the uncertain marker" if clash in reading.uncertain_marker else "a separator"
            raise InputError(
                f"candidate {candidate.name!r} can never be marked: {clash!r} is {what} "
                "(choose another with --separator or --uncertain-marker)",
                file=file,
            )


def _count(
    ballots: Ballots, areas: Mapping[str, Ballots] | None, method: Method, options: CountOptions
) -> Result:
    """Count classified ballots (README, "The count"), by area when there are voting areas."""
    rules = options.rules
    lot = rules.lot_instruction()
    if areas is not None:
        electorates, issued = area_electorates(
            rules.electorate_file, areas, options.reading.encoding
        )
        return count_by_area(
            areas,
            method,
            lot=lot,
            electorate=rules.electorate,
            electorates=electorates,
            issued=issued,
        )
    if rules.electorate_file is not None:
        raise InputError(
            "--electorate-file needs voting areas, and the ballot file has no area "
            "column (name it area, or give --area-column)"
        )
    return count(ballots, method, lot=lot, electorate=rules.electorate)


def _record(loaded: Loaded, options: CountOptions) -> dict[str, Any]:
    """Every option, as the file was read: the method, encoding and delimiter found."""
    record = options.record()
    record["method"] = loaded.method.value
    if loaded.layout is not None:  # a structured format has no text to decode or split
        record.update(encoding=loaded.layout.encoding, delimiter=loaded.layout.delimiter)
    return record


def _provenance(loaded: Loaded, options: CountOptions) -> Provenance:
    from svcount.version import version

    record = _record(loaded, options)
    return Provenance(
        file=loaded.file,
        sha256=loaded.sha256,
        rows=loaded.rows,
        columns={
            r: loaded.column_name(r)
            for r in ("first", "second", "rejected", "count")
            if r != "count" or loaded.aggregated
        },
        options=record,
        version=version(),
        files=input_files(
            candidates=options.rules.candidates, electorate_file=options.rules.electorate_file
        ),
    )


def lot_unused(options: CountOptions, result: Result | None, why: str = "") -> tuple[str, ...]:
    """A warning when ``--lot`` or ``--seed`` was given but no lot was drawn."""
    rules = options.rules
    if (rules.lot is None and rules.seed is None) or (result is not None and result.lot):
        return ()
    given = "--lot" if rules.lot is not None else "--seed"
    return (f"warning: {why or 'no equality of votes needed a lot'}; {given} ignored",)


def _issued_warnings(result: Result) -> tuple[str, ...]:
    """Each voting area whose papers issued differ from those counted."""
    return tuple(
        _issued_warning(area.name, area.issued, area.first.ballot_papers)
        for area in result.areas
        if area.issued_minus_counted and area.issued is not None
    )


def _issued_warning(area: str, issued: int, counted: int) -> str:
    return (
        f"warning: {area}: {issued:,} ballot papers issued but {counted:,} counted (a "
        f"difference of {issued - counted:+,})"
    )


class Counting(TypedDict, total=False):
    """How a count is run, beyond its options: declared once, for :func:`tally` and
    :func:`margin` alike."""

    roster: tuple[Candidate, ...] | None  # the candidates given directly (else from options)
    stdin: IO[bytes] | None
    progress: Progress | None
    listen: Listener  # hears each warning as it arises (default: nobody)


def tally(source: str | pd.DataFrame, options: CountOptions, **how: Unpack[Counting]) -> Counted:
    """Count a ballot file or a DataFrame, run as ``how`` says (:class:`Counting`)."""
    roster, listen = how.get("roster"), how.get("listen", QUIET)
    stdin, progress = how.get("stdin"), how.get("progress")
    if not isinstance(source, str):
        return _tally_frame(source, options, roster, listen)
    loaded = read(source, options, roster=roster, stdin=stdin, progress=progress)
    warnings = tuple(f"warning: {w}" for w in loaded.warnings)
    for warning in warnings:
        listen.warning(warning)
    listen.read(loaded)
    result = _located_count(loaded.file, loaded.ballots, loaded.areas, loaded.method, options)
    later = lot_unused(options, result) + _issued_warnings(result)
    for warning in later:
        listen.warning(warning)
    return Counted(result, _provenance(loaded, options), warnings + later, loaded, loaded.ballots)


def _tally_frame(
    frame: pd.DataFrame,
    options: CountOptions,
    roster: tuple[Candidate, ...] | None,
    listen: Listener,
) -> Counted:
    """A DataFrame counted as a file is: its candidate list read, its warnings given."""
    from svcount.reading.frames import frame_marks

    roster = _roster(options, roster)
    marks = frame_marks(frame, options, roster)
    result = _located_count(marks.file, marks.ballots, marks.areas, marks.method, options)
    said = look_alike_warnings(marks.file, result.stage_one.votes) if roster is None else ()
    warnings = tuple(f"warning: {w}" for w in said)
    warnings += lot_unused(options, result) + _issued_warnings(result)
    for warning in warnings:
        listen.warning(warning)
    return Counted(result, marks.provenance(options), warnings, ballots=marks.ballots)


def _located_count(
    file: str,
    ballots: Ballots,
    areas: Mapping[str, Ballots] | None,
    method: Method,
    options: CountOptions,
) -> Result:
    try:
        return _count(ballots, areas, method, options)
    except CountError as exc:
        raise CountError(f"{file}: {exc}") from None


# --------------------------------------------------------------------------- the staged count


def local_count(
    source: str,
    options: CountOptions,
    stage: str,
    area: str | None,
    remaining_from: str | None,
    *,
    trusted: Trusted | None = None,
    progress: Progress | None = None,
    listen: Listener = QUIET,
    election: str | None = None,
) -> LocalCount:
    """A local file for the staged count: this area's first count (``first``) or its transfers.

    With ``trusted``, the total of ``remaining_from`` must be signed by one of those keys.
    """
    rules = options.rules
    if rules.candidates is None:
        raise UsageError(
            "--stage needs --candidates: every local count must use the same candidate list"
        )
    if rules.electorate_file is not None:
        raise UsageError(
            "--electorate-file belongs to svcount combine: give a local count --electorate N"
        )
    if stage == "second" and rules.electorate is not None:
        raise UsageError("--electorate belongs to the first-stage count (--stage first)")
    if stage == "first" and remaining_from is not None:
        raise UsageError("--remaining-from belongs to the second-stage count (--stage second)")
    if stage == "second" and remaining_from is None:
        raise UsageError("--stage second needs --remaining-from: the total from svcount combine")
    for warning in lot_unused(options, None, "a local count draws no lot (the declaration does)"):
        listen.warning(warning)
    loaded = read(source, options, progress=progress)
    for warning in loaded.warnings:
        listen.warning(f"warning: {warning}")
    listen.read(loaded)
    if trusted is not None and remaining_from is None:
        raise UsageError("--trust checks the signed total of --remaining-from (--stage second)")
    total = None if remaining_from is None else read_total(remaining_from, trusted)
    if total is not None and election != total.election and election is not None:
        raise UsageError(
            f"--election {election!r}, but the total {remaining_from} is for "
            f"{repr(total.election) if total.election else 'no named poll'}"
        )
    local = staged.local_count(
        loaded, area, _record(loaded, options), electorate=rules.electorate, total=total
    )
    return replace(local, election=election or (total.election if total else None))


def combine(
    files: Sequence[str],
    options: CountOptions,
    areas: str | None = None,
    *,
    trusted: Trusted | None = None,
    listen: Listener = QUIET,
    election: str | None = None,
) -> Combined | Counted:
    """Local counts added up: a total (nobody elected yet) or, with second counts, the result.

    With ``election``, every local count must name that poll.
    """
    rules = options.rules
    locals_ = [read_local(f, trusted) for f in files]
    for local in locals_ if election is not None else ():
        checked = (local.verification or {}).get("election", election)
        if local.election != election or checked != election:
            named = f"the poll {local.election!r}" if local.election else "no poll"
            if local.election == election:
                named = f"a verification statement of the poll {checked!r}"
            raise InputError(f"names {named}, not --election {election!r}", file=local.path)
    listed = _verified_areas(locals_)
    if areas is not None:
        rows = read_areas(areas, need_electorate=False, encoding=options.reading.encoding)
        listed = [r.name for r in rows]
    combined = staged.combine(locals_, listed)
    out: Combined | Counted = combined
    warnings: list[str] = []
    if combined.stage.remaining and not combined.moved:
        if rules.electorate is not None:
            raise UsageError(
                "--electorate belongs to the declaration: no candidate has more than half of "
                "the valid votes yet, so give it when the second counts are combined"
            )
        warnings += _issued_at_first_combine(combined, options)
        warnings += lot_unused(options, None, "the count goes on to second preferences")
    else:
        out = _declare_combined(combined, locals_, options, areas)
        warnings += out.warnings
    _signatures_noted([c.signer for c in locals_], trusted, listen)
    for warning in warnings:  # only once every check has passed: a refusal is one line
        listen.warning(warning)
    return out


def _issued_at_first_combine(combined: Combined, options: CountOptions) -> list[str]:
    """Papers issued against those counted, area by area, as soon as the first counts are in."""
    _, issued = area_electorates(
        options.rules.electorate_file, combined.firsts, options.reading.encoding
    )
    issued = issued or _issued_verified(combined.first_counts)
    return [
        _issued_warning(area, papers, combined.firsts[area].ballot_papers)
        for area, papers in issued.items()
        if papers != combined.firsts[area].ballot_papers
    ]


def _declare_combined(
    combined: Combined, counts: Sequence[LocalCount], options: CountOptions, areas: str | None
) -> Counted:
    """The declaration from every area's first and second counts, and its provenance.

    The provenance lists each local file with the SHA-256 it was read with.
    """
    import hashlib

    from svcount.version import version

    rules = options.rules
    electorates, issued = area_electorates(
        rules.electorate_file, combined.firsts, options.reading.encoding
    )
    issued = issued or _issued_verified(combined.first_counts)
    result = declare_areas(
        combined.firsts,
        combined.moved,
        combined.method,
        lot=rules.lot_instruction(),
        electorate=rules.electorate,
        electorates=electorates or combined.electorates,
        issued=issued,
    )
    parts: tuple[dict[str, Any], ...] = tuple(
        {
            "file": c.path,
            "stage": c.stage,
            "area": c.area,
            "sha256": c.sha256,
            "options": dict(c.source.options),
            **({"signed_by": c.signer.found()} if c.signer else {}),
            **({"verification": dict(c.verification)} if c.verification else {}),
        }
        for c in counts
    )
    provenance = Provenance(
        file=", ".join(c.path for c in counts),
        sha256=hashlib.sha256("".join(c.sha256 for c in counts).encode()).hexdigest(),
        rows=result.ballot_papers,
        columns={},
        options={
            "method": combined.method.value,
            "electorate": rules.electorate,
            "electorate_file": rules.electorate_file,
            "lot": rules.lot,
            "seed": rules.seed,
        },
        version=version(),
        parts=parts,
        files=input_files(areas=areas, electorate_file=rules.electorate_file),
    )
    warnings = lot_unused(options, result) + _issued_warnings(result)
    return Counted(result, provenance, warnings)


def _verified_areas(counts: Sequence[LocalCount]) -> list[str] | None:
    """The voting areas of the verification statement the first counts were checked
    against: every one must be combined before anything is declared."""
    listed = {tuple(c.verification.get("areas", ())) for c in counts if c.verification}
    return list(listed.pop()) if len(listed) == 1 and () not in listed else None


def _issued_verified(firsts: Sequence[LocalCount]) -> dict[str, int]:
    """The papers issued in each area, as the verification statements its first counts were
    checked against give them (when every one was)."""
    if not firsts or any(c.verification is None for c in firsts):
        return {}
    return {c.area: int(c.verification["issued"]) for c in firsts if c.verification}


# --------------------------------------------------------------------------- declarations


def shown(counted: Counted) -> View:
    """A count as every output shows it."""
    return view(counted.result, counted.provenance)


def published(
    source: str,
    options: CountOptions,
    *,
    trusted: Trusted | None = None,
    progress: Progress | None = None,
    listen: Listener = QUIET,
) -> tuple[View, Counted | None]:
    """What a declaration or page shows: a result file's checked figures, or ballots counted now.

    The count comes too when there was one (its papers give exact margins).
    A result file was counted with its own options, so count options given
    with one are refused.
    """
    if not is_result_file(source):
        if trusted is not None:
            raise UsageError(f"--trust checks a signed result file, and {source} is a ballot file")
        counted = tally(source, options, progress=progress, listen=listen)
        return shown(counted), counted
    counting = [f"--{k.replace('_', '-')}" for k in options.given()]
    if counting:
        raise UsageError(
            f"{', '.join(counting)}: count options apply to a ballot file, and {source} "
            "is a result (its options are those it was counted with)"
        )
    found = read_result(source, trusted)
    _signatures_noted([found.signer], trusted, listen)
    return found.view, None


def diff(
    before: str, after: str, *, trusted: Trusted | None = None, listen: Listener = QUIET
) -> Comparison:
    """Two result files of one poll compared, figure by figure (a recount)."""
    files = [read_result(before, trusted), read_result(after, trusted)]
    comparison = compare_results(*files)
    _signatures_noted([f.signer for f in files], trusted, listen)
    return comparison


def _signatures_noted(
    signers: Sequence[Signer | None], trusted: Trusted | None, listen: Listener
) -> None:
    """Without --trust, a note of what the signatures prove: nothing yet."""
    if trusted is not None:
        return
    named = sorted({str(s) for s in signers if s is not None})
    if not named:
        listen.warning(
            "note: the files read back were not signed (svcount key new, then --sign KEY "
            "and --trust KEYS, proves who sent them)"
        )
    else:
        listen.warning(
            f"note: signed by {', '.join(named)}, not checked: give --trust KEYS to check"
        )


def margin(
    source: str | pd.DataFrame,
    options: CountOptions,
    seconds: float = SECONDS,
    **how: Unpack[Counting],
) -> tuple[Counted, Margins | None]:
    """A count and its margins of victory, within ``seconds``; None while a lot is required."""
    counted = tally(source, options, **how)
    assert counted.ballots is not None
    if counted.result.winner is None:
        return counted, None
    return counted, margins(counted.ballots, counted.result, seconds)


def is_result_file(source: str) -> bool:
    """A ``.json`` (or ``.json.gz``) source is a result file unless it is an input format of
    its own (a cast vote record report); anything else is ballots."""
    return source.lower().endswith((".json", ".json.gz")) and input_format(source) == "csv"
