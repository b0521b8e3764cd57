"""An insider's edits: every single-figure or single-option change to a staged count's files,
resealed as anyone who reads the code can, is refused, or the declaration is unchanged.

Issue 19's property. The files are those of random staged elections (and of
the by-area example); each edit is made to one local, total or result file,
which is then resealed, and the count goes on from there as count night
would: second counts from an edited total, ``combine`` from edited local
files, ``declare`` from an edited result. What is declared is compared: the
notice of the result, every figure it states. (A figure outside it, such as
how many valid papers had no second preference at all, has nothing to be
checked against; a signature is what protects it.)
"""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import area_elections, run, write_sealed
from hypothesis import HealthCheck, given, settings

from svcount import pipeline
from svcount.documents.result import read_result
from svcount.errors import SvcountError
from svcount.figures import Notice, View
from svcount.options import CountOptions
from svcount.render.declaration import text

Where = tuple[Any, ...]


def edits(doc: Any, where: Where = ()) -> Iterator[tuple[Where, Any]]:
    """Every single change an insider might make: each figure ±1, each option altered."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key not in ("digest", "schema", "svcount_version"):
                yield from edits(value, (*where, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from edits(value, (*where, i))
    elif isinstance(doc, bool):
        yield where, not doc
    elif isinstance(doc, int):
        yield where, doc + 1
        if doc > 0:
            yield where, doc - 1
    elif "options" in where:  # an option: another value
        yield where, ("x" if doc is None else f"{doc}x")


def edited(doc: dict[str, Any], where: Where, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target = out
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return out


def _options(candidates: str) -> CountOptions:
    return CountOptions().merged({"candidates": candidates})


def _declared(firsts: list[str], seconds: list[str]) -> Any:
    """The result ``combine`` declares from these files, or None when it refuses them."""
    try:
        counted = pipeline.combine([*firsts, *seconds], CountOptions())
    except SvcountError:
        return None
    return (
        _declaration(pipeline.shown(counted)) if isinstance(counted, pipeline.Counted) else "total"
    )


def _declaration(view: View) -> str:
    """What is declared: the notice of the result, every figure it states."""
    return text(view.figures, view.candidates, Notice())


def _second_counts(areas: dict[str, str], total: str, out: str) -> list[str] | None:
    """Each area's second count made for ``total``, or None when one refuses it."""
    from svcount import __version__
    from svcount.documents.local import local_json

    files = []
    for area, ballots in areas.items():
        try:
            local = pipeline.local_count(ballots, _options("c.txt"), "second", area, total)
        except SvcountError:
            return None
        files.append(f"{out}-{area}.json")
        Path(files[-1]).write_text(local_json(local, __version__))
    return files


def _stage(names: list[str], rows: list[tuple[str, str, str]]) -> tuple[Any, ...] | None:
    """The staged count's files in the current folder, or None when a lot is required."""
    Path("c.txt").write_text("\n".join(names) + "\n")
    by_area: dict[str, list[tuple[str, str]]] = {}
    for first, second, area in rows:
        by_area.setdefault(area, []).append((first, second))
    areas = {}
    for area, papers in by_area.items():
        areas[area] = f"{area}.csv"
        with open(areas[area], "w", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([("first", "second"), *papers])
    firsts = []
    for area, ballots in areas.items():
        firsts.append(f"{area}-1.json")
        made = run(
            "tally", ballots, "-c", "c.txt", "--stage", "first", "--area", area, "-o", firsts[-1]
        )
        if made.exit_code != 0:
            return None
    if run("combine", *firsts, "-f", "json", "-o", "total.json").exit_code != 0:
        return None  # a lot is required at stage one
    seconds: list[str] = []
    if json.loads(Path("total.json").read_text()).get("schema") == "svcount-total/1":
        seconds = _second_counts(areas, "total.json", "s") or []
        assert seconds, "a second count refused its own total"
    else:  # stage one decided: the "total" is the result
        Path("total.json").rename("decided.json")
    if run("combine", *firsts, *seconds, "-f", "json", "-o", "result.json").exit_code != 0:
        return None  # a lot is required at the end
    return areas, firsts, seconds


def check_every_edit(names: list[str], rows: list[tuple[str, str, str]]) -> int:
    """Every edit of every file: refused, or the declaration unchanged. Returns edits tried."""
    staged = _stage(names, rows)
    if staged is None:
        return 0
    areas, firsts, seconds = staged
    truth = _declared(firsts, seconds)
    assert truth not in (None, "total")
    tried = 0
    for i, path in enumerate([*firsts, *seconds]):
        doc = json.loads(Path(path).read_text())
        for where, value in edits(doc):
            write_sealed("forged.json", edited(doc, where, value))
            files = [*firsts, *seconds]
            files[i] = "forged.json"
            declared = _declared(files[: len(firsts)], files[len(firsts) :])
            assert declared in (None, truth), f"{path} {where} -> {value!r} declared another result"
            tried += 1
    total = json.loads(Path("total.json").read_text()) if seconds else {}
    for where, value in edits(total):
        write_sealed("forged-total.json", edited(total, where, value))
        remade = _second_counts(areas, "forged-total.json", "f")
        declared = None if remade is None else _declared(firsts, remade)
        assert declared in (None, truth), f"total {where} -> {value!r} declared another result"
        tried += 1
    result = json.loads(Path("result.json").read_text())
    for where, value in edits(result):
        write_sealed("forged-result.json", edited(result, where, value))
        try:
            declared = _declaration(read_result("forged-result.json").view)
        except SvcountError:
            continue
        assert declared == truth, f"result {where} -> {value!r} declared another result"
        tried += 1
    return tried


@pytest.mark.slow
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(area_elections())
def test_every_single_edit_to_a_resealed_staged_file_is_refused_or_harmless(
    tmp_path_factory, election
):
    names, rows = election
    folder = tmp_path_factory.mktemp("insider")
    import os

    here = os.getcwd()
    os.chdir(folder)
    try:
        check_every_edit(names, rows)
    finally:
        os.chdir(here)


@pytest.mark.slow
def test_the_by_area_example_survives_every_single_edit(tmp_path, monkeypatch):
    from helpers import BY_AREA

    monkeypatch.chdir(tmp_path)
    rows = []
    for area in ("blaby", "melton", "rutland"):
        with open(BY_AREA / f"{area}.csv", newline="") as f:
            rows += [(r["first"], r["second"], area) for r in csv.DictReader(f)]
    names = (BY_AREA / "candidates.txt").read_text().split()
    assert check_every_edit(names, rows) > 300
