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
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from svcount.errors import InputError, UsageError
from svcount.marks import fold
from svcount.names import name_in

__all__ = [
    "BATCH_COLUMNS",
    "DIGITS",
    "MAX_PAPERS",
    "PAPERS_COLUMNS",
    "SAMPLE_SCHEMA",
    "Draw",
    "Sample",
    "Retrieval",
    "manifest_keys",
    "read_manifest",
    "read_sample",
    "retrieval",
    "sample",
    "sample_document",
    "verified",
]

#: Decimal digits of each ticket number, as Arlo draws them.
DIGITS = 18
#: The most papers a manifest may list (ten times London 2021's 2.6 million).
MAX_PAPERS = 30_000_000
#: The most draws a sample makes: far past any audit, which becomes a hand count first.
MAX_DRAWS = 10_000_000
#: A manifest's columns, matched as headers are (case, spaces and punctuation aside).
BATCH_COLUMNS = ("batch", "batchname", "box", "container", "bundle", "tabulator", "packet")
PAPERS_COLUMNS = ("papers", "ballots", "numberofballots", "ballotpapers", "count")


@dataclass(frozen=True)
class Draw:
    """One draw: the paper (batch, position from 1), its ticket, and which draw of it this is."""

    ticket: str
    batch: str
    position: int
    draw: int  # 1 the first time this paper is drawn, 2 the second (with replacement)


def sample(
    manifest: Mapping[str, int],
    seed: str,
    size: int,
    already: int = 0,
    keys: Mapping[str, object] | None = None,
) -> list[Draw]:
    """The draws ``already + 1`` to ``already + size`` of the audit's sample.

    ``manifest`` gives each batch's papers. A round after the first passes
    the draws made so far as ``already``: the list goes on where it stopped.
    ``keys`` (``manifest_keys``) are what each batch's papers are hashed by,
    when not its name: Arlo's server's (jurisdiction, tabulator, batch).
    """
    import consistent_sampler

    if not seed.strip():
        raise UsageError("the seed is empty: roll it in public (20 digits from ten-sided dice)")
    if size < 0 or already < 0:
        raise UsageError("the sample size and the draws already made are at least 0")
    total = sum(manifest.values())
    if total == 0:
        raise UsageError("the manifest lists no ballot paper")
    most = min(MAX_DRAWS, 10 * total)
    if already + size > most:
        raise UsageError(
            f"{already + size:,} draws from {total:,} papers: at most {most:,} (ten draws a "
            f"paper, and {MAX_DRAWS:,} in all); long before that, an audit is a full hand count"
        )
    keyed = {batch: batch for batch in manifest} if keys is None else dict(keys)
    named = {key: batch for batch, key in keyed.items()}
    papers = _first_in_line({keyed[b]: n for b, n in manifest.items()}, seed, already + size)
    drawn = consistent_sampler.sampler(
        papers, seed=seed, with_replacement=True, drop=already, take=size, digits=DIGITS
    )
    return [Draw(ticket, named[key], position, draw) for ticket, (key, position), draw in drawn]


#: Each number below 1,000 with its three digits reversed (7 is 007, reversed 700).
_REVERSED = [int(f"{n:03d}"[::-1]) for n in range(1000)]


