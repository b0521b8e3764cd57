"""Golden outputs: every example counted in every format, as a user sees it.

Each case is a command run in-process from the repository's root (or, for the
staged count, from a copy of ``examples/by-area``), with what it printed on
stdout and stderr, its exit code, and every file it wrote. ``tests/golden/``
keeps the SHA-256 of each in ``manifest.json``, and the bytes themselves when
they are small enough to read in a diff. ``tests/test_golden.py`` compares a
fresh run with them byte for byte.

Regenerate (only for a deliberate change of output, said in the commit)::

    python tests/golden.py
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
KEEP_BYTES = 64 << 10  # outputs up to this size are kept whole, for readable diffs


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    columns: int = 100
    writes: tuple[str, ...] = ()  # files the command writes, relative to its folder
    staged: bool = False  # run in a copy of examples/by-area with its stage files made


def _example_args(folder: str) -> tuple[str, ...]:
    """The ballot file and options of an example, as its expected file gives them."""
    base = ROOT / "examples" / folder
    doc = json.loads((base / "expected.json").read_text())
    ballots = doc.get("ballots") or next(
        p.name for p in sorted(base.iterdir()) if p.name.startswith("ballots.")
    )
    args = [f"examples/{folder}/{ballots}"]
    for key, value in doc.get("options", {}).items():
        flag = "--" + key.replace("_", "-")
        if key in ("candidates", "electorate_file"):
            value = os.path.normpath(f"examples/{folder}/{value}")
        args += [flag, str(value)]
    return tuple(args)


EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/expected.json"))
TIE = "tests/data/lot/tie.csv"


def _cases() -> Iterator[Case]:
    for folder in EXAMPLES:
        source = _example_args(folder)
        for width in (80, 120):
            yield Case(f"{folder}.tally.{width}.txt", ("tally", *source), width)
        yield Case(f"{folder}.tally.boxed.80.txt", ("tally", *source, "--color"), 80)
        for fmt in ("json", "csv", "markdown", "html"):
            yield Case(f"{folder}.tally.{fmt}", ("tally", *source, "-f", fmt))
        for fmt in ("text", "markdown", "html"):
            yield Case(f"{folder}.declare.{fmt}", ("declare", *source, "-f", fmt), 80)
        yield Case(
            f"{folder}.declare-from-result.text",
            ("declare", f"{GOLDEN_RUN}/{folder}.json"),
            80,
        )
        yield Case(
            f"{folder}.audit",
            ("tally", *source, "-f", "json", "--audit", "audit.csv"),
            writes=("audit.csv",),
        )
        for fmt in ("table", "json"):
            yield Case(f"{folder}.verify.{fmt}", ("verify", f"examples/{folder}", "-f", fmt))
        yield Case(
            f"{folder}.diff.table",
            ("diff", f"{GOLDEN_RUN}/{folder}.json", f"{GOLDEN_RUN}/{folder}.json", "--all"),
        )
        yield Case(
            f"{folder}.diff.json",
            ("diff", f"{GOLDEN_RUN}/{folder}.json", f"{GOLDEN_RUN}/{folder}.json", "-f", "json"),
        )
    yield Case("verify.all.table", ("verify", *(f"examples/{f}" for f in EXAMPLES)))
    yield Case("verify.all.json", ("verify", *(f"examples/{f}" for f in EXAMPLES), "-f", "json"))
    quick = _example_args("quickstart")
    yield Case("quickstart.fptp.table", ("tally", *quick, "--method", "fptp"))
    yield Case("quickstart.fptp.json", ("tally", *quick, "--method", "fptp", "-f", "json"))
    yield Case("quickstart.electorate.table", ("tally", *quick, "--electorate", "120"))
    changed = (f"{GOLDEN_RUN}/quickstart.json", f"{GOLDEN_RUN}/quickstart.electorate.json")
    yield Case("quickstart.diff.table", ("diff", *changed))
    yield Case("quickstart.diff.json", ("diff", *changed, "-f", "json"))
    yield Case("quickstart.verbose", ("tally", *quick, "-v", "-f", "csv"))
    yield Case("quickstart.to-file", ("tally", *quick, "-o", "out.html"), writes=("out.html",))
    for lot in (("--seed", "7"), ("--lot", "Bob")):
        for fmt in ("table", "json", "markdown"):
            yield Case(f"tie{lot[0]}.{fmt}", ("tally", TIE, *lot, "-f", fmt))
        yield Case(f"tie{lot[0]}.declare", ("declare", TIE, *lot))
    yield Case("tie.lot-required", ("tally", TIE))
    yield Case("tie.lot-required.json", ("tally", TIE, "-f", "json"))
    yield Case("synth.llr-2012", ("synth", "examples/llr-2012/figures.json", "--seed", "3"))
    yield Case(
        "synth.llr-2024-areas.aggregate",
        ("synth", "examples/llr-2024-areas/figures.json", "--aggregate", "--areas-output", "a.csv"),
        writes=("a.csv",),
    )
    yield from _staged_cases()


def _staged_cases() -> Iterator[Case]:
    """The by-area example's count-night protocol, every step and format."""
    for area in STAGED_AREAS:
        f = area.lower()
        first = (f"{f}.csv", "-c", "candidates.txt", "--stage", "first", "--area", area)
        second = (*first[:4], "second", "--area", area, "--remaining-from", "stage1-total.json")
        for fmt in ("json", "table", "csv"):
            yield Case(f"staged.{f}.first.{fmt}", ("tally", *first, "-f", fmt), staged=True)
            yield Case(f"staged.{f}.second.{fmt}", ("tally", *second, "-f", fmt), staged=True)
    firsts = tuple(f"{a.lower()}-stage1.json" for a in STAGED_AREAS)
    seconds = tuple(f"{a.lower()}-stage2.json" for a in STAGED_AREAS)
    for fmt in ("json", "table", "csv"):
        yield Case(
            f"staged.total.{fmt}",
            ("combine", *firsts, "--areas", "areas.csv", "-f", fmt),
            staged=True,
        )
    declare = (
        "combine",
        *firsts,
        *seconds,
        "--areas",
        "areas.csv",
        "--electorate-file",
        "areas.csv",
    )
    for fmt in ("table", "json", "csv", "markdown", "html"):
        yield Case(f"staged.combine.{fmt}", (*declare, "-f", fmt), staged=True)
    yield Case("staged.combine.80.txt", declare, 80, staged=True)


