"""svcount verification: the statement as to the result of the verification (issue 36)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import ROOT, refused, run, write

from svcount.documents.seal import canonical_digest

ACCOUNTS = ROOT / "examples" / "by-area" / "verification" / "accounts.csv"


def test_the_example_statement_box_by_box_and_area_by_area():
    shown = run("verification", str(ACCOUNTS))
    assert shown.exit_code == 1, shown.output  # R1's variance is not explained
    assert all(len(line) <= 80 for line in shown.stdout.splitlines())
    assert "Variance in box M1 (-1): One paper left with the voter" in " ".join(
        shown.stdout.split()
    )
    assert "Variance in box R1 (+1): not explained" in " ".join(shown.stdout.split())
    doc = json.loads(run("verification", str(ACCOUNTS), "-f", "json").stdout)
    assert doc["schema"] == "svcount-verification/1"
    assert doc["digest"] == canonical_digest({k: v for k, v in doc.items() if k != "digest"})
    assert doc["total"]["verified"] == 620 and doc["total"]["expected"] == 620
    assert doc["total"]["postal_verified"] == 139 and doc["unexplained_variances"] == 1
    assert doc["areas"]["Melton"]["verified"] == 200 and doc["areas"]["Melton"]["expected"] == 201
    r1 = next(b for b in doc["boxes"] if b["box"] == "R1")
    assert r1["expected"] == 80 and r1["variance"] == 1  # 100 supplied - 18 unused - 2 spoilt


def test_every_format_says_the_same(tmp_path):
    rows = list(csv.DictReader(io.StringIO(run("verification", str(ACCOUNTS), "-f", "csv").stdout)))
    assert len(rows) == 8 and rows[6]["box"] == "R1" and rows[6]["variance"] == "1"
    md = run("verification", str(ACCOUNTS), "-f", "markdown").stdout
    assert "| Box |" in md and "not explained" in md
    page = run("verification", str(ACCOUNTS), "-f", "html").stdout
    assert page.count('tabindex="0"') == 2 and "not explained" in page
    out = tmp_path / "statement.json"
    assert run("verification", str(ACCOUNTS), "-o", str(out)).exit_code == 1
    assert json.loads(out.read_text())["schema"] == "svcount-verification/1"


def test_every_variance_explained_exits_0(tmp_path):
    text = ACCOUNTS.read_text().replace("R1,Oakham Castle,Rutland,station,100,18,2,,,81,",
                                        'R1,Oakham Castle,Rutland,station,100,18,2,,,81,"A spoilt '
                                        'paper put in the box"')  # fmt: skip
    path = write(tmp_path, text, "accounts.csv")
    shown = run("verification", path)
    assert shown.exit_code == 0 and "Every variance is explained" in shown.stdout


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ("A,10,10\nA,5,5\n", "box 'A' is listed twice"),
        ("A,-3,10\n", "issued"),
        ("A,1.5,10\n", "issued"),
        ("A,10,ten\n", "verified"),
        ("A,,10\n", "no ballot paper account"),
        (",10,10\n", "a row with no box"),
    ],
)
def test_bad_accounts_are_one_line(tmp_path, rows, said):
    path = write(tmp_path, "box,issued,verified\n" + rows, "accounts.csv")
    assert said in refused("verification", path)


def test_the_account_must_add_up(tmp_path):
    path = write(tmp_path, "box,supplied,unused,spoilt,verified\nA,10,8,3,0\n", "a.csv")
    assert "more than were supplied" in refused("verification", path)
    path = write(tmp_path, "box,supplied,unused,spoilt,issued,verified\nA,10,2,1,9,7\n", "b.csv")
    assert "supplied − unused − spoilt is 7" in refused("verification", path)
    path = write(tmp_path, "box,issued,kind,verified\nA,10,mobile,10\n", "c.csv")
    assert "kind is station or postal" in refused("verification", path)
    assert "a verified column" in refused("verification", write(tmp_path, "box,issued\nA,1\n"))


def test_papers_verified_counted_from_a_ballot_file_by_box(tmp_path):
    ballots = write(tmp_path, "first,second,box\nAnn,Bob,A\nBob,,A\nAnn,,B\n", "ballots.csv")
    accounts = write(tmp_path, "box,issued\nA,2\nB,2\n", "accounts.csv")
    shown = run("verification", accounts, "--ballots", ballots, "--box-column", "Box", "-f", "json")
    assert shown.exit_code == 1, shown.output
    boxes = {b["box"]: b for b in json.loads(shown.stdout)["boxes"]}
    assert boxes["A"]["verified"] == 2 and boxes["B"]["variance"] == -1
    both = write(tmp_path, "box,issued,verified\nA,2,3\nB,1,1\n", "both.csv")
    said = refused("verification", both, "--ballots", ballots, "--box-column", "box")
    assert "box 'A': 3 papers verified by the accounts, 2 in the ballot file" in said
    fewer = write(tmp_path, "box,issued\nA,2\n", "fewer.csv")
    assert "box 'B', which the accounts do not list" in refused(
        "verification", fewer, "--ballots", ballots, "--box-column", "box"
    )
    more = write(tmp_path, "box,issued\nA,2\nB,1\nC,0\n", "more.csv")
    assert "box 'C' is in the accounts, but the ballot file has no paper" in refused(
        "verification", more, "--ballots", ballots, "--box-column", "box"
    )
    assert "not in the header" in refused(
        "verification", accounts, "--ballots", ballots, "--box-column", "crate"
    )


def test_a_statement_is_signed_with_svcount_key(tmp_path):
    made = run("key", "new", "Returning Officer", "--dir", str(tmp_path), "-q")
    assert made.exit_code == 0, made.output
    key = next(tmp_path.glob("*.key"))
    out = tmp_path / "statement.json"
    signed = run("verification", str(ACCOUNTS), "--sign", str(key), "-o", str(out))
    assert signed.exit_code == 1, signed.output
    assert "signature" in json.loads(out.read_text())


def _statement(tmp_path, text=None, name="statement.json"):
    accounts = write(tmp_path, text or ACCOUNTS.read_text(), name.replace(".json", ".csv"))
    out = tmp_path / name
    run("verification", accounts, "-f", "json", "-o", str(out))
    return str(out)


BY_AREA = ROOT / "examples" / "by-area"


def test_the_count_agrees_with_the_verification_area_by_area(tmp_path):
    statement = _statement(tmp_path)
    counted = run("tally", str(BY_AREA / "all.csv"), "-c", str(BY_AREA / "candidates.txt"),
                  "--verification", statement, "-f", "json")  # fmt: skip
    assert counted.exit_code == 0, counted.output
    assert "count summary: 620 papers verified, 620 counted" in counted.stderr
    files = json.loads(counted.stdout)["input"]["files"]
    assert any(f["role"] == "verification" for f in files)
    short = ACCOUNTS.read_text().replace("RP1,,Rutland,postal,,,,39,,39,",
                                         "RP1,,Rutland,postal,,,,39,,38,")  # fmt: skip
    differs = _statement(tmp_path, short, "short.json")
    said = refused("tally", str(BY_AREA / "all.csv"), "-c", str(BY_AREA / "candidates.txt"),
                   "--verification", differs)  # fmt: skip
    assert "Rutland: 119 papers verified, 120 counted" in said
    accepted = run("tally", str(BY_AREA / "all.csv"), "-c", str(BY_AREA / "candidates.txt"),
                   "--verification", differs, "--accept-difference", "a paper in the wrong box",
                   "-f", "json")  # fmt: skip
    assert accepted.exit_code == 0 and "accepted: a paper in the wrong box" in accepted.stderr
    edited = tmp_path / "edited.json"
    edited.write_text(Path(statement).read_text().replace('"verified": 620', '"verified": 621'))
    assert "does not match its digest" in refused(
        "tally", str(BY_AREA / "all.csv"), "-c", str(BY_AREA / "candidates.txt"),
        "--verification", str(edited),
    )  # fmt: skip


def test_an_audit_is_of_the_papers_verified(tmp_path):
    statement = _statement(tmp_path)
    manifest = write(tmp_path, "batch,papers\nB1,120\nB2,110\nBP1,70\nM1,100\nM2,70\nMP1,30\n"
                               "R1,81\nRP1,38\n", "manifest.csv")  # fmt: skip
    said = refused("rla", "sample", manifest, "--seed", "1", "--size", "5",
                   "--verification", statement)  # fmt: skip
    assert "619 ballot papers and the verification statement 620" in said
    planned = run("rla", "plan", str(BY_AREA / "all.csv"), "-c", str(BY_AREA / "candidates.txt"),
                  "--verification", statement, "-q")  # fmt: skip
    assert planned.exit_code == 0, planned.output


def _staged(tmp_path, statement, *accept, areas=("Blaby", "Melton", "Rutland")):
    """Each area's first count checked against the statement; their paths."""
    made = []
    for area in areas:
        out = tmp_path / f"{area}-1.json"
        counted = run("tally", str(BY_AREA / f"{area.lower()}.csv"), "-c",
                      str(BY_AREA / "candidates.txt"), "--stage", "first", "--area", area,
                      "--verification", statement, *accept, "-o", str(out))  # fmt: skip
        assert counted.exit_code == 0, counted.output
        made.append(out)
    return made


