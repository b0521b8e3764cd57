"""docs/architecture.md's recipes, applied exactly as written to a copy of the package and
run in a fresh interpreter (issue 33): a recipe that goes stale fails here."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT

DOC = ROOT / "docs" / "architecture.md"
QUICKSTART = ROOT / "examples" / "quickstart"
_STEP = re.compile(
    r"\*\*(Create)\*\* `([^`]+)`:\s*```python\n(.*?)```"
    r"|\*\*In\*\* `([^`]+)`, \*\*after\*\* `([^`]+)`:\s*```python\n(.*?)```",
    re.S,
)


def recipe(name: str) -> list[tuple[str, str, str | None]]:
    """The steps of one recipe: (path, block, anchor line or None to create the file)."""
    text = DOC.read_text()
    start = text.index(f"<!-- recipe: {name} -->")
    end = text.find("<!-- recipe:", start + 1)
    steps = []
    for m in _STEP.finditer(text[start : end if end >= 0 else len(text)]):
        if m.group(1):
            steps.append((m.group(2), m.group(3), None))
        else:
            steps.append((m.group(4), m.group(6), m.group(5)))
    assert steps, f"recipe {name} has no steps"
    return steps


def applied(name: str, tmp_path):
    """A copy of the package with the recipe applied; the environment to run it with."""
    shutil.copytree(ROOT / "svcount", tmp_path / "svcount")
    for path, block, anchor in recipe(name):
        target = tmp_path / path
        if anchor is None:
            assert not target.exists(), f"{path} exists already"
            target.write_text(block)
            continue
        lines = target.read_text().splitlines(keepends=True)
        at = next((i for i, line in enumerate(lines) if line.rstrip("\n") == anchor), None)
        assert at is not None, f"no line {anchor!r} in {path}: the recipe is stale"
        target.write_text("".join(lines[: at + 1]) + block + "".join(lines[at + 1 :]))
    return {**os.environ, "PYTHONPATH": str(tmp_path), "COLUMNS": "200"}


def run_in(env, *command):
    """A fresh interpreter on the copy: run from its folder (``-m`` and ``-c`` put the
    working folder first on the path, and the checkout's own would win)."""
    return subprocess.run(
        [sys.executable, *command], capture_output=True, text=True, env=env, check=False,
        cwd=env["PYTHONPATH"],
    )  # fmt: skip


def svcount(env, *args):
    return run_in(env, "-m", "svcount", *args)


@pytest.fixture
def quickstart():
    return [str(QUICKSTART / "ballots.csv"), "-c", str(QUICKSTART / "candidates.csv")]


def test_the_copy_is_what_runs(tmp_path):
    env = applied("output-format", tmp_path)
    where = run_in(env, "-c", "import svcount; print(svcount.__file__)")
    assert where.stdout.startswith(str(tmp_path))


def test_a_new_output_format(tmp_path, quickstart):
    env = applied("output-format", tmp_path)
    shown = svcount(env, "tally", *quickstart, "-f", "winner-line")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == "winner=Bob Baker\n"
    assert "winner-line" in svcount(env, "tally", "--help").stdout


def test_a_new_input_format(tmp_path):
    env = applied("input-format", tmp_path)
    pairs = tmp_path / "pairs.json"
    pairs.write_text(json.dumps({"svcount-pairs": [["Ann; Archer", "Bob"], ["Bob", None],
                                                   ["Ann; Archer", None]]}))  # fmt: skip
    shown = svcount(env, "tally", str(pairs), "-f", "json")
    assert shown.returncode == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["winner"] == "Ann; Archer" and doc["stages"][0]["votes"]["Bob"] == 1
    audit = tmp_path / "audit.csv"
    assert svcount(env, "tally", str(pairs), "--audit", str(audit), "-q").returncode == 0
    assert audit.read_text().splitlines()[1].startswith("1,,Ann; Archer,Bob,")
    refused = svcount(env, "tally", str(pairs), "--separator", "/")
    assert refused.returncode == 2 and "--separator is an option of a CSV" in refused.stderr


def test_a_new_count_option(tmp_path, quickstart):
    env = applied("count-option", tmp_path)
    shown = svcount(env, "tally", *quickstart, "--count-night", "Blaby", "-f", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["options"]["count_night"] == "Blaby"
    script = (
        "import svcount, json\n"
        f"t = svcount.tally({quickstart[0]!r}, candidates={quickstart[2]!r}, count_night='B')\n"
        "print(t.to_dict()['options']['count_night'])\n"
    )
    library = run_in(env, "-c", script)
    assert library.stdout == "B\n", library.stderr
    assert "--count-night" in svcount(env, "declare", "--help").stdout


def test_a_new_command(tmp_path, quickstart):
    env = applied("command", tmp_path)
    shown = svcount(env, "winner", *quickstart)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == "Bob Baker\n"
    bad = svcount(env, "winner", str(tmp_path / "missing.csv"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
