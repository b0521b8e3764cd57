"""Readable at 2 a.m.: the same sections piped as on a terminal, no empty columns, plain words."""

from __future__ import annotations

import json
import re

import pytest
from helpers import EXAMPLES, run, write
from typer.testing import CliRunner

from svcount.cli import app

QUICK = str(EXAMPLES / "quickstart" / "ballots.csv")


@pytest.mark.parametrize("spelling", ["JSON", "Json", "json"])
def test_format_names_are_read_in_any_case(spelling):
    assert json.loads(run("tally", QUICK, "-f", spelling).stdout)["schema"] == "svcount-result/1"


@pytest.mark.parametrize("command", ["tally", "declare", "margin"])
@pytest.mark.parametrize("spelling", ["md", "MD", "Markdown"])
def test_md_is_markdown_everywhere(command, spelling):
    shown = run(command, QUICK, "-f", spelling)
    assert shown.exit_code == 0 and shown.stdout.startswith("# ")


def test_piped_output_has_the_declaration_heading_as_the_terminal_has_its_panel():
    plain = run("tally", QUICK).stdout
    assert "\nDeclaration\nBob Baker is elected" in plain
    assert "### Declaration\n\nBob Baker is elected" in run("tally", QUICK, "-f", "md").stdout


def test_no_empty_turnout_column_without_an_electorate():
    assert "Turnout %" not in run("tally", QUICK).stdout
    assert "Turnout %" in run("tally", QUICK, "--electorate", "120").stdout


def test_a_lot_says_decided_by_lot_never_majority_zero(tmp_path):
    path = write(tmp_path, "first,second\nAnn,\nBob,\n")
    shown = run("tally", path, "--lot", "Bob").stdout
    assert "majority 0" not in shown and "with 1 votes each" in shown.replace("\n", " ")


def test_an_unopposed_candidate_is_elected_unopposed(tmp_path):
    path = write(tmp_path, "first,second\nAnn,\nAnn,\n")
    for method in ("sv", "fptp"):
        shown = run("tally", path, "--method", method).stdout
        assert "Ann is elected unopposed." in shown and "by unopposed" not in shown


def test_tally_takes_the_notice_options_for_every_format():
    notice = ("--title", "PCC for Anyshire", "--date", "2024-05-02", "--returning-officer", "Jo")
    md = run("tally", QUICK, *notice, "-f", "md").stdout
    assert md.startswith("# PCC for Anyshire\n\nDate of poll: 2 May 2024\n\nReturning officer: Jo")
    page = run("tally", QUICK, *notice, "-f", "html").stdout
    assert "<h1>PCC for Anyshire</h1>" in page and "2 May 2024" in page
    table = run("tally", QUICK, *notice).stdout
    assert table.startswith("PCC for Anyshire\n")
    bad = run("tally", QUICK, "--date", "2024-13-01")
    assert bad.exit_code == 2 and "is not a date" in bad.stderr


# ----------------------------------------------------------------- 80 columns: names whole

EXAMPLE_COUNTS = {
    "quickstart": ["ballots.csv", "-c", "candidates.csv"],
    "llr-2012": ["ballots.csv.gz", "-c", "candidates.csv"],
    "llr-2016": ["ballots.csv.gz", "-c", "candidates.csv"],
    "llr-2024": ["ballots.csv.gz", "-c", "candidates.csv"],
    "llr-2024-areas": ["ballots.csv.gz", "-c", "../llr-2024/candidates.csv", "--electorate-file",
                       "areas.csv"],
    "london-2021": ["ballots.csv", "-c", "candidates.csv"],
    "by-area": ["all.csv", "-c", "candidates.txt", "--electorate-file", "areas.csv"],
}  # fmt: skip
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def at_80(*args):
    """The command's stdout at 80 columns, colour codes dropped."""
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})
    assert result.exit_code in (0, 3), result.stderr
    return ANSI.sub("", result.stdout)