def test_a_local_count_is_checked_against_the_statement_and_carried_to_the_declaration(
    tmp_path,
):
    """Issue 36: tally --stage first --verification checks the area's papers and records the
    statement (SHA-256, papers verified and issued); combine takes the papers issued from it;
    the declaration states the papers verified."""
    statement = _statement(tmp_path)
    firsts = _staged(tmp_path, statement)
    record = json.loads(firsts[1].read_text())["verification"]
    assert record["role"] == "verification" and record["sha256"]
    assert (record["verified"], record["issued"], record["counted"]) == (200, 201, 200)
    total = tmp_path / "total.json"
    combined = run("combine", *map(str, firsts), "-o", str(total))
    assert "Melton: 201 ballot papers issued but 200 counted" in combined.stderr
    seconds = []
    for area in ("Blaby", "Melton", "Rutland"):
        out = tmp_path / f"{area}-2.json"
        run("tally", str(BY_AREA / f"{area.lower()}.csv"), "-c", str(BY_AREA / "candidates.txt"),
            "--stage", "second", "--area", area, "--remaining-from", str(total),
            "-o", str(out))  # fmt: skip
        seconds.append(out)
    result = tmp_path / "result.json"
    assert run("combine", *map(str, firsts + seconds), "-o", str(result)).exit_code == 0
    declared = run("declare", str(result)).stdout
    assert "Ballot papers verified: 620; counted: 620." in declared
    assert (
        "Ballot papers verified: 620; counted: 620."
        in run("declare", str(result), "-f", "markdown").stdout
    )


