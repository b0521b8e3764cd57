"""What svcount writes: never onto an input, a closed pipe, the format from the extension."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import (
    EXAMPLES,
    FIRSTS,
    refused,
    run,
)

# ----------------------------------------------------------------- outputs never onto inputs


@pytest.mark.parametrize("how", ["same", "dot-slash", "symlink", "hard-link"])
def test_no_output_overwrites_the_ballot_file(tmp_path, how):
    ballots = tmp_path / "ballots.csv"
    ballots.write_text("first,second\nAnn,Bob\nBob,\n")
    before = ballots.read_bytes()
    target = {"same": str(ballots), "dot-slash": str(tmp_path / "." / "ballots.csv")}.get(how)
    if how == "symlink":
        target = str(tmp_path / "link.csv")
        os.symlink(ballots, target)
    if how == "hard-link":
        target = str(tmp_path / "hard.csv")
        os.link(ballots, target)
    message = refused("tally", ballots, "-o", target)
    assert "is the input file" in message and "choose another output" in message
    assert ballots.read_bytes() == before


def test_no_output_overwrites_any_input_of_any_command(tmp_path):
    quick = EXAMPLES / "quickstart"
    for name in ("ballots.csv", "candidates.csv"):
        shutil.copy(quick / name, tmp_path / name)
    ballots, candidates = tmp_path / "ballots.csv", tmp_path / "candidates.csv"
    before = candidates.read_bytes()
    assert "is the input file" in refused("tally", ballots, "-c", candidates, "-o", candidates)
    expected = tmp_path / "expected.json"
    expected.write_text('{"figures": {"winner": "Bob Baker"}}')
    assert "is the input file" in refused("verify", ballots, expected, "-o", expected)
    figures = tmp_path / "figures.json"
    shutil.copy(EXAMPLES / "llr-2012" / "figures.json", figures)
    assert "is the input file" in refused("synth", figures, "-o", figures)
    out = tmp_path / "out.csv"
    message = refused("synth", figures, "-o", out, "--areas-output", out)
    assert "is the output of --output" in message and not out.exists()
    assert candidates.read_bytes() == before


def test_combine_never_writes_onto_a_local_file(staged):
    before = Path("blaby-1.json").read_bytes()
    assert "is the input file" in refused("combine", *FIRSTS, "-o", "blaby-1.json")
    assert Path("blaby-1.json").read_bytes() == before


# ----------------------------------------------------------------- a closed pipe


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_closed_pipe_exits_141_quietly_in_every_format(fmt):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    process = subprocess.Popen(
        [sys.executable, "-m", "svcount", "tally", ballots, "-f", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the reader is gone before anything is written
    with process.stderr:
        stderr = process.stderr.read()
    assert process.wait() == 141
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr


# ----------------------------------------------------------------- format from the extension


def test_the_output_extension_chooses_the_format(tmp_path):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    assert run("tally", ballots, "-o", tmp_path / "r.json").exit_code == 0
    assert json.loads((tmp_path / "r.json").read_text())["schema"] == "svcount-result/1"
    assert run("tally", ballots, "-o", tmp_path / "r.csv").exit_code == 0
    assert (tmp_path / "r.csv").read_text().startswith("stage,candidate")
    assert run("tally", ballots, "-o", tmp_path / "r.txt").exit_code == 0
    assert "Statement of rejected ballot papers" in (tmp_path / "r.txt").read_text()


def test_an_explicit_format_wins_over_the_extension_with_a_warning(tmp_path):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    result = run("tally", ballots, "-f", "csv", "-o", tmp_path / "r.json")
    assert result.exit_code == 0
    assert "warning: --format csv written to" in result.stderr
    assert (tmp_path / "r.json").read_text().startswith("stage,candidate")


# ----------------------------------------------------------------- where outputs land


def test_a_device_is_written_through_never_replaced(tmp_path):
    import os
    import stat

    shown = run(
        "tally", str(EXAMPLES / "quickstart" / "ballots.csv"), "-f", "json", "-o", os.devnull
    )
    assert shown.exit_code == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_directory_is_refused_and_a_symlink_is_followed(tmp_path):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    (tmp_path / "folder").mkdir()
    assert "is a directory" in refused("tally", ballots, "-o", str(tmp_path / "folder"))
    target = tmp_path / "r.json"
    target.write_text("old")
    (tmp_path / "link.json").symlink_to(target)
    assert run("tally", ballots, "-o", str(tmp_path / "link.json")).exit_code == 0
    assert (tmp_path / "link.json").is_symlink() and target.read_text().startswith("{")


def test_checksums_replace_the_line_of_a_rewritten_file(tmp_path):
    import subprocess

    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    sums, out = tmp_path / "SUMS", tmp_path / "r.json"
    for extra in ((), ("--electorate", "200")):
        assert (
            run("tally", ballots, *extra, "-o", str(out), "--checksums", str(sums)).exit_code == 0
        )
    lines = sums.read_text().splitlines()
    assert len(lines) == 1
    checked = subprocess.run(["sha256sum", "-c", str(sums)], cwd=tmp_path, capture_output=True)
    assert checked.returncode == 0


# ----------------------------------------------------------------- one run lands all or none


def _three_outputs(tmp_path):
    """A tally writing the audit, the result and the checksums over older files."""
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    paths = {name: tmp_path / name for name in ("audit.csv", "r.json", "SUMS")}
    for name, path in paths.items():
        path.write_text(f"old {name}\n")
    args = ["tally", ballots, "--audit", paths["audit.csv"], "-o", paths["r.json"]]
    return [*map(str, args), "--checksums", str(paths["SUMS"])], paths


def _as_before(paths):
    return all(path.read_text() == f"old {name}\n" for name, path in paths.items())


def _leftovers(tmp_path):
    return sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp"))


def _svcount(args, monkeypatch):
    """The command as the console script runs it: its exit code."""
    import sys

    from svcount.cli import app
    from svcount.shell.run import run as run_app

    monkeypatch.setattr(sys, "argv", ["svcount", *args])
    with pytest.raises(SystemExit) as ended:
        run_app(app)
    return ended.value.code


def test_ctrl_c_after_the_audit_is_written_leaves_every_output_as_it_was(tmp_path, monkeypatch):
    import svcount.cli

    args, paths = _three_outputs(tmp_path)

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(svcount.cli, "render_result", interrupted)
    assert _svcount(args, monkeypatch) == 130
    assert _as_before(paths) and _leftovers(tmp_path) == []


@pytest.mark.parametrize("failing", range(4))
def test_a_full_disk_at_any_write_or_rename_leaves_every_output_as_it_was(
    tmp_path, monkeypatch, failing
):
    """The run's three files: each fsync, then each rename (bar the first), fails in turn."""
    import errno
    import os

    args, paths = _three_outputs(tmp_path)
    calls = {"fsync": 0, "replace": 0}
    real = {"fsync": os.fsync, "replace": os.replace}

    def failing_at(name, nth):
        def call(*a):
            calls[name] += 1
            if calls[name] == nth:
                raise OSError(errno.ENOSPC, "No space left on device", str(a[-1]))
            return real[name](*a)

        return call

    if failing < 3:
        monkeypatch.setattr(os, "fsync", failing_at("fsync", failing + 1))
    else:
        monkeypatch.setattr(os, "replace", failing_at("replace", 3))  # the last of three
    assert _svcount(args, monkeypatch) == 2
    assert _as_before(paths) and _leftovers(tmp_path) == []