def _first_in_line(manifest: Mapping[Any, int], seed: str, wanted: int) -> list[tuple[Any, int]]:
    """The papers whose first tickets are among the ``wanted`` smallest (equal ones included):
    the only papers the first ``wanted`` draws can be, so the sampler need see no other.

    Each draw is the smallest ticket left, and a paper's next ticket is always
    larger than its last, so the first ``wanted`` draws are the ``wanted``
    smallest tickets of all, none larger than the ``wanted``-th smallest first
    ticket. A first ticket is SHA-256 of the seed's hash and the paper's name,
    its decimal digits reversed (``consistent_sampler.first_fraction``): its
    first 18 digits are the last 18 of the hash's decimal value, reversed,
    which are computed here with ``hashlib`` and compared with NumPy, the
    papers tied there kept.
    """
    import hashlib
    from array import array

    import numpy as np

    total = sum(manifest.values())
    if wanted >= total:
        return [(batch, i) for batch, count in manifest.items() for i in range(1, count + 1)]
    seed_hash = hashlib.sha256(str(seed).encode("utf-8")).hexdigest()
    low, modulus = array("Q"), 10**DIGITS
    for batch, count in manifest.items():
        named = seed_hash + "(" + repr(batch) + ", "  # str((batch, position)), as the sampler
        low.extend(
            int.from_bytes(hashlib.sha256(f"{named}{i})".encode()).digest(), "big") % modulus
            for i in range(1, count + 1)
        )
    digits, key = np.frombuffer(low, dtype=np.uint64).copy(), np.zeros(total, dtype=np.uint64)
    thousand, reversed_ = np.uint64(1000), np.asarray(_REVERSED, dtype=np.uint64)
    for _ in range(DIGITS // 3):  # the last 18 digits reversed, three at a time
        key = key * thousand + reversed_[digits % thousand]
        digits //= thousand
    bound = np.partition(key, wanted - 1)[wanted - 1]
    chosen = np.flatnonzero(key <= bound)
    starts = np.cumsum([0, *manifest.values()])
    batches = list(manifest)
    where = np.searchsorted(starts, chosen, side="right") - 1
    return [(batches[b], int(i - starts[b]) + 1) for b, i in zip(where, chosen, strict=True)]


def read_manifest(path: str) -> dict[str, int]:
    """A ballot manifest: CSV with a batch column and a papers column, a row per batch (with
    Arlo's ``Tabulator`` column, a batch is named ``TABULATOR / BATCH``)."""
    return {name: papers for name, _, papers in _manifest_rows(path)}


def manifest_keys(path: str, jurisdiction: str | None) -> dict[str, object] | None:
    """What each batch's papers are hashed by: its name (None: as Arlo's sampler does), or,
    with ``jurisdiction``, (jurisdiction, tabulator or None, batch name) as Arlo's server
    keys them."""
    if jurisdiction is None:
        return None
    return {name: (jurisdiction, *key) for name, key, _ in _manifest_rows(path)}


def csv_rows(path: str, what: str) -> list[list[str]]:
    """A manifest's rows (a ballot manifest, a packet manifest), each problem one line."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 CSV text"
        raise InputError(f"cannot read the {what}: {why}", file=path) from None


def _manifest_rows(path: str) -> list[tuple[str, tuple[str | None, str], int]]:
    """Each batch: its name, (tabulator or None, batch name), papers."""
    rows = csv_rows(path, "manifest")
    if not rows:
        raise InputError("the manifest is empty", file=path)
    batch, papers = column(rows[0], BATCH_COLUMNS), column(rows[0], PAPERS_COLUMNS)
    tabulator = column(rows[0], ("tabulator",))
    tabulator = None if tabulator == batch else tabulator  # a tabulator is not its own batch
    if batch is None or papers is None:
        raise InputError(
            "the header needs a batch column (batch, box, container, batch name) and a papers "
            "column (papers, ballots, number of ballots)",
            file=path,
            line=1,
        )
    found: list[tuple[str, tuple[str | None, str], int]] = []
    seen: set[str] = set()
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (max(batch, papers, tabulator or 0) + 1 - len(row))
        name = batch_name(cells[batch], path, line)
        machine = None if tabulator is None else batch_name(cells[tabulator], path, line) or None
        count = cells[papers].strip().replace(",", "")
        if not name or not (count.isdecimal() and count.isascii()):
            raise InputError(
                f"each row needs a batch and its papers (a whole number), not {row!r}",
                file=path,
                line=line,
            )
        shown = f"{machine} / {name}" if machine else name
        if shown in seen:
            raise InputError(f"the batch {shown!r} is listed twice", file=path, line=line)
        if len(count) > 12 or int(count) > MAX_PAPERS:
            raise InputError(
                f"a batch of {count} papers: a manifest lists at most {MAX_PAPERS:,} papers",
                file=path,
                line=line,
            )
        seen.add(shown)
        found.append((shown, (machine, name), int(count)))
    total = sum(n for *_, n in found)
    if total > MAX_PAPERS:
        raise InputError(f"the manifest lists {total:,} papers: at most {MAX_PAPERS:,}", file=path)
    return found


def column(header: Sequence[str], spellings: Sequence[str]) -> int | None:
    """Where the first of ``spellings`` is in ``header``, names matched as headers are."""
    folded = [fold(h) for h in header]
    return next((folded.index(n) for n in spellings if n in folded), None)


def batch_name(text: str, file: str, line: int) -> str:
    """A batch's name as Arlo hashes it: stripped, nothing else ("" when blank).

    A name the name policy would change (two spaces in a row, a decomposed
    accent, a no-break space) is refused, never changed: Arlo hashes it as
    written, so a changed name would draw other papers than Arlo's.
    """
    stripped = text.strip()
    policed = name_in(text, "batch", file, line)
    if policed != stripped:
        raise InputError(
            f"the batch name {stripped!r} would be read as {policed!r} (spaces or Unicode "
            "written another way): Arlo hashes names as written, so write it as "
            f"{policed!r} in the manifest and everywhere else",
            file=file,
            line=line,
        )
    return stripped


# --------------------------------------------------------------------------- the sample as a file

SAMPLE_SCHEMA = "svcount-rla-sample/1"


@dataclass(frozen=True)
class Sample:
    """A sample as read from its file: its draws and, for a sealed one, what reproduces them."""

    draws: list[Draw]
    seed: str | None = None  # None for a CSV list: it cannot be checked without the seed
    manifest: str | None = None  # the manifest's path as given to rla sample
    manifest_sha256: str | None = None
    already: int = 0  # draws made before this file's first
    jurisdiction: str | None = None  # papers keyed as Arlo's server keys them (manifest_keys)


def sample_document(
    manifest: str,
    batches: Mapping[str, int],
    seed: str,
    already: int,
    draws: Sequence[Draw],
    jurisdiction: str | None = None,
) -> dict[str, object]:
    """The draws, sealed with what reproduces them: the manifest's hash and total, the seed."""
    from svcount.documents.seal import seal
    from svcount.reading.source import sha256_of

    return seal(
        {
            "schema": SAMPLE_SCHEMA,
            "manifest": {
                "file": manifest,
                "sha256": sha256_of(manifest),
                "batches": len(batches),
                "papers": sum(batches.values()),
            },
            "seed": seed,
            **({"jurisdiction": jurisdiction} if jurisdiction is not None else {}),
            "already": already,
            "size": len(draws),
            "draws": [
                {"ticket": d.ticket, "batch": d.batch, "position": d.position, "draw": d.draw}
                for d in draws
            ],
        }
    )


def verified(
    found: Sample, plan_papers: int, manifest: str | None = None, seed: str | None = None
) -> tuple[dict[str, int], list[Draw]]:
    """The manifest, and the sample's draws, each one derived again from the manifest and the
    seed: exactly the first draws of the audit, from a manifest of the plan's papers, or
    refused in one line."""
    from svcount.reading.source import sha256_of

    seed = seed if seed is not None else found.seed
    manifest = manifest if manifest is not None else found.manifest
    if seed is None or manifest is None:
        raise UsageError(
            "a sample list cannot be checked without its seed and manifest: give the sample's "
            "JSON (rla sample -o sample.json), or --manifest FILE and --seed DIGITS"
        )
    if found.manifest_sha256 is not None and sha256_of(manifest) != found.manifest_sha256:
        raise InputError(
            "the manifest is not the one the sample was drawn from (its SHA-256 differs)",
            file=manifest,
        )
    if found.already:
        whole = found.already + len(found.draws)
        raise UsageError(
            f"this sample starts after draw {found.already:,}: assess the whole sample so far, "
            f"from the first draw (rla sample --size {whole:,} without --already)"
        )
    batches = read_manifest(manifest)
    papers = sum(batches.values())
    if papers != plan_papers:
        raise InputError(
            f"the manifest lists {papers:,} ballot papers and the plan's count {plan_papers:,}: "
            "an audit samples the papers that were counted, every one",
            file=manifest,
        )
    keys = manifest_keys(manifest, found.jurisdiction)
    again = sample(batches, seed, len(found.draws), keys=keys)
    for number, (drawn, derived) in enumerate(zip(found.draws, again, strict=True), 1):
        if drawn != derived:
            raise InputError(
                f"draw {number:,} is paper {drawn.position} of batch {drawn.batch!r}, but the "
                f"seed and manifest draw paper {derived.position} of batch {derived.batch!r} "
                "there: the sample was edited, or drawn with another seed or manifest"
            )
    return batches, again


def read_sample(path: str) -> Sample:
    """A sample as ``svcount rla sample`` wrote it: its sealed JSON (with its seed and
    manifest), or its CSV list, in draw order."""
    import io
    import json

    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError(f"cannot read the sample: {why}", file=path) from None
    not_one = "not a sample of svcount rla sample: it needs ticket, batch, position and draw"
    if text.lstrip().startswith("{"):
        return _sealed_sample(path, not_one)
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
        draws = [_draw(r) for r in rows]
    except (KeyError, TypeError, ValueError, AttributeError, json.JSONDecodeError):
        raise InputError(not_one, file=path, line=2) from None
    return Sample(draws)


def _draw(row: Mapping[str, object]) -> Draw:
    position, draw = str(row["position"]), str(row.get("draw") or 1)
    if not (position.isdecimal() and position.isascii() and draw.isdecimal() and draw.isascii()):
        raise ValueError(position)
    return Draw(str(row["ticket"]), str(row["batch"]), int(position), int(draw))


def _sealed_sample(path: str, not_one: str) -> Sample:
    from svcount.documents.seal import Fields, read_document

    try:
        doc, _ = read_document(path, not_one)
    except InputError as exc:
        raise InputError(f"{not_one} ({exc.message})", file=path) from None
    fields = Fields(doc, path)
    fields.check(doc.get("schema") == SAMPLE_SCHEMA, f"{not_one} (schema {SAMPLE_SCHEMA})")
    fields.sealed("the sample has no digest: draw it again with svcount rla sample -o FILE.json")
    try:
        manifest = doc["manifest"]
        return Sample(
            [_draw(d) for d in doc["draws"]],
            str(doc["seed"]),
            str(manifest["file"]),
            str(manifest["sha256"]),
            int(doc["already"]),
            None if doc.get("jurisdiction") is None else str(doc["jurisdiction"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InputError(not_one, file=path) from None


# --------------------------------------------------------------------------- retrieval


@dataclass(frozen=True)
class Retrieval:
    """One line of the list an audit board retrieves by: its board, and the draw."""

    board: int
    number: int  # the draw's place in the sample, from 1
    draw: Draw


def retrieval(
    draws: Sequence[Draw], batches: Mapping[str, int], boards: int = 1, by_box: bool = False
) -> list[Retrieval]:
    """The draws as boards retrieve them: split among ``boards`` by whole boxes, in the
    manifest's order, as evenly as whole boxes allow; in draw order, or ``by_box`` (box, then
    position, then draw), so each box is opened once."""
    if boards < 1:
        raise UsageError("--boards is at least 1")
    order = {batch: i for i, batch in enumerate(batches)}
    per_box = Counter(d.batch for d in draws)
    board_of: dict[str, int] = {}
    done, total = 0, len(draws)
    for batch in sorted(per_box, key=order.__getitem__):
        board_of[batch] = min(boards, done * boards // max(total, 1) + 1)
        done += per_box[batch]
    rows = [Retrieval(board_of[d.batch], n, d) for n, d in enumerate(draws, 1)]
    if by_box:
        rows.sort(key=lambda r: (order[r.draw.batch], r.draw.position, r.draw.draw))
    return rows