def test_a_local_count_that_differs_is_refused_unless_accepted(tmp_path):
    short = ACCOUNTS.read_text().replace("RP1,,Rutland,postal,,,,39,,39,",
                                         "RP1,,Rutland,postal,,,,39,,38,")  # fmt: skip
    statement = _statement(tmp_path, short, "short.json")
    rutland = (str(BY_AREA / "rutland.csv"), "-c", str(BY_AREA / "candidates.txt"))
    said = refused("tally", *rutland, "--stage", "first", "--area", "Rutland",
                   "--verification", statement)  # fmt: skip
    assert "Rutland: 119 papers verified, 120 counted (a difference of +1)" in said
    accepted = _staged(tmp_path, statement, "--accept-difference", "a paper in the wrong box",
                       areas=("Rutland",))  # fmt: skip
    record = json.loads(accepted[0].read_text())["verification"]
    assert record["accepted_difference"] == "a paper in the wrong box"
    unknown = refused("tally", *rutland, "--stage", "first", "--area", "Oakham",
                      "--verification", statement)  # fmt: skip
    assert "the statement has no voting area 'Oakham'" in unknown


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda r: r.__setitem__("counted", 7), "verification says 7 counted"),
        (lambda r: r.__setitem__("verified", 1), "without its reason accepted"),
        (lambda r: r.__setitem__("issued", "many"), "papers verified, issued and counted"),
    ],
)
def test_an_edited_verification_record_is_refused(tmp_path, edit, said):
    from helpers import write_sealed

    statement = _statement(tmp_path)
    (first,) = _staged(tmp_path, statement, areas=("Blaby",))
    doc = json.loads(first.read_text())
    edit(doc["verification"])
    write_sealed(first, doc)
    assert said in refused("combine", str(first))


def test_combine_waits_for_every_area_of_the_statement(tmp_path):
    """Issue 36: first counts checked against a statement of three areas are not combined
    while one is missing, as with --areas."""
    statement = _statement(tmp_path)
    firsts = _staged(tmp_path, statement)
    said = refused("combine", str(firsts[0]), str(firsts[1]), "-q")
    assert "missing Rutland" in said
    assert run("combine", *map(str, firsts), "-q").exit_code == 0


def test_a_statement_of_another_poll_or_unsigned_under_trust_is_refused(tmp_path):
    """Issue 36: svcount verification --election names the poll; a first count of another
    poll refuses it, and so does combine --election; under --trust the statement must be
    signed by a trusted key."""
    accounts = write(tmp_path, ACCOUNTS.read_text(), "accounts.csv")
    assert run("key", "new", "Jane", "--dir", str(tmp_path)).exit_code == 0
    plain, signed = tmp_path / "plain.json", tmp_path / "signed.json"
    run("verification", accounts, "--election", "pcc.x", "-f", "json", "-o", str(plain))
    run("verification", accounts, "--election", "pcc.x", "--sign", str(tmp_path / "jane.key"),
        "-f", "json", "-o", str(signed))  # fmt: skip
    assert json.loads(plain.read_text())["election"] == "pcc.x"
    blaby = (str(BY_AREA / "blaby.csv"), "-c", str(BY_AREA / "candidates.txt"), "--stage",
             "first", "--area", "Blaby")  # fmt: skip
    said = refused("tally", *blaby, "--verification", str(plain), "--election", "pcc.y")
    assert "the statement is of the poll 'pcc.x', the count of --election 'pcc.y'" in said
    trust = ("--trust", str(tmp_path / "jane.pub"))
    assert "not signed" in refused("tally", *blaby, "--verification", str(plain), *trust)
    out = tmp_path / "blaby-1.json"
    made = run("tally", *blaby, "--verification", str(signed), *trust, "-o", str(out), "-q")
    assert made.exit_code == 0, made.output
    assert json.loads(out.read_text())["verification"]["election"] == "pcc.x"
    said = refused("combine", str(out), "--election", "pcc.y", "-q")
    assert "not --election 'pcc.y'" in said
