"""--checksums: a sha256sum line for every file written; every input's SHA-256 in the JSON."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import BY_AREA, EXAMPLES, run

QUICK = EXAMPLES / "quickstart"


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_file_written_gets_a_sha256sum_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("tally", QUICK / "ballots.csv", "-o", "r.json", "--checksums", "sums").exit_code == 0
    assert run("declare", "r.json", "-o", "d.md", "--checksums", "sums").exit_code == 0
    assert run("diff", "r.json", "r.json", "-o", "diff.json", "--checksums", "sums").exit_code == 0
    figures = EXAMPLES / "llr-2024-areas" / "figures.json"
    synth = run(
        "synth", figures, "-o", "b.csv.gz", "--areas-output", "a.csv", "--checksums", "sums"
    )
    assert synth.exit_code == 0
    lines = (tmp_path / "sums").read_text().splitlines()
    names = ["r.json", "d.md", "diff.json", "b.csv.gz", "a.csv"]
    assert lines == [f"{sha(tmp_path / n)}  {n}" for n in names]
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "sums"], capture_output=True, text=True)
        assert check.returncode == 0 and check.stdout.count(": OK") == 5


def test_nothing_is_listed_when_nothing_is_written_to_a_file(tmp_path):
    assert run("tally", QUICK / "ballots.csv", "--checksums", tmp_path / "sums").exit_code == 0
    assert not (tmp_path / "sums").exists()


def test_the_checksums_file_is_never_an_input_or_the_output(tmp_path):
    ballots = tmp_path / "b.csv"
    shutil.copy(QUICK / "ballots.csv", ballots)
    assert "is the input file" in run("tally", ballots, "--checksums", ballots).stderr
    result = run("tally", ballots, "-o", tmp_path / "x", "--checksums", tmp_path / "x")
    assert result.exit_code == 2 and "is the output of --output" in result.stderr


def test_a_lot_required_still_lists_the_file_written(tmp_path):
    ballots = tmp_path / "b.csv"
    ballots.write_text("vote\nAnn\nBob\n")
    result = run("tally", ballots, "-o", tmp_path / "r.json", "--checksums", tmp_path / "s")
    assert result.exit_code == 3
    assert (tmp_path / "s").read_text() == f"{sha(tmp_path / 'r.json')}  {tmp_path / 'r.json'}\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_an_unwritable_checksums_file_is_exit_2(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    result = run(
        "tally", QUICK / "ballots.csv", "-o", tmp_path / "r.json", "--checksums", locked / "s"
    )
    assert result.exit_code == 2 and "cannot write the checksums" in result.stderr


def test_the_result_carries_the_sha256_of_every_input(tmp_path):
    doc = json.loads(
        run(
            "tally", BY_AREA / "all.csv", "-c", BY_AREA / "candidates.txt",
            "--electorate-file", BY_AREA / "areas.csv", "-f", "json",
        ).stdout
    )  # fmt: skip
    assert doc["input"]["files"] == [
        {
            "role": "candidates",
            "file": str(BY_AREA / "candidates.txt"),
            "sha256": sha(BY_AREA / "candidates.txt"),
        },
        {
            "role": "electorate_file",
            "file": str(BY_AREA / "areas.csv"),
            "sha256": sha(BY_AREA / "areas.csv"),
        },
    ]


def test_combine_carries_each_local_file_and_the_areas_file(staged):
    firsts = ["blaby-1.json", "melton-1.json", "rutland-1.json"]
    seconds = ["blaby-2.json", "melton-2.json", "rutland-2.json"]
    doc = json.loads(run("combine", *firsts, *seconds, "--areas", "areas.csv", "-f", "json").stdout)
    assert [p["sha256"] for p in doc["input"]["local_counts"]] == [
        sha(Path(f)) for f in firsts + seconds
    ]
    assert doc["input"]["files"] == [
        {"role": "areas", "file": "areas.csv", "sha256": sha(Path("areas.csv"))}
    ]


def test_runs_sharing_a_checksums_file_never_lose_a_line(tmp_path):
    """Each run locks the checksums from reading them until its outputs land."""
    import sys

    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "svcount",
                "tally",
                str(QUICK / "ballots.csv"),
                "-o",
                f"r{i}.json",
                "--checksums",
                "SUMS",
                "-q",
            ],
            cwd=tmp_path,
        )  # fmt: skip
        for i in range(6)
    ]
    assert [r.wait(timeout=120) for r in runs] == [0] * 6
    lines = (tmp_path / "SUMS").read_text().splitlines()
    assert sorted(line.split("  ")[1] for line in lines) == [f"r{i}.json" for i in range(6)]


def test_checksums_to_a_pipe_are_written_not_read_back(tmp_path):
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "svcount", "tally", str(QUICK / "ballots.csv"), "-o", "r.json",
         "--checksums", "/dev/stdout", "-q"],
        cwd=tmp_path, capture_output=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stdout.decode() == f"{sha(tmp_path / 'r.json')}  r.json\n"


def test_an_output_written_through_a_device_is_not_listed(tmp_path, monkeypatch):
    """-o /dev/stdout has nothing on disk that sha256sum -c could check."""
    monkeypatch.chdir(tmp_path)
    args = ("--checksums", "SUMS", "--audit", "a.csv")
    shown = run("tally", QUICK / "ballots.csv", "-f", "json", "-o", "/dev/null", *args)
    assert shown.exit_code == 0, shown.output
    assert (tmp_path / "SUMS").read_text() == f"{sha(tmp_path / 'a.csv')}  a.csv\n"


def test_the_checksums_lock_is_no_executable(tmp_path):
    """Issue 36: the lock beside a checksums file is a plain file, mode 600, never 755."""
    import stat

    from helpers import ROOT, run

    sums = tmp_path / "SHA256SUMS"
    made = run("tally", str(ROOT / "examples" / "quickstart" / "ballots.csv"), "-f", "json",
               "-o", str(tmp_path / "r.json"), "--checksums", str(sums))  # fmt: skip
    assert made.exit_code == 0, made.output
    lock = tmp_path / ".SHA256SUMS.svcount.lock"
    assert lock.exists() and stat.S_IMODE(lock.stat().st_mode) & 0o111 == 0