def split_names(out, names):
    """Each name some line holds only the first words of, where a cell or a line ends."""
    lines = out.splitlines()
    assert all(len(line.rstrip()) <= 80 for line in lines), max(lines, key=len)
    for whole in sorted(names, key=len, reverse=True):  # a name shown whole is not a split one
        lines = [line.replace(whole, "\0" * len(whole)) for line in lines]
    found = []
    for name in names:
        words = name.split()
        for k in range(1, len(words)):
            head = re.escape(" ".join(words[:k]))
            ending = re.compile(rf"(?:^|\s){head}(?:\s{{2,}}|\s*[│┃]|\s*$)")
            if any(ending.search(line) for line in lines):
                found.append(name)
                break
    return found


def _names(folder, args):
    doc = json.loads(run("tally", *args, "-f", "json").stdout)
    names = [c["name"] for c in doc["candidates"]]
    names += [c["party"] for c in doc["candidates"] if c["party"]]
    return names + [a["area"] if isinstance(a, dict) else a for a in doc.get("areas") or ()]


@pytest.mark.parametrize("example", sorted(EXAMPLE_COUNTS))
def test_no_name_of_any_example_is_split_at_80_columns(example, monkeypatch):
    monkeypatch.chdir(EXAMPLES / example)
    args = EXAMPLE_COUNTS[example]
    names = _names(example, args)
    for shown in (at_80("tally", *args), at_80("tally", *args, "--color")):
        assert split_names(shown, names) == []
        for name in names:
            assert name in shown
    assert split_names(at_80("declare", *args), names) == []


LONG = [
    ("Richard John Howard Hewison", "Rejoin EU"),
    ("Vanessa Helen Hudson", "Animal Welfare Party"),
    ("Neil Durban Bannister", "UK Independence Party (UKIP)"),
    ("Rupert Oliver Matthews", "Labour and Co-operative Party"),
]
AREAS = ["North West Leicestershire", "Hinckley and Bosworth", "Oadby and Wigston"]


def test_long_names_and_parties_stay_whole_at_80_columns(tmp_path):
    (tmp_path / "c.csv").write_text(
        "name,party\n" + "".join(f"{n},{p}\n" for n, p in LONG), encoding="utf-8"
    )
    rows = ["first,second,area"]
    for i, (area, (first, _)) in enumerate(zip(AREAS * 2, LONG * 2, strict=False)):
        second = LONG[(i + 1) % len(LONG)][0]
        rows += [f"{first},{second},{area}"] * (i + 3)
    (tmp_path / "b.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    names = [n for n, _ in LONG] + [p for _, p in LONG] + AREAS
    for extra in ((), ("--color",)):
        shown = at_80("tally", tmp_path / "b.csv", "-c", tmp_path / "c.csv", *extra)
        assert split_names(shown, names) == []
    assert split_names(at_80("declare", tmp_path / "b.csv", "-c", tmp_path / "c.csv"), names) == []


def test_number_headers_give_way_first_with_a_legend():
    shown = at_80("tally", EXAMPLES / "llr-2016" / "ballots.csv.gz", "-c",
                  EXAMPLES / "llr-2016" / "candidates.csv")  # fmt: skip
    assert "1st prefs" in shown and "1st prefs = First preferences" in shown
    assert "Neil Durban Bannister " in shown and "  UK Independence Party (UKIP)" in shown


def test_a_name_longer_than_the_table_folds_with_the_rows_ruled_off(tmp_path):
    long = "Aurelia " + " ".join(["Montgomery-Fitzwilliam"] * 4)
    path = write(tmp_path, f"first,second\n{long},\n{long},\nBob,\n")
    shown = at_80("tally", path)
    assert all(len(line) <= 80 for line in shown.splitlines())
    table = shown.split("Stage one: first preferences\n")[1].split("\n\n")[0]
    assert "\n\n" not in table  # the blank line between rows is inside the table block
    assert re.search(r"Montgomery-Fitzwilliam\s+\d", shown)
