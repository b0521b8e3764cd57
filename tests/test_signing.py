"""Signed returns: real Ed25519 keys, tampered files, swapped signatures, one officer as another."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from helpers import BY_AREA, refused, run, write_sealed

AREAS = {"Blaby": "jane", "Melton": "jane", "Rutland": "raj"}  # who counts each area


@pytest.fixture
def signed(tmp_path, monkeypatch):
    """The by-area example counted by two local officers, each signing their files."""
    for name in ["blaby.csv", "melton.csv", "rutland.csv", "candidates.txt"]:
        shutil.copy(BY_AREA / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    for name in ("jane", "raj", "paro"):
        assert run("key", "new", name, "-q").exit_code == 0
    Path("locals.pub").write_text(Path("jane.pub").read_text() + Path("raj.pub").read_text())
    for area, officer in AREAS.items():
        f = area.lower()
        made = run(
            "tally", f"{f}.csv", "-c", "candidates.txt", "--stage", "first", "--area", area,
            "-o", f"{f}-1.json", "--sign", f"{officer}.key",
        )  # fmt: skip
        assert made.exit_code == 0, made.stderr
    firsts = [f"{a.lower()}-1.json" for a in AREAS]
    made = run("combine", *firsts, "--trust", "locals.pub", "-o", "total.json")
    assert made.exit_code == 0, made.stderr
    for area, officer in AREAS.items():
        f = area.lower()
        made = run(
            "tally", f"{f}.csv", "-c", "candidates.txt", "--stage", "second", "--area", area,
            "--remaining-from", "total.json", "-o", f"{f}-2.json", "--sign", f"{officer}.key",
        )  # fmt: skip
        assert made.exit_code == 0, made.stderr
    return firsts, [f"{a.lower()}-2.json" for a in AREAS]


def test_key_new_writes_a_secret_key_and_a_public_line_and_never_overwrites(tmp_path):
    made = run("key", "new", "Jane Smith", "--dir", tmp_path)
    assert made.exit_code == 0
    key, pub = tmp_path / "jane-smith.key", tmp_path / "jane-smith.pub"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert key.read_text().startswith("svcount signing key: Jane Smith\n")
    tag, _, name = pub.read_text().rstrip("\n").split(" ", 2)
    assert (tag, name) == ("svcount-ed25519", "Jane Smith")
    fingerprint = made.stdout.strip()
    assert fingerprint.startswith("SHA256:")
    assert run("key", "show", key).stdout == f"{fingerprint}  Jane Smith\n"
    assert run("key", "show", pub).stdout == f"{fingerprint}  Jane Smith\n"
    before = key.read_bytes()
    assert "already exists" in refused("key", "new", "Jane Smith", "--dir", tmp_path)
    assert key.read_bytes() == before


def test_a_key_name_follows_the_name_policy(tmp_path):
    assert "U+202E" in refused("key", "new", "Jane\u202eSmith", "--dir", tmp_path)


def test_signed_returns_combine_and_the_declaration_names_every_signer(signed):
    firsts, seconds = signed
    made = run("combine", *firsts, *seconds, "--trust", "locals.pub", "-o", "r.json")
    assert made.exit_code == 0, made.stderr
    parts = json.loads(Path("r.json").read_text())["input"]["local_counts"]
    jane = run("key", "show", "jane.pub").stdout.rsplit("  ", 1)[0]
    assert parts[0]["signed_by"] == {"name": "jane", "fingerprint": jane, "checked": True}
    assert [p["signed_by"]["name"] for p in parts] == ["jane", "jane", "raj"] * 2
    declared = run("declare", "r.json").stdout
    assert "Signed returns" in declared
    groups = jane.removeprefix("SHA256:").split()
    blaby = (
        "Blaby, first count (blaby-1.json): signed by jane (not checked)\n"
        f"  key SHA256:{' '.join(groups[:8])}\n             {' '.join(groups[8:])}"
    )
    assert blaby in declared
    page = run("declare", "r.json", "-f", "html").stdout  # every format says the same
    assert "Signed returns" in page and "signed by jane" in page and jane in page


def test_a_declaration_states_as_checked_only_what_this_run_checked(signed):
    """Setting every signed_by.checked in an unsigned result and resealing proves nothing."""
    firsts, seconds = signed
    assert run("combine", *firsts, *seconds, "-o", "r.json").exit_code == 0
    doc = json.loads(Path("r.json").read_text())
    for claim in (True, False):
        for part in doc["input"]["local_counts"]:
            part["signed_by"]["checked"] = claim
        write_sealed("forged.json", doc)
        declared = run("declare", "forged.json")
        assert declared.exit_code == 0, declared.stderr
        assert "each signature checked" not in declared.stdout
        assert declared.stdout.count("(not checked)") == len(doc["input"]["local_counts"])
    signing = ("-o", "s.json", "--sign", "paro.key", "--trust", "locals.pub")
    assert run("combine", *firsts, *seconds, *signing).exit_code == 0
    assert "each signature checked" not in run("declare", "s.json").stdout  # not trusted here
    vouched = run("declare", "s.json", "--trust", "paro.pub").stdout
    assert "each signature checked against the trusted keys" in vouched


def test_a_signed_result_is_declared_with_its_signer_checked(signed):
    firsts, seconds = signed
    made = run("combine", *firsts, *seconds, "--trust", "locals.pub", "-o", "r.json")
    assert made.exit_code == 0
    signing = ("-o", "s.json", "--sign", "paro.key", "--trust", "locals.pub")
    assert run("combine", *firsts, *seconds, *signing).exit_code == 0
    declared = run("declare", "s.json", "--trust", "paro.pub")
    assert declared.exit_code == 0, declared.stderr
    assert "This result (s.json): signed by paro" in declared.stdout
    assert "not checked" not in declared.stdout
    assert "not signed" in refused("declare", "r.json", "--trust", "paro.pub")
    assert "not in locals.pub" in refused("declare", "s.json", "--trust", "locals.pub")


def test_unsigned_files_are_refused_with_trust_and_noted_without(signed):
    firsts, _ = signed
    args = ("-c", "candidates.txt", "--stage", "first", "--area", "Blaby")
    assert run("tally", "blaby.csv", *args, "-o", "plain.json").exit_code == 0
    message = refused("combine", "plain.json", *firsts[1:], "--trust", "locals.pub")
    assert "plain.json: not signed, and --trust locals.pub accepts only signed files" in message
    noted = run("combine", "plain.json", *firsts[1:], "-o", "t.json")
    assert noted.exit_code == 0
    assert "not checked: give --trust KEYS" in noted.stderr
    assert run("tally", "blaby.csv", *args, "-o", "p2.json").exit_code == 0
    other = run("tally", "melton.csv", *args[:-1], "Melton", "-o", "p3.json")
    assert other.exit_code == 0
    assert "were not signed" in run("combine", "p2.json", "p3.json").stderr


def test_a_file_signed_by_a_key_not_trusted_is_refused_naming_the_signer(signed):
    firsts, _ = signed
    message = refused("combine", *firsts, "--trust", "jane.pub")
    assert "rutland-1.json: signed by raj (SHA256:" in message
    assert "a key not in jane.pub: refused" in message


def test_a_figure_changed_and_resealed_breaks_the_signature(signed):
    firsts, _ = signed
    doc = json.loads(Path("melton-1.json").read_text())
    doc["first_preferences"]["Bob"] += 10
    doc["first_preferences"]["Ann"] -= 10
    write_sealed("melton-1.json", doc)  # the insider's digest, the signature left as it was
    message = refused("combine", *firsts, "--trust", "locals.pub")
    assert "melton-1.json: the signature of jane (SHA256:" in message
    assert "does not match the file's content" in message


def test_a_signature_moved_from_another_file_does_not_match(signed):
    firsts, _ = signed
    doc = json.loads(Path("melton-1.json").read_text())
    doc["signature"] = json.loads(Path("blaby-1.json").read_text())["signature"]
    Path("melton-1.json").write_text(json.dumps(doc))
    assert "does not match" in refused("combine", *firsts, "--trust", "locals.pub")


def test_one_officers_file_passed_off_as_anothers_is_refused(signed):
    firsts, _ = signed
    doc = json.loads(Path("rutland-1.json").read_text())
    doc["signature"]["name"] = "jane"  # raj's key and signature, jane's name
    Path("rutland-1.json").write_text(json.dumps(doc))
    message = refused("combine", *firsts, "--trust", "locals.pub")
    assert "signed as 'jane' with the key of 'raj'" in message
    jane = json.loads(Path("blaby-1.json").read_text())["signature"]
    doc["signature"] = {**doc["signature"], "fingerprint": jane["fingerprint"]}
    Path("rutland-1.json").write_text(json.dumps(doc))  # jane's name and key, raj's signature
    assert "does not match" in refused("combine", *firsts, "--trust", "locals.pub")


def test_diff_checks_both_files_with_trust(signed):
    firsts, seconds = signed
    for out in ("a.json", "b.json"):
        assert run("combine", *firsts, *seconds, "-o", out, "--sign", "paro.key").exit_code == 0
    assert run("diff", "a.json", "b.json", "--trust", "paro.pub").exit_code == 0
    assert "not in locals.pub" in refused("diff", "a.json", "b.json", "--trust", "locals.pub")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--sign", "jane.pub", "-o", "r.json"], "not an svcount signing key"),
        (["--sign", "jane.key"], "--sign signs a JSON file, and this writes table"),
        (["--sign", "jane.key", "-o", "r.csv"], "--sign signs a JSON file, and this writes csv"),
    ],
)
def test_sign_is_refused_with_what_it_cannot_sign(signed, args, says):
    assert says in refused("tally", "blaby.csv", *args)


def test_trust_is_refused_for_ballots_and_for_a_malformed_keys_file(signed):
    assert "blaby.csv is a ballot file" in refused("declare", "blaby.csv", "--trust", "jane.pub")
    Path("bad.pub").write_text("# officers\n\nssh-ed25519 AAAA jane\n")
    message = refused("combine", "blaby-1.json", "--trust", "bad.pub")
    assert "bad.pub:3: not a public key line" in message
    Path("twice.pub").write_text(Path("jane.pub").read_text() * 2)
    assert "listed twice" in refused("combine", "blaby-1.json", "--trust", "twice.pub")
    key_as_name = Path("jane.pub").read_text().replace(" jane", " raj")
    Path("names.pub").write_text(key_as_name + Path("raj.pub").read_text())
    assert "the name 'raj' is listed twice" in refused(
        "combine", "blaby-1.json", "--trust", "names.pub"
    )


def test_a_whole_count_signed_is_declared_with_its_signer(signed):
    made = run("tally", "blaby.csv", "-o", "w.json", "--sign", "jane.key")
    assert made.exit_code == 0
    declared = run("declare", "w.json", "--trust", "jane.pub")
    assert declared.exit_code == 0 and "This result (w.json): signed by jane" in declared.stdout


def test_a_local_count_can_require_the_paros_signed_total(signed):
    firsts, _ = signed
    second = ("tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby")
    assert "total.json: not signed" in refused(*second, "--remaining-from", "total.json",
                                              "--trust", "paro.pub")  # fmt: skip
    made = run("combine", *firsts, "-o", "signed-total.json", "--sign", "paro.key")
    assert made.exit_code == 0
    checked = run(*second, "--remaining-from", "signed-total.json", "--trust", "paro.pub")
    assert checked.exit_code == 0, checked.stderr
    assert "not in jane.pub" in refused(
        *second, "--remaining-from", "signed-total.json", "--trust", "jane.pub"
    )
    assert "give --stage second" in refused("tally", "blaby.csv", "--trust", "paro.pub")


def test_key_new_never_follows_a_dangling_link_and_fails_in_one_line(tmp_path):
    (tmp_path / "jane.key").symlink_to(tmp_path / "elsewhere.key")
    assert "already exists" in refused("key", "new", "jane", "--dir", tmp_path)
    assert not (tmp_path / "elsewhere.key").exists()


@pytest.mark.parametrize("folder", ["/proc", "/proc/self"])
def test_key_new_in_a_folder_it_cannot_write_is_one_line(folder):
    assert "cannot write" in refused("key", "new", "jane", "--dir", folder)


def test_key_new_leaves_no_secret_half_when_the_public_half_cannot_be_written(
    tmp_path, monkeypatch
):
    import svcount.documents.writing as writing
    from svcount.errors import InputError

    def full(path, text):
        raise InputError("cannot write the output: No space left on device", file=str(path))

    monkeypatch.setattr(writing, "write_atomic", full)
    assert "No space left" in refused("key", "new", "jane", "--dir", tmp_path)
    assert list(tmp_path.iterdir()) == []


def _bound(pub, limits):
    return Path(pub).read_text().rstrip("\n") + "".join(f" | {limit}" for limit in limits) + "\n"


def test_a_key_signs_only_for_the_areas_the_trusted_keys_give_it(signed):
    """Melton's first count signed with the key of Blaby's officer is refused."""
    firsts, _ = signed
    Path("bound.pub").write_text(
        _bound("jane.pub", ["areas=Blaby, Melton"]) + _bound("raj.pub", ["areas=Rutland"])
    )
    assert run("combine", *firsts, "--trust", "bound.pub", "-o", "t.json").exit_code == 0
    Path("bound.pub").write_text(
        _bound("jane.pub", ["areas=Blaby"]) + _bound("raj.pub", ["areas=Rutland"])
    )
    message = refused("combine", *firsts, "--trust", "bound.pub")
    assert "melton-1.json: signed by jane" in message
    assert "signs for Blaby only, and this is a return for 'Melton'" in message
    Path("bound.pub").write_text(_bound("paro.pub", ["areas=Blaby"]))
    whole = (*firsts, *signed[1], "--trust", "locals.pub", "-o", "s.json", "--sign", "paro.key")
    assert run("combine", *whole).exit_code == 0
    assert "a file of no area" in refused("declare", "s.json", "--trust", "bound.pub")


@pytest.mark.parametrize("limit", ["areas=", "colour=red", "election=a | election=b", "areas"])
def test_a_limit_the_trusted_keys_cannot_read_is_one_line(signed, limit):
    Path("bad.pub").write_text(_bound("jane.pub", [limit]))
    assert "bad.pub:1" in refused("key", "show", "bad.pub")


def test_a_signed_return_is_bound_to_its_poll(signed):
    """--election is sealed and signed into each local file, the total and its second counts."""
    poll = "pcc.leicestershire.2016-05-05"
    for area, officer in AREAS.items():
        made = run(
            "tally", f"{area.lower()}.csv", "-c", "candidates.txt", "--stage", "first",
            "--area", area, "--election", poll, "-o", f"e-{area}.json", "--sign", f"{officer}.key",
        )  # fmt: skip
        assert made.exit_code == 0, made.stderr
    files = [f"e-{area}.json" for area in AREAS]
    Path("polls.pub").write_text(
        _bound("jane.pub", [f"election={poll}"]) + _bound("raj.pub", [f"election={poll}"])
    )
    made = run("combine", *files, "--trust", "polls.pub", "--election", poll, "-o", "et.json")
    assert made.exit_code == 0, made.stderr
    assert json.loads(Path("et.json").read_text())["election"] == poll
    other = run("combine", *files, "--election", "pcc.leicestershire.2021-05-06")
    assert other.exit_code == 2 and "names the poll" in other.stderr
    mixed = refused("combine", files[0], "melton-1.json", files[2])  # one of no named poll
    assert "another poll" in mixed
    assert "this file is for no named poll" in refused(
        "combine", *signed[0], "--trust", "polls.pub"
    )
    second = run(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "et.json", "-o", "e2.json",
    )  # fmt: skip
    assert second.exit_code == 0 and json.loads(Path("e2.json").read_text())["election"] == poll
    assert "the total et.json is for" in refused(
        "tally", "blaby.csv", "-c", "candidates.txt", "--stage", "second", "--area", "Blaby",
        "--remaining-from", "et.json", "--election", "other", "-o", "e3.json",
    )  # fmt: skip


def test_a_key_name_with_a_bar_is_refused_as_its_public_line_could_not_carry_it(tmp_path):
    """Issue 36: '|' carries areas= and election= on a .pub line: never in a name."""
    from helpers import refused

    assert "holds '|'" in refused("key", "new", "Mal | areas=Blaby", "--dir", tmp_path)


def test_a_fingerprint_is_hex_in_groups_and_an_earlier_one_still_checks(signed):
    """Read aloud a group of four at a time; a return signed when fingerprints were base64
    (OpenSSH's form) is still found among the trusted keys and checked."""
    import base64
    import re

    firsts, _ = signed
    jane = run("key", "show", "jane.pub").stdout.rsplit("  ", 1)[0]
    assert re.fullmatch(r"SHA256:[0-9a-f]{4}( [0-9a-f]{4}){15}", jane)
    doc = json.loads(Path(firsts[0]).read_text())
    raw = bytes.fromhex(jane.removeprefix("SHA256:").replace(" ", ""))
    doc["signature"]["fingerprint"] = "SHA256:" + base64.b64encode(raw).decode().rstrip("=")
    Path("earlier.json").write_text(json.dumps(doc))
    read = run("combine", "earlier.json", "--trust", "locals.pub", "-f", "json")
    assert read.exit_code == 0, read.stderr
