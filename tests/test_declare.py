"""svcount declare: the declaration of result, from ballots or from a result file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import BY_AREA, EXAMPLES, run, write
from markdown_it import MarkdownIt

LLR_2016 = EXAMPLES / "llr-2016"
LLR_2024 = EXAMPLES / "llr-2024"
TITLE = "Police and Crime Commissioner for Leicester, Leicestershire and Rutland"


def declare(*args):
    result = run("declare", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_llr_2016_declaration_gives_the_published_figures():
    out = declare(
        LLR_2016 / "ballots.csv.gz", "-c", LLR_2016 / "candidates.csv", "--electorate", "768700",
        "--title", TITLE, "--date", "2016-05-05", "--returning-officer", "John Sinnott",
    )  # fmt: skip
    assert out.startswith(TITLE + "\n")
    assert "Date of poll: 5 May 2016" in out and "Returning officer: John Sinnott" in out
    bach = next(line for line in out.splitlines() if "Labour" in line)
    assert bach.split()[-3:] == ["67,991", "10,197", "78,188"]
    assert "46,958" in out and "11,347" in out and "58,305" in out
    assert "19,359" in out and "17,815" in out
    assert (
        "Willy Bach is duly elected after the second preferences on the excluded\n"
        "candidates' papers were added, with 78,188 votes, a majority of 19,883." in out
    )
    assert "20.25%" in out and "19.79%" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_the_llr_2024_declaration_is_first_past_the_post_with_areas(tmp_path):
    areas = EXAMPLES / "llr-2024-areas"
    out = declare(
        areas / "ballots.csv.gz", "-c", LLR_2024 / "candidates.csv",
        "--electorate-file", areas / "areas.csv", "--title", TITLE,
    )  # fmt: skip
    assert (
        "Rupert Oliver Matthews is duly elected, having received the most votes, 62,280, a"
        in (out.replace("\n", " "))
        or "62,280" in out
    )
    for figure in ("62,280", "61,420", "23,649", "22,041", "7,104", "majority of 860"):
        assert figure in out.replace("\n", " ")
    assert "Ballot papers counted: 178,293" in out and "Electorate: 821,573" in out
    assert "21.70%" in out
    assert "Unmarked or void for uncertainty" in out
    assert "Second preferences" not in out  # no stage two in first past the post
    assert "Harborough" in out and "22.21" in out and "Hinckley and Bosworth" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_without_a_title_it_is_the_result_of_the_poll():
    out = declare(EXAMPLES / "quickstart" / "ballots.csv")
    assert out.startswith("Result of the poll\n")
    assert "Bob Baker is duly elected after the second preferences" in out


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        (
            "Ann\nAnn\nBob\n",
            "Ann is duly elected, having received the most votes, 2, a majority of 1.",
        ),
        ("Ann\nAnn\n", "Ann is duly elected, unopposed."),
    ],
)
def test_how_the_winner_was_elected_is_said_in_words(tmp_path, rows, sentence):
    out = declare(write(tmp_path, "vote\n" + rows))
    assert sentence in out.replace("\n", " ")


def test_a_majority_at_stage_one_is_said_with_the_votes_needed(tmp_path):
    path = write(tmp_path, "first,second\nAnn,Bob\nAnn,\nAnn,\nBob,Ann\nCy,\n")
    out = declare(path).replace("\n", " ")
    assert "Ann is duly elected, having received 3 of the 5 valid first preferences" in out
    assert "more than half (3 were needed)" in out


def test_a_lot_is_declared_with_how_it_was_drawn(tmp_path):
    path = write(tmp_path, "vote\nAnn\nBob\n")
    entered = declare(path, "--lot", "Bob").replace("\n", " ")
    assert "equality of votes between Ann and Bob (1 votes each). Bob is duly elected by lot," in (
        entered
    )
    assert "drawn by the returning officer" in entered
    seeded = declare(path, "--seed", "4").replace("\n", " ")
    assert "drawn by svcount with the recorded seed 4" in seeded
    refused = run("declare", path)
    assert refused.exit_code == 3 and "a lot is required between Ann, Bob" in refused.stderr
    assert refused.stdout == ""


def test_a_result_file_declares_exactly_what_the_ballots_declare(tmp_path):
    args = (BY_AREA / "all.csv", "-c", BY_AREA / "candidates.txt")
    result = tmp_path / "result.json"
    assert (
        run("tally", *args, "--electorate-file", BY_AREA / "areas.csv", "-o", result).exit_code == 0
    )
    direct = declare(*args, "--electorate-file", BY_AREA / "areas.csv", "--title", "T")
    assert declare(result, "--title", "T") == direct
    assert "Blaby" in direct and "241" in direct


def test_the_staged_count_declares_from_combines_result(staged):
    firsts = ["blaby-1.json", "melton-1.json", "rutland-1.json"]
    seconds = ["blaby-2.json", "melton-2.json", "rutland-2.json"]
    assert run("combine", *firsts, *seconds, "-o", "result.json").exit_code == 0
    out = declare("result.json")
    assert "Ann is duly elected after the second preferences" in out and "241" in out


def test_count_options_are_refused_with_a_result_file(tmp_path):
    result = tmp_path / "r.json"
    assert run("tally", EXAMPLES / "quickstart" / "ballots.csv", "-o", result).exit_code == 0
    refused = run("declare", result, "--electorate", "100")
    assert refused.exit_code == 2 and "--electorate: count options apply to a ballot file" in (
        refused.stderr
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"schema": "svcount-total/1"}', "not a result file: schema is 'svcount-total/1'"),
        ("[]", "not a result file"),
    ],
)
def test_bad_result_files_are_one_line_and_exit_2(tmp_path, text, message):
    path = write(tmp_path, text, "r.json")
    refused = run("declare", path)
    assert refused.exit_code == 2 and message in refused.stderr
    assert refused.stderr.count("\n") == 1 and refused.stdout == ""


def test_an_edited_result_file_is_refused(tmp_path):
    result = tmp_path / "r.json"
    assert run("tally", EXAMPLES / "quickstart" / "ballots.csv", "-o", result).exit_code == 0
    doc = json.loads(result.read_text())
    doc["winner"] = "Ann Archer"
    result.write_text(json.dumps(doc))
    refused = run("declare", result)
    assert refused.exit_code == 2 and "does not match its digest" in refused.stderr


def test_bad_dates_missing_files_and_unwritable_outputs_are_exit_2(tmp_path):
    ballots = EXAMPLES / "quickstart" / "ballots.csv"
    assert "--date '5/5/2016' is not a date" in run("declare", ballots, "--date", "5/5/2016").stderr
    assert "no such file" in run("declare", tmp_path / "missing.json").stderr
    bad = run("declare", ballots, "-o", tmp_path / "nowhere" / "d.txt")
    assert bad.exit_code == 2 and "does not exist" in bad.stderr


def test_markdown_is_commonmark_with_pipe_tables_and_escapes_names(tmp_path):
    path = write(tmp_path, "first,second\n<b>Ann</b>|x,\nA*n_n [1],\nA*n_n [1],\nBob,\n")
    out = tmp_path / "d.md"
    assert run("declare", path, "-o", out, "--title", "Poll | <i>x</i>").exit_code == 0
    html = MarkdownIt("commonmark").enable("table").render(out.read_text())
    assert "<h1>Poll | &lt;i&gt;x&lt;/i&gt;</h1>" in html
    assert html.count("<table>") == 2  # votes, rejected: stage one decided
    assert '<td style="text-align:left">A*n_n [1]</td>' in html
    assert "<b>" not in html and "<i>" not in html
    assert '<td style="text-align:left"><strong>Total</strong></td>' in html


def test_the_format_follows_the_extension(tmp_path):
    ballots = EXAMPLES / "quickstart" / "ballots.csv"
    assert run("declare", ballots, "-o", tmp_path / "d.md").exit_code == 0
    assert (tmp_path / "d.md").read_text().startswith("# Result of the poll")
    assert run("declare", ballots, "-o", tmp_path / "d.txt").exit_code == 0
    assert Path(tmp_path / "d.txt").read_text().startswith("Result of the poll\n")


def test_the_result_keeps_its_notice_so_declare_needs_nothing_again(tmp_path):
    from helpers import EXAMPLES

    out = tmp_path / "r.json"
    made = run(
        "tally", EXAMPLES / "quickstart" / "ballots.csv", "-f", "json", "-o", out,
        "--title", "PCC for Quickshire", "--date", "2016-05-05", "--returning-officer", "Jo Bloggs",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert json.loads(out.read_text())["notice"] == {
        "title": "PCC for Quickshire",
        "returning_officer": "Jo Bloggs",
        "date": "2016-05-05",
    }
    declared = run("declare", out).stdout
    assert declared.startswith("PCC for Quickshire\n")
    assert "Date of poll: 5 May 2016" in declared and "Returning officer: Jo Bloggs" in declared
    again = run("declare", out, "--title", "Another title").stdout
    assert again.startswith("Another title\n") and "Jo Bloggs" in again
    html = run("declare", out, "-f", "html").stdout
    assert "PCC for Quickshire" in html
