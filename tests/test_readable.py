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


# ----------------------------------------------------------------- formats and files


def test_an_output_named_gz_is_compressed_reproducibly_and_reads_back(tmp_path):
    import gzip

    for name in ("r.csv.gz", "r.json.gz", "r.txt.gz", "r.md.gz"):
        out = tmp_path / name
        assert run("tally", QUICK, "-o", out).exit_code == 0
        first = out.read_bytes()
        assert first[:2] == b"\x1f\x8b" and gzip.decompress(first)
        assert run("tally", QUICK, "-o", out).exit_code == 0 and out.read_bytes() == first
    assert gzip.decompress((tmp_path / "r.csv.gz").read_bytes()).startswith(b"stage,candidate")
    assert json.loads(gzip.decompress((tmp_path / "r.json.gz").read_bytes()))["winner"]
    declared = run("declare", tmp_path / "r.json.gz")
    assert declared.exit_code == 0 and "is duly elected" in declared.stdout


def test_an_extension_that_names_no_format_is_refused_or_warned_with_a_format(tmp_path):
    out = tmp_path / "out.xlsx"
    refused = run("tally", QUICK, "-o", out)
    assert refused.exit_code == 2 and not out.exists()
    assert "no format of this command is named .xlsx" in refused.stderr
    assert ".csv" in refused.stderr and "add .gz to compress" in refused.stderr
    written = run("tally", QUICK, "-o", out, "-f", "csv")
    assert written.exit_code == 0 and "is written as csv" in written.stderr
    assert out.read_text().startswith("stage,candidate")


def _svcount(*args, stdin=None):
    """The console command itself, as a user runs it (its own usage errors included)."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "svcount", *map(str, args)], capture_output=True, text=True,
        stdin=stdin,
    )  # fmt: skip


def test_a_bad_format_is_refused_in_svcounts_words():
    result = _svcount("tally", QUICK, "-f", "xlsx")
    assert result.returncode == 2 and "Value error" not in result.stderr
    assert "--format 'xlsx' is not one of its choices: give table, json" in result.stderr


@pytest.mark.parametrize(
    ("head", "says"),
    [(b"PK\x03\x04\x14\x00\x06\x00", ".xlsx"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls")],
)
def test_a_spreadsheet_given_as_ballots_is_told_to_be_saved_as_csv(tmp_path, head, says):
    path = write(tmp_path, head + b"\x00" * 200, "ballots.xlsx")
    result = run("tally", path)
    assert result.exit_code == 2 and says in result.stderr
    assert "save it as CSV" in result.stderr and "NUL byte" not in result.stderr


def test_a_folder_given_as_the_candidate_list_is_called_a_folder_not_ballots(tmp_path):
    result = run("tally", QUICK, "-c", tmp_path)
    assert result.exit_code == 2 and "is a directory, not a candidate list" in result.stderr


def test_an_output_that_is_a_folder_is_refused_as_one():
    result = run("tally", QUICK, "-o", EXAMPLES / "..")
    assert result.exit_code == 2 and "it is a directory" in result.stderr


def test_a_missing_ballot_file_suggests_dash_for_standard_input():
    with open(QUICK) as ballots:
        result = _svcount("tally", stdin=ballots)
    assert result.returncode == 2
    assert "or - to read standard input (" in result.stderr and "tally - < FILE)" in result.stderr


@pytest.mark.parametrize("count", ['"1,000"', '"12,345,678"'])
def test_a_count_with_thousands_separators_says_so(tmp_path, count):
    path = write(tmp_path, f"first,second,papers\nAnn,,{count}\nBob,,5\n")
    result = run("tally", path, "--count-column", "papers")
    assert result.exit_code == 2 and "has a thousands separator" in result.stderr
    assert "write counts as plain digits" in result.stderr


def test_declare_format_help_lists_html():
    shown = run("declare", "--help").stdout
    assert "html" in " ".join(shown.split())
