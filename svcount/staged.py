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
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from svcount.count import (
    PAPER_HEADS,
    STAGE_TWO_HEADS,
    SV_HEADINGS,
    Candidate,
    FirstPreferences,
    Method,
    NotCounted,
    Rejection,
    StageOne,
    Transfers,
    stage_one,
)
from svcount.errors import CountError, InputError, whole_number

__all__ = [
    "LOCAL_SCHEMA",
    "TOTAL_SCHEMA",
    "LocalCount",
    "Total",
    "combine",
    "local_json",
    "read_local",
    "read_total",
    "total_json",
]

LOCAL_SCHEMA = "svcount-local/1"
TOTAL_SCHEMA = "svcount-total/1"


@dataclass(frozen=True)
class LocalCount:
    """One local file: a voting area's first count, or its transfers."""

    path: str
    stage: str  # "first" or "second"
    area: str
    method: Method
    candidates: tuple[Candidate, ...]
    first: FirstPreferences | None = None
    transfers: Transfers | None = None
    electorate: int | None = None
    issued: int | None = None


@dataclass(frozen=True)
class Total:
    """The PARO's stage-one decision, as read back by a local count."""

    path: str
    sha256: str
    method: Method
    candidates: tuple[Candidate, ...]
    remaining: tuple[str, ...]
    areas: tuple[str, ...]


def _candidates_json(candidates: Sequence[Candidate]) -> list[dict[str, str | None]]:
    return [{"name": c.name, "party": c.party} for c in candidates]


def _heads(mapping: Mapping[Any, int]) -> dict[str, int]:
    return {k.value: n for k, n in mapping.items()}