STAGED_AREAS = ("Blaby", "Melton", "Rutland")
GOLDEN_RUN = "golden-results"  # a folder of result files made before the cases run


def _results_for_diff(runner: CliRunner) -> None:
    """Each example's result, and its first-past-the-post count, for declare and diff."""
    Path(GOLDEN_RUN).mkdir(exist_ok=True)
    for folder in EXAMPLES:
        source = _example_args(folder)
        variants = [("", ())]
        if folder == "quickstart":
            variants.append((".electorate", ("--electorate", "120")))
        for suffix, extra in variants:
            out = f"{GOLDEN_RUN}/{folder}{suffix}.json"
            result = runner.invoke(_app(), ["tally", *source, *extra, "-f", "json", "-o", out])
            assert result.exit_code == 0, result.output


def _make_staged(runner: CliRunner) -> None:
    for area in STAGED_AREAS:
        f = area.lower()
        args = ["tally", f"{f}.csv", "-c", "candidates.txt", "--stage", "first", "--area", area]
        assert runner.invoke(_app(), [*args, "-o", f"{f}-stage1.json"]).exit_code == 0
    firsts = [f"{a.lower()}-stage1.json" for a in STAGED_AREAS]
    total = ["combine", *firsts, "--areas", "areas.csv", "-o", "stage1-total.json"]
    assert runner.invoke(_app(), total).exit_code == 0
    for area in STAGED_AREAS:
        f = area.lower()
        args = ["tally", f"{f}.csv", "-c", "candidates.txt", "--stage", "second", "--area", area]
        args += ["--remaining-from", "stage1-total.json", "-o", f"{f}-stage2.json"]
        assert runner.invoke(_app(), args).exit_code == 0


def _app():  # type: ignore[no-untyped-def]
    from svcount.cli import app

    return app


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)


@dataclass(frozen=True)
class Output:
    """What one case showed: each stream and file by name, as bytes."""

    parts: dict[str, bytes]


def run_all() -> dict[str, Output]:
    """Every case, run in a scratch copy of the repository's inputs."""
    runner = CliRunner()
    outputs: dict[str, Output] = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "repo"
        work.mkdir()
        for name in ("examples", "tests"):
            shutil.copytree(
                ROOT / name, work / name, ignore=shutil.ignore_patterns("golden", "__pycache__")
            )
        staged_dir = Path(scratch) / "by-area"
        shutil.copytree(ROOT / "examples" / "by-area", staged_dir)
        with _in(work):
            _results_for_diff(runner)
        with _in(staged_dir):
            _make_staged(runner)
        for case in _cases():
            folder = staged_dir if case.staged else work
            with _in(folder):
                env = {"COLUMNS": str(case.columns), "NO_COLOR": "1", "FORCE_COLOR": None}
                result = runner.invoke(_app(), list(case.args), env=env)
                parts = {
                    "stdout": result.stdout_bytes,
                    "stderr": result.stderr_bytes,
                    "exit": str(result.exit_code).encode(),
                }
                for written in case.writes:
                    path = Path(written)
                    parts[written] = path.read_bytes() if path.exists() else b"(not written)"
                    path.unlink(missing_ok=True)
            outputs[case.name] = Output(parts)
    return outputs


def digests(outputs: dict[str, Output]) -> dict[str, dict[str, str]]:
    return {
        name: {part: hashlib.sha256(data).hexdigest() for part, data in out.parts.items()}
        for name, out in outputs.items()
    }


def kept_file(case: str, part: str) -> Path:
    return GOLDEN / case / part.replace("/", "_")


def write_golden() -> None:
    outputs = run_all()
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    GOLDEN.mkdir()
    for case, out in outputs.items():
        for part, data in out.parts.items():
            if len(data) <= KEEP_BYTES and part != "exit":
                path = kept_file(case, part)
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(data)
    manifest = json.dumps(digests(outputs), indent=1, sort_keys=True) + "\n"
    (GOLDEN / "manifest.json").write_text(manifest)
    print(f"{len(outputs)} cases written to {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    write_golden()
