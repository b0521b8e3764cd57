"""A ballot file counted: read, classify, count, with what is needed to reproduce it.

The library behind ``svcount tally`` and ``svcount verify``: options in, a
:class:`~svcount.count.Result` and its :class:`Provenance` out. The command
line only parses options, calls these and renders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import IO, Any

from svcount.count import (
    count,
    count_by_area,
)
from svcount.errors import CountError, InputError
from svcount.documents.files import read_areas, read_candidates, sha256_of
from svcount.io import Loaded, ReadOptions
from svcount.io import load as read_ballots
from svcount.model import (
    Result,
)
from svcount.options import CountOptions

__all__ = [
    "Provenance",
    "area_figures",
    "count_loaded",
    "input_files",
    "load",
    "provenance",
    "read_options",
]


@dataclass(frozen=True)
class Provenance:
    """What is needed to reproduce a result: the input and the options."""

    file: str
    sha256: str
    rows: int
    columns: Mapping[str, str | None]
    options: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""
    parts: tuple[Mapping[str, Any], ...] = ()  # the local count files combined, if any
    files: tuple[Mapping[str, Any], ...] = ()  # every other input: role, file, sha256


def input_files(**paths: str | None) -> tuple[dict[str, str], ...]:
    """Each input file given, by role, with the SHA-256 of its bytes as read now."""
    return tuple(
        {"role": role, "file": path, "sha256": sha256_of(path)}
        for role, path in paths.items()
        if path is not None
    )


def load(
    source: str,
    options: CountOptions,
    stdin: IO[bytes] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Loaded:
    """Read and classify one ballot file (``-`` for stdin) as ``options`` say.

    ``progress`` is told (bytes read, file size) as a large file is read.
    """
    options.check()
    roster = read_candidates(options.candidates, options.encoding) if options.candidates else None
    return read_ballots(
        source,
        method=options.method,
        candidates=roster,
        options=replace(read_options(options), progress=progress),
        rules=options.rules(),
        stdin=stdin,
    )


def read_options(options: CountOptions) -> ReadOptions:
    """The reading part of the count options."""
    return ReadOptions(
        first_column=options.first_column,
        second_column=options.second_column,
        rejected_column=options.rejected_column,
        area_column=options.area_column,
        count_column=options.count_column,
        encoding=options.encoding,
        delimiter=options.delimiter,
    )


def area_figures(
    path: str | None, areas: Iterable[str], encoding: str | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """Electorates and papers issued per area from an areas file, checked against ``areas``."""
    if path is None:
        return {}, {}
    areas = list(areas)
    rows = read_areas(path, need_electorate=True, encoding=encoding)
    listed = [r.name for r in rows]
    missing = [a for a in areas if a not in listed]
    extra = [a for a in listed if a not in areas]
    if missing or extra:
        parts = [
            f"in the ballots but not the file: {', '.join(missing)}" if missing else "",
            f"in the file but not the ballots: {', '.join(extra)}" if extra else "",
        ]
        raise InputError(
            "the areas differ from the ballots' (" + "; ".join(p for p in parts if p) + ")",
            file=path,
        )
    issued = {r.name: r.issued for r in rows if r.issued is not None}
    return {r.name: r.electorate for r in rows if r.electorate is not None}, issued


def count_loaded(loaded: Loaded, options: CountOptions) -> Result:
    """Count a loaded file, by area when it has voting areas."""
    lot = options.lot_instruction()
    try:
        if loaded.areas is not None:
            electorates, issued = area_figures(
                options.electorate_file, loaded.areas, options.encoding
            )
            return count_by_area(
                loaded.areas,
                loaded.method,
                lot=lot,
                electorate=options.electorate,
                electorates=electorates,
                issued=issued,
            )
        if options.electorate_file is not None:
            raise InputError(
                "--electorate-file needs voting areas, and the ballot file has no area "
                "column (name it area, or give --area-column)"
            )
        return count(loaded.ballots, loaded.method, lot=lot, electorate=options.electorate)
    except CountError as exc:
        raise CountError(f"{loaded.file}: {exc}") from None


def provenance(loaded: Loaded, options: CountOptions) -> Provenance:
    from svcount import __version__

    record = options.record()
    record.update(
        method=loaded.method.value,
        encoding=loaded.layout.encoding,
        delimiter=loaded.layout.delimiter,
    )
    return Provenance(
        file=loaded.file,
        sha256=loaded.sha256,
        rows=loaded.rows,
        columns={
            r: loaded.layout.column_name(r)
            for r in ("first", "second", "rejected", "count")
            if r != "count" or "count" in loaded.layout.columns
        },
        options=record,
        version=__version__,
        files=input_files(candidates=options.candidates, electorate_file=options.electorate_file),
    )