def test_a_run_that_succeeds_lands_all_three_together(tmp_path, monkeypatch):
    args, paths = _three_outputs(tmp_path)
    assert _svcount(args, monkeypatch) == 0
    assert paths["r.json"].read_text().startswith("{")
    assert paths["audit.csv"].read_text().startswith("line,")
    assert len(paths["SUMS"].read_text().splitlines()) == 3  # the old line, audit, result
    assert _leftovers(tmp_path) == []


def test_stdin_is_never_an_output_when_it_is_the_input(tmp_path):
    ballots = (EXAMPLES / "quickstart" / "ballots.csv").read_text()
    result = run("tally", "-", "-o", "/dev/stdin", input=ballots)
    assert result.exit_code == 2
    assert "standard input" in result.stderr


def test_dev_stdout_into_a_pipe_is_written_through(tmp_path):
    ballots = str(EXAMPLES / "quickstart" / "ballots.csv")
    done = subprocess.run(
        [sys.executable, "-m", "svcount", "tally", ballots, "-f", "json", "-o", "/dev/stdout"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["winner"]


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_signal_while_the_outputs_land_ends_the_run_as_done(tmp_path, monkeypatch, signal_name):
    """Once the renames have begun they finish: the exit code says the work was done (0)."""
    import os
    import signal

    args, paths = _three_outputs(tmp_path)
    real = os.replace
    sent = []

    def replace(*a):
        if not sent:  # the signal arrives during the first rename
            sent.append(os.kill(os.getpid(), getattr(signal, signal_name)))
        return real(*a)

    monkeypatch.setattr(os, "replace", replace)
    assert _svcount(args, monkeypatch) == 0
    assert not any(paths[name].read_text().startswith("old ") for name in ("audit.csv", "r.json"))
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_an_output_that_becomes_the_ballot_file_while_counting_is_refused(
    tmp_path, monkeypatch, link
):
    """-o out.json made a link to the ballots during the count: checked again at landing."""
    import os
    import shutil

    import svcount.cli

    ballots = tmp_path / "ballots.csv"
    shutil.copy(EXAMPLES / "quickstart" / "ballots.csv", ballots)
    before = ballots.read_bytes()
    out = tmp_path / "out.json"
    real = svcount.cli.render_result

    def linked_then_render(*a, **k):
        (os.symlink if link == "symlink" else os.link)(ballots, out)
        return real(*a, **k)

    monkeypatch.setattr(svcount.cli, "render_result", linked_then_render)
    assert _svcount(["tally", str(ballots), "-o", str(out), "-f", "json"], monkeypatch) == 2
    assert ballots.read_bytes() == before and _leftovers(tmp_path) == []
