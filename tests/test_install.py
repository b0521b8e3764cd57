"""What a fresh install needs: tally and declare load no cryptography and no solver."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from helpers import ROOT

_BLOCKED = textwrap.dedent(
    """
    import sys
    sys.modules["cryptography"] = None  # any import of it now raises ImportError
    from typer.testing import CliRunner
    from svcount.cli import app
    shown = CliRunner().invoke(app, sys.argv[1:])
    assert shown.exit_code == 0, shown.output
    loaded = sorted(m for m in ("cryptography", "highspy", "scipy") if sys.modules.get(m))
    print(",".join(loaded) or "none")
    """
)


def _loaded(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _BLOCKED, *args], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_tally_runs_without_cryptography_and_loads_no_solver():
    assert _loaded("tally", "examples/quickstart/ballots.csv", "-f", "json") == "none"


def test_the_margin_loads_highspy_and_never_scipy():
    assert _loaded("margin", "examples/quickstart/ballots.csv", "-f", "json") == "highspy"


_HEAVY = ("pandas", "polars", "duckdb", "pyarrow")


def _engines_loaded(*args: str) -> str:
    """Which reading engines a whole run of the console command imports (``-X importtime``
    lists every module imported: the command leaves with ``os._exit``, so nothing can be
    asked after it)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "svcount", *args],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return ",".join(m for m in _HEAVY if m in imported) or "none"


def test_the_import_list_sees_an_engine_when_one_loads():
    """The check above can fail: a count of a file over 1 MB imports polars."""
    assert _engines_loaded("tally", "examples/llr-2016/ballots.csv.gz", "-q") == "polars"


def test_help_version_usage_errors_and_the_sample_load_no_engine(tmp_path):
    """Issue 38: what answers at once never pays for pandas or polars."""
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("batch,papers\nB1,100\nB2,250\n")
    for args in (
        ["--help"],
        ["--version"],
        ["tally", "--help"],
        ["rla", "sample", "--help"],
        ["tally", "examples/quickstart/ballots.csv", "--method", "svv"],
        ["tally", "examples/quickstart/ballots.csv", "--no-such-option"],
        ["tally"],
        ["rla", "sample", str(manifest), "--seed", "12345678901234567890", "--size", "5"],
    ):
        assert _engines_loaded(*args) == "none", args


def test_the_installed_metadata_has_the_version_svcount_reports():
    from importlib.metadata import version

    import svcount
    from svcount.version import VERSION

    assert version("svcount") == svcount.__version__ == VERSION


#: A user's environment: standard output buffered (this machine sets PYTHONUNBUFFERED).
BUFFERED = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def test_the_command_leaves_at_once_with_every_byte_written(tmp_path):
    """The console command ends with os._exit once its streams are flushed: megabytes on
    standard output (far past a pipe's buffer), and a file and its audit trail, arrive whole,
    as the library writes them."""
    from typer.testing import CliRunner

    from svcount.cli import app

    figures = str(ROOT / "examples/llr-2016/figures.json")
    synthesised = subprocess.run(
        [sys.executable, "-m", "svcount", "synth", figures],
        cwd=tmp_path, capture_output=True, check=True, env=BUFFERED,
    )  # fmt: skip
    shown = CliRunner().invoke(app, ["synth", figures])
    assert len(synthesised.stdout) > 1_000_000 and synthesised.stdout.decode() == shown.stdout
    ballots = str(ROOT / "examples/llr-2016/ballots.csv.gz")
    written = subprocess.run(
        [sys.executable, "-m", "svcount", "tally", ballots, "-q", "-o", "result.json",
         "--audit", "audit.csv"],
        cwd=tmp_path, capture_output=True, text=True, env=BUFFERED,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    lines = (tmp_path / "audit.csv").read_text().splitlines()
    assert len(lines) == 155_661 + 1  # every paper, and the header
    assert '"ballot_papers": 155661' in (tmp_path / "result.json").read_text()


def test_leaving_flushes_what_is_still_buffered_and_keeps_the_exit_code(tmp_path):
    """As the console script (a file named svcount), the command leaves with os._exit."""
    script = tmp_path / "svcount"
    for code, expected in (("0", 0), ("3", 3), ("None", 0), ("'x'", 1)):
        script.write_text(
            "import sys\nfrom svcount.__main__ import _leave\n"
            f"sys.stdout.write('held')\n_leave({code})\nprint('never')\n"
        )
        argv = [sys.executable, str(script)]
        done = subprocess.run(argv, capture_output=True, text=True, env=BUFFERED)
        assert (done.stdout, done.returncode) == ("held", expected), code


def test_a_program_that_runs_the_command_goes_on_afterwards():
    """runpy.run_module in a script, as a test or a wrapper does: SystemExit, as ever."""
    script = (
        "import runpy, sys\n"
        "sys.argv = ['svcount', '--version']\n"
        "try:\n"
        "    runpy.run_module('svcount', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    print('went on', done.code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "went on 0", done.stderr
