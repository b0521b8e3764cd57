"""Nothing a file holds can forge, crash or hide: one name policy, outputs escaped per medium.

A hostile name goes through every format; whatever it holds, the run either
refuses it with one line and exit 2, or prints it inert: no control or
format character reaches an output, markdown gains no block, every CSV row
has its fields, and Rich never reads it as markup.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from helpers import run, write, write_sealed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from svcount.documents.writing import csv_line
from svcount.names import MAX_NAME, name, normal, problem
from svcount.render.blocks import md_text

FORMATS = ["table", "json", "csv", "markdown", "html"]


def refused(result):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("svcount: error: ")
    assert len(result.stderr) < 800  # each field echoed is cut to about 80 characters
    return result.stderr


def ballots(tmp_path, name_, area=False):
    rows = [("Ann", "Bob"), ("Ann", ""), (name_, "Ann"), ("Bob", name_), ("Bob", "Ann")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["first", "second", *(["area"] if area else [])])
    for first, second in rows:
        writer.writerow([first, second, *([name_] if area else [])])
    path = tmp_path / "b.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- the policy


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Mallory\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Ann\u200bArcher", "U+200B ZERO WIDTH SPACE"),
        ("Ann\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("Ann\x1b[2J", "U+001B"),
        ("Ann\x1b]8;;https://example.org\x1b\\x", "U+001B"),
        ("Cy\nCole", "U+000A"),
        ("Cy\rCole", "U+000D"),
        ("Cy\tCole", "U+0009"),
        ("Dee\x7f", "U+007F"),
        ("De\x85e", "U+0085"),
        ("Ev\u2028e", "U+2028 LINE SEPARATOR"),
        ("Eve\ue000", "U+E000"),
        ("Eve\U000e0001", "U+E0001"),
    ],
)
def test_the_policy_refuses_each_kind_of_hidden_character_naming_its_code_point(text, named):
    why = problem(normal(text))
    assert why is not None and named in why


def test_every_unicode_space_is_one_space_and_runs_collapse():
    assert normal("\u00a0Bob\u2003\u3000 Baker\u202f") == "Bob Baker"
    assert normal("Bo\u0301b") == "B\u00f3b"  # NFC


def test_a_name_is_at_most_200_characters():
    assert problem("x" * MAX_NAME) is None
    assert "at most 200" in problem("x" * (MAX_NAME + 1))
    with pytest.raises(ValueError, match="at most 200"):
        name("y" * 10**6)


def test_a_no_break_space_spells_the_same_candidate(tmp_path):
    path = ballots(tmp_path, "Bob\u00a0Baker")
    text = (
        Path(path).read_text(encoding="utf-8").replace("Bob,", "Bob Baker,").replace(",Bob\n", "")
    )
    (tmp_path / "c.csv").write_text(text, encoding="utf-8")
    doc = json.loads(run("tally", str(tmp_path / "c.csv"), "-f", "json").stdout)
    assert [c["name"] for c in doc["candidates"]].count("Bob Baker") == 1


@pytest.mark.parametrize(
    "where",
    ["ballots", "area", "candidates", "areas file", "--lot", "--title", "--area", "result"],
)
def test_a_hidden_character_is_refused_wherever_a_name_comes_from(tmp_path, where):
    evil = "Mallory\u202eyrollaM"
    plain = ballots(tmp_path, "Cy")
    if where == "ballots":
        message = refused(run("tally", ballots(tmp_path, evil)))
        assert "line 5" in message  # the line of its first paper
    elif where == "area":
        message = refused(run("tally", ballots(tmp_path, evil, area=True)))
    elif where == "candidates":
        write(tmp_path, f"Ann\nBob\n{evil}\n", "c.txt")
        message = refused(run("tally", plain, "-c", str(tmp_path / "c.txt")))
        assert "c.txt:3" in message
    elif where == "areas file":
        write(tmp_path, f"area,electorate\n{evil},100\n", "areas.csv")
        area_file = ballots(tmp_path, "Cy", area=True)
        message = refused(run("tally", area_file, "--electorate-file", str(tmp_path / "areas.csv")))
    elif where == "--lot":
        message = refused(run("tally", plain, "--lot", evil))
    elif where == "--title":
        message = refused(run("declare", plain, "--title", evil))
    elif where == "--area":
        write(tmp_path, "Ann\nBob\nCy\n", "c.txt")
        local = ("--stage", "first", "--area", evil, "-c", str(tmp_path / "c.txt"))
        message = refused(run("tally", plain, *local))
    else:
        result = tmp_path / "r.json"
        assert run("tally", plain, "-o", str(result)).exit_code == 0
        doc = json.loads(result.read_text())
        doc["candidates"][0]["name"] = evil
        write_sealed(result, {k: v for k, v in doc.items() if k != "digest"})
        message = refused(run("declare", str(result)))
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in message
    assert "\u202e" not in message


def test_a_result_file_with_a_null_name_is_one_line(tmp_path):
    result = tmp_path / "r.json"
    assert run("tally", ballots(tmp_path, "Cy"), "-o", str(result)).exit_code == 0
    doc = json.loads(result.read_text())
    doc["candidates"][0]["name"] = None
    write_sealed(result, {k: v for k, v in doc.items() if k != "digest"})
    refused(run("declare", str(result)))


# --------------------------------------------------------------------------- every output inert

HOSTILE = [
    "[/bold]",
    "[link=https://example.org]x[/link]",
    "# Evil heading",
    "> quoted",
    "1. listed",
    "- item",
    "===",
    "| pipe | table |",
    "`code` **bold** _em_ ~strike~",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "&amp; &lt;",
    '=HYPERLINK("http://x")',
    "+1",
    "@SUM(A1)",
    "\\",
    "Ann, Jr.",
    '"quoted"',
    "x" * MAX_NAME,
]


def _markdown_blocks(text):
    return [t.type for t in MarkdownIt("commonmark").parse(text) if t.nesting >= 0 and t.block]


def _outputs(path, fmt):
    result = run("tally", path, "-f", fmt)
    assert result.exit_code in (0, 3), result.output
    assert "Traceback" not in result.output
    return result.stdout


def _inert(text):
    """No character from input that moves the cursor, hides text or breaks a line."""
    bad = {ch for ch in text if unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cn", "Zl", "Zp"}}
    assert bad <= {"\n"}, sorted(map(hex, map(ord, bad)))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_name_is_printed_inert_in_every_format(tmp_path, hostile):
    path = ballots(tmp_path, hostile)
    a_name = not set(hostile) & set("|;?")  # else it reads as several names, or uncertain
    for fmt in FORMATS:
        out = _outputs(path, fmt)
        _inert(out)
        if fmt == "table" and a_name:
            assert hostile.split()[0][:40] in out
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(out)))
            assert len({len(r) for r in rows}) == 1
            names = {r[1].lstrip("'") for r in rows[1:]}
            assert normal(hostile) in names or not a_name
        if fmt == "markdown":
            twin = ballots(tmp_path, "Cyrus" if a_name else "Cy|rus")  # read the same way
            baseline = _markdown_blocks(_outputs(twin, "markdown"))
            assert _markdown_blocks(out) == baseline
        if fmt == "html":
            assert "<script>alert" not in out and "<img src=x" not in out


@pytest.mark.parametrize("hostile", ["[/bold]", "[/i]", "[link=https://example.org]x[/link]"])
def test_markup_in_names_never_crashes_rich_anywhere(tmp_path, hostile):
    area_file = ballots(tmp_path, hostile, area=True)
    assert run("tally", area_file, "--color").exit_code in (0, 3)
    write(tmp_path, "Ann\nBob\nCy\n", "c.txt")
    local = ("--stage", "first", "--area", hostile, "-c", str(tmp_path / "c.txt"))
    staged = run("tally", ballots(tmp_path, "Cy"), *local, "-f", "table")
    assert staged.exit_code == 0 and hostile in staged.stdout
    assert "\x1b]8;" not in run("tally", ballots(tmp_path, hostile), "--color").stdout


@settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60
)
@given(st.text(min_size=1, max_size=30))
def test_any_name_is_refused_in_one_line_or_printed_inert(tmp_path, text):
    path = ballots(tmp_path, text)
    result = run("tally", path, "-f", "markdown")
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        refused(result)
        return
    assert result.exit_code in (0, 3)
    _inert(result.stdout)
    _inert(result.stderr)


def test_markdown_escapes_what_would_open_a_block():
    for text in ["# h", "> q", "- i", "+ i", "* i", "1. i", "12) i", "---", "===", "* * *"]:
        assert _markdown_blocks(md_text(text)) == ["paragraph_open", "inline"]


@pytest.mark.parametrize("cell", ["Cy\rCole", "Cy\nCole", "Cy\r\nCole", 'say "hi"', "a,b"])
def test_every_csv_record_quotes_line_breaks(cell):
    line = csv_line(["1", cell, "x"])
    assert line.endswith("\n")
    assert list(csv.reader(io.StringIO(line, newline=""))) == [["1", cell, "x"]]


# --------------------------------------------------------------------------- never a traceback


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[" * 200_000 + "]" * 200_000, "nested more than 32 deep"),
        ('{"a": ' + "9" * 5000 + "}", "a number of 5,000 digits"),
        ('{"schema": "svcount-result/1", "schema": "x"}', "the key 'schema' appears twice"),
    ],
)
@pytest.mark.parametrize("command", ["declare", "diff", "combine", "synth", "verify"])
def test_hostile_json_is_one_line_in_every_reader(tmp_path, text, says, command):
    doc = tmp_path / "x.json"
    doc.write_text(text)
    args = {
        "declare": [str(doc)],
        "diff": [str(doc), str(doc)],
        "combine": [str(doc)],
        "synth": [str(doc)],
        "verify": [ballots(tmp_path, "Cy"), str(doc)],
    }[command]
    assert says in refused(run(command, *args))


def test_verify_of_an_expected_file_with_no_figures_is_not_a_traceback(tmp_path):
    expected = tmp_path / "e.json"
    expected.write_text('{"schema": "svcount-expected/1", "figures": {"first_preferences": {}}}')
    result = run("verify", ballots(tmp_path, "Cy"), str(expected))
    assert "Traceback" not in result.output and result.exit_code in (0, 1, 2)


def test_an_unexpected_error_is_one_line_and_exit_70(tmp_path, monkeypatch):
    from svcount import pipeline
    from svcount.cli import app
    from svcount.shell.run import run as run_app

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(pipeline, "tally", broken)
    monkeypatch.setattr(sys, "argv", ["svcount", "tally", ballots(tmp_path, "Cy")])
    monkeypatch.delenv("SVCOUNT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        run_app(app)
    assert exit_.value.code == 70
    monkeypatch.setenv("SVCOUNT_DEBUG", "1")
    with pytest.raises(RuntimeError):
        run_app(app)


def _shell(command, tmp_path):
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env)


@pytest.mark.parametrize(
    ("redirect", "code"),
    [("2>&-", 2), ("2>/dev/null", 2), (">&-", 2)],
)
def test_exit_codes_do_not_depend_on_closed_streams(tmp_path, redirect, code):
    missing = f"{sys.executable} -m svcount tally {tmp_path}/nothing.csv {redirect}"
    assert _shell(f"{missing}; echo $?", tmp_path).stdout.strip().endswith(str(code))


def test_a_closed_stdout_fails_in_one_line_but_a_file_output_works(tmp_path):
    path = ballots(tmp_path, "Cy")
    closed = _shell(f"{sys.executable} -m svcount tally {path} -f json >&-", tmp_path)
    assert closed.returncode == 2 and "cannot write to standard output" in closed.stderr
    to_file = _shell(f"{sys.executable} -m svcount tally {path} -o {tmp_path}/r.json >&-", tmp_path)
    assert to_file.returncode == 0 and (tmp_path / "r.json").exists()


def test_an_ascii_terminal_gets_escapes_not_a_traceback(tmp_path):
    path = ballots(tmp_path, "Zoë")
    for fmt in FORMATS:
        env = {**os.environ, "PYTHONIOENCODING": "ascii"}
        shown = subprocess.run(
            [sys.executable, "-m", "svcount", "tally", path, "-f", fmt],
            capture_output=True,
            env=env,
        )
        assert shown.returncode == 0, shown.stderr
        assert b"Traceback" not in shown.stderr


def test_gzip_inflates_in_bounded_pieces_across_members_and_blocks():
    import gzip

    from svcount.reading.fastpath import Inflater

    raw = b"Ann\n" * (10 << 20)  # 40 MiB from about 40 KiB
    data = gzip.compress(raw) + gzip.compress(b"Bob\n" * 5)
    pieces = list(Inflater().pieces(data))
    assert b"".join(pieces) == raw + b"Bob\n" * 5
    assert max(map(len, pieces)) <= Inflater.PIECE
    inflater = Inflater()
    blocks = [data[i : i + 4096] for i in range(0, len(data), 4096)]
    assert b"".join(p for block in blocks for p in inflater.pieces(block)) == raw + b"Bob\n" * 5


# --------------------------------------------------------------------------- the library


@pytest.mark.parametrize(
    ("given", "error", "says"),
    [
        ({"electorate": "100"}, TypeError, "electorate: expected a whole number, got str"),
        ({"electorate": 10.7}, TypeError, "electorate: expected a whole number, got float"),
        ({"electorate": True}, TypeError, "electorate"),
        ({"seed": "1"}, TypeError, "seed: expected a whole number, got str"),
        ({"seed": 1.0}, TypeError, "seed"),
        ({"candidates": ["Ann", float("nan")]}, TypeError, "candidates: expected a name"),
        ({"candidates": ["Ann", 3]}, TypeError, "candidates: expected a name"),
        ({"unknown_as_void": "yes"}, TypeError, "unknown_as_void"),
    ],
)
def test_the_library_refuses_wrong_types_naming_the_parameter(given, error, says):
    import pandas as pd

    import svcount

    frame = pd.DataFrame({"first": ["Ann", "Bob", "Ann"], "second": ["Bob", "", ""]})
    with pytest.raises(error, match=says):
        svcount.tally(frame, **given)


def test_numpy_integers_are_whole_numbers_and_one_seed_is_one_draw(tmp_path):
    import numpy as np
    import pandas as pd

    import svcount

    frame = pd.DataFrame({"first": ["Ann", "Bob"], "second": ["", ""]})
    drawn = svcount.tally(frame, seed=np.int64(1), electorate=np.int32(10))
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    by_command = json.loads(run("tally", str(path), "--seed", "1", "-f", "json").stdout)
    assert drawn.winner == by_command["winner"] and drawn.turnout.electorate == 10


@pytest.mark.parametrize("count", [[True, False], ["1e1", "2"], [1.5, 2], [float("nan"), 1]])
def test_a_dataframe_count_column_must_hold_whole_numbers(count):
    import pandas as pd

    import svcount

    frame = pd.DataFrame({"first": ["Ann", "Bob"], "second": ["", ""], "papers": count})
    with pytest.raises(svcount.InputError, match="whole number"):
        svcount.tally(frame)


def test_a_dataframe_with_two_first_columns_is_refused():
    import pandas as pd

    import svcount

    frame = pd.DataFrame([["Ann", "Bob", ""]], columns=["first", "first", "second"])
    with pytest.raises(svcount.InputError, match="two columns named 'first'"):
        svcount.tally(frame)


def test_usage_error_is_exported():
    import svcount

    assert issubclass(svcount.UsageError, svcount.SvcountError)


@pytest.mark.parametrize("which", ["candidates", "areas"])
def test_a_huge_quoted_field_in_a_list_is_one_line_naming_its_line(tmp_path, which):
    huge = '"' + "x" * 200_000 + '"'
    if which == "candidates":
        write(tmp_path, f"name\n{huge}\nBob\n", "list.csv")
        args = ("tally", ballots(tmp_path, "Cy"), "-c", str(tmp_path / "list.csv"))
    else:
        write(tmp_path, f"area,electorate\n{huge},10\n", "list.csv")
        area_file = ballots(tmp_path, "Cy", area=True)
        args = ("tally", area_file, "--electorate-file", str(tmp_path / "list.csv"))
    assert "list.csv:2" in refused(run(*args))


def test_more_first_preferences_than_a_paper_could_list_asks_about_the_column(tmp_path):
    rows = "first,second\n" + "".join(f"N{i},\n" for i in range(1001))
    message = refused(run("tally", write(tmp_path, rows)))
    assert "1,001 different names" in message and "is it the right column?" in message


def test_thousands_of_listed_candidates_count_exactly(tmp_path):
    names = [f"N{i}" for i in range(5000)]
    write(tmp_path, "\n".join(names) + "\n", "c.txt")
    path = write(tmp_path, "first,second\n" + "".join(f"{n},\n" for n in names) + "N7,\n")
    doc = json.loads(run("tally", path, "-c", str(tmp_path / "c.txt"), "-f", "json").stdout)
    assert doc["winner"] == "N7" and doc["stages"][0]["tie_for_second"] is True
    assert sum(c["status"] == "not_elected" for c in doc["candidates"]) == 4999


@pytest.mark.parametrize(("name", "says"), [("?", "the uncertain marker"), ("A|B", "a separator")])
def test_a_candidate_that_could_never_be_marked_is_refused(tmp_path, name, says):
    write(tmp_path, f"Ann\n{name}\n", "c.txt")
    message = refused(run("tally", ballots(tmp_path, "Ann"), "-c", str(tmp_path / "c.txt")))
    assert "can never be marked" in message and says in message