def local_json(
    *,
    area: str,
    method: Method,
    candidates: Sequence[Candidate],
    source: Mapping[str, str],
    version: str,
    first: FirstPreferences | None = None,
    moved: Transfers | None = None,
    total: Total | None = None,
    electorate: int | None = None,
) -> str:
    """A local file: give ``first`` for stage one, or ``moved`` and ``total`` for stage two."""
    doc: dict[str, Any] = {
        "schema": LOCAL_SCHEMA,
        "stage": "first" if first is not None else "second",
        "area": area,
        "svcount_version": version,
        "input": dict(source),
        "method": method.value,
        "candidates": _candidates_json(candidates),
    }
    if first is not None:
        doc.update(
            first_preferences=dict(first.votes),
            rejected=_heads(first.rejected),
            second_preferences_not_counted=_heads(first.second_not_counted),
            ballot_papers=first.ballot_papers,
            valid_votes=first.valid,
            electorate=electorate,
        )
    elif moved is not None and total is not None:
        doc.update(
            remaining=list(moved.remaining),
            remaining_from={"file": total.path, "sha256": total.sha256},
            transfers=dict(moved.transfers),
            non_transferable=_heads(moved.non_transferable),
            excluded_papers=moved.excluded_papers,
        )
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def total_json(firsts: Mapping[str, FirstPreferences], method: Method, version: str) -> str:
    """The PARO's stage one: totals, and who remains for the second count."""
    from functools import reduce
    from operator import add

    total = reduce(add, firsts.values())
    stage = stage_one(total, method)
    doc = {
        "schema": TOTAL_SCHEMA,
        "svcount_version": version,
        "method": method.value,
        "candidates": _candidates_json(total.candidates),
        "areas": list(firsts),
        "first_preferences": dict(total.votes),
        "ballot_papers": total.ballot_papers,
        "valid_votes": total.valid,
        "votes_needed_at_stage_one": stage.majority,
        "remaining": list(stage.remaining),
        "excluded": list(stage.excluded),
        "tie_for_second": stage.tie_for_second,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _load(path: str) -> tuple[dict[str, Any], bytes]:
    from svcount.files import read_json

    doc, data = read_json(path)
    if not isinstance(doc, dict):
        raise InputError("not an svcount count file (expected a JSON object)", file=path)
    return doc, data


class _Fields:
    """Typed access to a parsed file, each problem an InputError naming the file."""

    def __init__(self, doc: Mapping[str, Any], path: str) -> None:
        self.doc, self.path = doc, path

    def fail(self, message: str) -> InputError:
        return InputError(message, file=self.path)

    def text(self, key: str) -> str:
        value = self.doc.get(key)
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


def read_local(path: str) -> LocalCount:
    """Read and check a local file (schema ``svcount-local/1``)."""
    doc, _ = _load(path)
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
    area = f.text("area")
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
        return LocalCount(
            path,
            "first",
            area,
            method,
            candidates,
            first=first,
            electorate=None if electorate is None else f.number(electorate, "electorate"),
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
        return LocalCount(path, "second", area, method, candidates, transfers=moved)
    raise InputError("stage must be first or second", file=path)


def read_total(path: str) -> Total:
    """Read a police-area total (schema ``svcount-total/1``) for the second count."""
    doc, data = _load(path)
    if doc.get("schema") != TOTAL_SCHEMA:
        if "winner" in doc and doc.get("schema", "").startswith("svcount-result"):
            raise InputError(
                "stage one decided this count: no second preferences are needed", file=path
            )
        raise InputError(f"not a police-area total: schema is not {TOTAL_SCHEMA}", file=path)
    f = _Fields(doc, path)
    candidates = f.candidates()
    remaining = f.names("remaining", [c.name for c in candidates])
    if not remaining:
        raise InputError(
            "stage one decided this count: no second preferences are needed", file=path
        )
    areas = doc.get("areas")
    return Total(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        method=f.method(),
        candidates=candidates,
        remaining=remaining,
        areas=tuple(areas) if isinstance(areas, list) else (),
    )


@dataclass(frozen=True)
class Combined:
    """Local counts checked and put together, ready to declare or to total."""

    method: Method
    firsts: dict[str, FirstPreferences]
    moved: dict[str, Transfers]
    electorates: dict[str, int]
    stage: StageOne


def combine(counts: Sequence[LocalCount], areas: Sequence[str] | None = None) -> Combined:
    """Check local counts belong together, then add them up.

    Refuses: two files for one area at one stage; different elections
    (candidates or method); transfers without a first count, or counted for
    other remaining candidates than the totals leave; a missing area when
    ``areas`` lists them.
    """
    from functools import reduce
    from operator import add

    if not counts:
        raise InputError("no local count files given")
    reference = counts[0]
    firsts: dict[str, FirstPreferences] = {}
    moved: dict[str, Transfers] = {}
    seen: dict[tuple[str, str], str] = {}
    electorates: dict[str, int] = {}
    for local in counts:
        if (local.candidates, local.method) != (reference.candidates, reference.method):
            what = "method" if local.method != reference.method else "candidate list"
            raise InputError(
                f"a different election: its {what} differs from that in {reference.path}",
                file=local.path,
            )
        key = (local.stage, local.area)
        if key in seen:
            raise InputError(
                f"a second {local.stage}-stage count for {local.area!r} (the first is {seen[key]})",
                file=local.path,
            )
        seen[key] = local.path
        if local.first is not None:
            firsts[local.area] = local.first
            if local.electorate is not None:
                electorates[local.area] = local.electorate
        elif local.transfers is not None:
            moved[local.area] = local.transfers
    orphans = [a for a in moved if a not in firsts]
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
    try:
        stage = stage_one(reduce(add, firsts.values()), reference.method)
    except CountError as exc:
        raise InputError(str(exc)) from None
    for area, transfer in moved.items():
        if transfer.remaining != stage.remaining:
            raise InputError(
                f"the second count for {area!r} was made for {', '.join(transfer.remaining)} "
                f"remaining, but the first counts leave "
                f"{', '.join(stage.remaining) or 'nobody to transfer to'}",
                file=seen[("second", area)],
            )
    if moved:
        missing = [a for a in firsts if a not in moved]
        if missing:
            raise InputError(f"second-stage counts are missing for: {', '.join(missing)}")
    electorates = electorates if len(electorates) == len(firsts) else {}
    return Combined(
        reference.method, firsts, {a: moved[a] for a in firsts if a in moved}, electorates, stage
    )
