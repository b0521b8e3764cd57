"""The sample of a risk-limiting audit: which ballot papers to retrieve, drawn as Arlo draws them.

Each paper is named by its batch (a box, a bundle) and its position in the
batch, counting from 1. Every paper gets a ticket number from SHA-256 of the
public seed and its name (Rivest's consistent sampler, the PyPI package
``consistent_sampler``, which VotingWorks' Arlo uses); the sample is the
papers with the smallest tickets, drawn with replacement as Arlo's
ballot-polling and comparison audits draw them. So the same seed and
manifest give the same list as Arlo's, ticket for ticket, on any machine,
and a later round extends the sample (``already``) without redrawing it.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from svcount.errors import InputError, UsageError
from svcount.marks import fold
from svcount.names import NameError_
from svcount.names import name as name_policy

__all__ = ["DIGITS", "Draw", "read_manifest", "sample"]

#: Decimal digits of each ticket number, as Arlo draws them.
DIGITS = 18
#: A manifest's columns, matched as headers are (case, spaces and punctuation aside).
BATCH_COLUMNS = ("batch", "batchname", "box", "container", "bundle", "tabulator")
_PAPERS = ("papers", "ballots", "numberofballots", "ballotpapers", "count")


@dataclass(frozen=True)
class Draw:
    """One draw: the paper (batch, position from 1), its ticket, and which draw of it this is."""

    ticket: str
    batch: str
    position: int
    draw: int  # 1 the first time this paper is drawn, 2 the second (with replacement)


def sample(manifest: Mapping[str, int], seed: str, size: int, already: int = 0) -> list[Draw]:
    """The draws ``already + 1`` to ``already + size`` of the audit's sample.

    ``manifest`` gives each batch's papers. A round after the first passes
    the draws made so far as ``already``: the list goes on where it stopped.
    """
    import consistent_sampler

    if not seed.strip():
        raise UsageError("the seed is empty: roll it in public (20 digits from ten-sided dice)")
    if size < 0 or already < 0:
        raise UsageError("the sample size and the draws already made are at least 0")
    if sum(manifest.values()) == 0:
        raise UsageError("the manifest lists no ballot paper")
    papers = [(batch, i) for batch, count in manifest.items() for i in range(1, count + 1)]
    drawn = consistent_sampler.sampler(
        papers, seed=seed, with_replacement=True, drop=already, take=size, digits=DIGITS
    )
    return [Draw(ticket, batch, position, draw) for ticket, (batch, position), draw in drawn]


def read_manifest(path: str) -> dict[str, int]:
    """A ballot manifest: CSV with a batch column and a papers column, a row per batch."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"cannot read the manifest: {why}", file=path) from None
    if not rows:
        raise InputError("the manifest is empty", file=path)
    batch, papers = column(rows[0], BATCH_COLUMNS), column(rows[0], _PAPERS)
    if batch is None or papers is None:
        raise InputError(
            "the header needs a batch column (batch, box, container) and a papers column "
            "(papers, ballots, number of ballots)",
            file=path,
            line=1,
        )
    manifest: dict[str, int] = {}
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (max(batch, papers) + 1 - len(row))
        name = batch_name(cells[batch], path, line)
        count = cells[papers].strip().replace(",", "")
        if not name or not count.isdigit():
            raise InputError(
                f"each row needs a batch and its papers (a whole number), not {row!r}",
                file=path,
                line=line,
            )
        if name in manifest:
            raise InputError(f"the batch {name!r} is listed twice", file=path, line=line)
        manifest[name] = int(count)
    return manifest


def column(header: Sequence[str], spellings: Sequence[str]) -> int | None:
    """Where the first of ``spellings`` is in ``header``, names matched as headers are."""
    folded = [fold(h) for h in header]
    return next((folded.index(n) for n in spellings if n in folded), None)


def batch_name(text: str, file: str, line: int) -> str:
    """A batch's name under the name policy ("" when blank), or the file's line refused."""
    try:
        return name_policy(text, "batch")
    except NameError_ as exc:
        raise InputError(str(exc), file=file, line=line) from None
