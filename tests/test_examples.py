"""The reference elections in examples/: each verifies, and each is reproducible."""

from __future__ import annotations

import gzip
import json
import re
import shlex
from pathlib import Path

import pytest
from helpers import run
from typer.testing import CliRunner

from svcount.cli import app
from svcount.operations.synth import read_figures, synthesise
from svcount.operations.verify import election_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/expected.json"))


SYNTHESISED = [p for p in EXAMPLES if (p / "figures.json").exists()]


def ballots(folder):
    """The folder's ballot file, found as svcount verify FOLDER finds it."""
    return Path(election_files(str(folder))[0])


def test_the_reference_elections_are_there():
    assert {p.name for p in EXAMPLES} >= {"llr-2012", "llr-2016", "llr-2024", "london-2021"}


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_example_verifies(folder):
    result = run("verify", ballots(folder), folder / "expected.json", "-f", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0, [c for c in report["checks"] if not c["ok"]]
    assert report["ok"] and report["mismatches"] == 0 and len(report["checks"]) >= 8


@pytest.mark.parametrize("folder", SYNTHESISED, ids=lambda p: p.name)
def test_example_ballots_are_what_synth_writes(folder):
    """The committed file is exactly synth's output for the seed in its README."""
    readme = (folder / "README.md").read_text()
    seed = int(re.search(r"--seed (\d+)", readme).group(1))
    figures = read_figures(str(folder / "figures.json"))
    wanted = synthesise(figures, seed, aggregate="--aggregate" in readme)
    path = ballots(folder)
    data = path.read_bytes()
    assert (gzip.decompress(data) if path.suffix == ".gz" else data) == wanted


@pytest.mark.parametrize("folder", EXAMPLES, ids=lambda p: p.name)
def test_example_readme_commands_run(folder):
    commands = re.findall(
        r"^(svcount (?:tally|verify) .+)$", (folder / "README.md").read_text(), flags=re.MULTILINE
    )
    assert commands
    for command in commands:
        args = [str(ROOT / a) if a.startswith("examples/") else a for a in shlex.split(command)[1:]]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (command, result.output)


def test_llr_2012_published_figures_hand_checked():
    """Literal figures from the 2012 declaration as reported, not read from the example."""
    folder = ROOT / "examples" / "llr-2012"
    result = run("tally", folder / "ballots.csv.gz", "--electorate", "776800", "-f", "json")
    doc = json.loads(result.stdout)
    assert doc["winner"] == "Clive Loader"
    assert doc["stages"][1]["totals"] == {"Clive Loader": 64661, "Sarah Russell": 51835}
    assert doc["stages"][0]["votes"]["Suleman Nagdi"] == 21744
    assert doc["stages"][0]["excluded"] == ["Suleman Nagdi"]
    assert doc["ballot_papers"] == 127082
    loader = next(c for c in doc["candidates"] if c["name"] == "Clive Loader")
    assert round(loader["share_pct"]) == 48
    assert doc["turnout"]["ballot_papers_pct"] == 16.36


def test_llr_2024_counts_from_a_single_column():
    folder = ROOT / "examples" / "llr-2024"
    head = gzip.decompress((folder / "ballots.csv.gz").read_bytes())[:40].decode()
    assert head.startswith("vote\n")
    doc = json.loads(run("tally", folder / "ballots.csv.gz", "-f", "json").stdout)
    assert doc["method"] == "fptp" and doc["winner"] == "Rupert Oliver Matthews"
    assert doc["majority"] == 860 and doc["ballot_papers"] == 178293


def test_london_2021_is_counted_from_an_aggregated_file():
    folder = ROOT / "examples" / "london-2021"
    assert len((folder / "ballots.csv").read_text().splitlines()) < 200
    doc = json.loads(run("tally", folder / "ballots.csv", "-f", "json").stdout)
    assert doc["ballot_papers"] == 2_645_558 and doc["input"]["rows"] == 133
    assert doc["winner"] == "Sadiq Aman Khan"
    assert doc["stages"][1]["totals"] == {"Shaun Bailey": 977_601, "Sadiq Aman Khan": 1_206_034}
    assert doc["stages"][1]["transfers"] == {"Shaun Bailey": 84_550, "Sadiq Aman Khan": 192_313}
    assert doc["majority"] == 228_433 and doc["rejected"]["total"] == 114_201
