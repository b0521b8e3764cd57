"""``svcount rla``: a risk-limiting audit's three steps, ``plan``, ``sample`` and ``assess``."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from svcount.errors import UsageError
from svcount.shell.emit import Commands, Outputs, choose_format, fail, say
from svcount.shell.params import (
    BallotsArg,
    ChecksumsOpt,
    ColorOpt,
    OutputOpt,
    QuietOpt,
    counting,
    format_option,
)
from svcount.shell.values import choices, decimal, whole

__all__ = ["rla_app"]

rla_app = typer.Typer(
    cls=Commands,
    help="Risk-limiting audits: plan the assertions, draw the sample as Arlo draws it, assess.",
    no_args_is_help=True,
)

ASSESSMENT_SCHEMA = "svcount-rla-assessment/1"
#: assess's exit codes: the audit may stop, the sample must grow, a full hand count.
EXIT_STOP, EXIT_GROW, EXIT_HAND_COUNT = 0, 4, 5


class PlanFormat(enum.StrEnum):
    table = "table"
    json = "json"


_VerifiedOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="STATEMENT",
        help="The verification statement (svcount verification -f json): the papers audited "
        "must be the papers verified, every one.",
    ),
]


_CvrsOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE",
        help="Commit these records for a comparison audit: a ballot file (any format) whose "
        "k-th paper is the manifest's k-th, counting to SOURCE's papers.",
    ),
]
_PacketsOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="MANIFEST",
        help="Commit the count's sealed packets for a comparison audit: CSV of packet, papers, "
        "first (candidate or heading) and transferred_to, adding up to the count.",
    ),
]


@rla_app.command("plan")
@counting
def plan_command(
    source: BallotsArg,
    risk_limit: Annotated[
        float,
        typer.Option(
            parser=decimal(0.0001, 0.5), metavar="ALPHA", help="The risk limit α [default: 0.05]."
        ),
    ] = 0.05,
    format: Annotated[
        PlanFormat | None,
        format_option(PlanFormat, "table or json [default: from -o, else table]."),
    ] = None,
    output: OutputOpt = None,
    options: Any = None,
    verification: _VerifiedOpt = None,
    cvrs: _CvrsOpt = None,
    packets: _PacketsOpt = None,
    color: ColorOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The assertions that imply the reported winner, and the papers an audit needs.

    Counts SOURCE with every option of tally. Each assertion has its margin in
    votes and diluted (÷ ballot papers); the sizes are Super-simple's for a
    comparison audit and BRAVO's average for ballot polling, at the closest
    assertion. A comparison audit's records are committed here, before the seed
    is rolled: --cvrs FILE, or --packets MANIFEST (the count's own plain
    assertions, which the packets' labels record; the sample is drawn from the
    packet manifest). SOURCE may be a result file (.json): planned from its figures,
    with the plain assertions. Exit codes: 0 planned, 2 bad input, 3 a lot is required.
    """
    from svcount import pipeline, tasks
    from svcount.shell.results import listener, options_from

    counted_options = options_from(options)
    fmt = choose_format(format, output, PlanFormat, "table")
    outputs = Outputs(checksums, color)
    outputs.guard([("--output", output), ("--checksums", checksums)], source, cvrs, packets)
    if pipeline.is_result_file(source):
        _plan_of_result(source, risk_limit, fmt, outputs, output, cvrs, packets, quiet)
        return
    counted = pipeline.tally(source, counted_options, listen=listener(quiet, False))
    if counted.result.winner is None:
        tied = ", ".join(counted.result.lot_required)
        fail(f"no plan yet: a lot is required between {tied} (give --lot NAME or --seed N)", 3)
    if verification is not None:
        tasks.papers_verified(counted.result.ballot_papers, str(verification), "the count")
    planned = tasks.rla_plan(counted, risk_limit, _path(cvrs), _path(packets))
    if fmt is PlanFormat.json:
        assert counted.ballots is not None  # rla_plan refuses a count without its papers
        document = tasks.plan_document(planned, counted.ballots, counted.provenance.input_record())
        outputs.emit(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output)
    else:
        outputs.emit_rich(_plan_tables, (planned,), output)


def _plan_of_result(
    source: str, risk_limit: float, fmt: Any, outputs: Outputs, output: Path | None,
    cvrs: Path | None, packets: Path | None, quiet: bool,
) -> None:  # fmt: skip
    """A result file's plan: the plain assertions its figures give."""
    from svcount import tasks

    if cvrs is not None:
        fail(f"--cvrs: {source} is a result file; CVRs are compared with a count of papers")
    planned, ballots, record = tasks.rla_plan_of_result(source, risk_limit, _path(packets))
    say(
        f"{source}: a result file, planned from its figures with the count's plain assertions "
        "(from its ballot papers, a closer set may need fewer papers)",
        quiet,
    )
    if fmt is PlanFormat.json:
        document = tasks.plan_document(planned, ballots, record)
        outputs.emit(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output)
    else:
        outputs.emit_rich(_plan_tables, (planned,), output)


def _said(a: Any) -> str:
    """An assertion in words."""
    if a.kind == "SUPERMAJORITY":
        return f"{a.winner} has more than half of the valid first preferences"
    if a.kind == "PLURALITY" or not a.eliminated:
        return f"{a.winner} has more first preferences than {a.loser}"
    return f"{a.winner} beats {a.loser} with {', '.join(a.eliminated)} excluded"


def _plan_tables(planned: Any, *, plain: bool) -> list[Any]:
    from svcount.render import blocks
    from svcount.render.blocks import Grid, Note

    rows = tuple(
        (_said(a), f"{a.margin:,}", f"{a.diluted:.4f}")
        for a in sorted(planned.assertions, key=lambda a: a.diluted)
    )
    grid = Grid("Assertions, closest first", ("Assertion", "Margin", "Diluted"), rows)
    if planned.comparison is None:
        sizes = "A margin of 0: only a full hand count confirms this result."
    else:
        alpha = planned.alpha
        sizes = (
            f"At a risk limit of {planned.risk_limit:g}, papers to draw: a comparison audit "
            f"{planned.comparison:,} if it finds no discrepancy, "
            f"{planned.comparison_with_errors:,} with the usual rate of errors (Super-simple); "
            f"a ballot-polling audit {round(alpha.average):,} on average, "
            f"{alpha.percentile_90:,} in 9 audits of 10 (ALPHA; BRAVO's average "
            f"{round(planned.polling or 0):,})."
        )
    notes = [Note(sizes)]
    if planned.alpha is not None:
        offered = [
            f"{kind} " + ", ".join(f"{n:,} ({c} %)" for c, n in chances)
            for kind, chances in (
                ("comparison", planned.comparison_by_chance),
                ("ballot polling", planned.alpha.by_chance),
            )
        ]
        notes.append(
            Note(
                "A first round's size with its chance of stopping (simulated, expected error "
                f"rates for comparison): {'; '.join(offered)}."
            )
        )
    if planned.plain:
        notes.append(
            Note("These are the count's own plain assertions, which packet labels record.")
        )
    if planned.committed is not None:
        c = planned.committed
        notes.append(
            Note(
                f"Records committed ({c.kind}): {c.file}, {c.papers:,} papers, SHA-256 "
                f"{c.sha256}. The comparison audit compares with these, and no others"
                + (": draw the sample from this packet manifest." if c.kind == "packets" else ".")
            )
        )
    return blocks.rich([grid, *notes], plain=plain)


class SampleFormat(enum.StrEnum):
    csv = "csv"
    json = "json"


class Order(enum.StrEnum):
    draw = "draw"
    box = "box"


_SortOpt = Annotated[
    Order,
    typer.Option(
        **choices(Order),
        help="The list's order: draw (ticket order), or box (box, position, draw: each box "
        "opened once).",
    ),
]
_BoardsOpt = Annotated[
    int,
    typer.Option(
        parser=whole(1, 100), metavar="N", help="Audit boards to split the list among, by boxes."
    ),
]
_SheetsOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="FOLDER",
        help="Also write each board's printable sheet and readings template into FOLDER.",
    ),
]


_JurisdictionOpt = Annotated[
    str | None,
    typer.Option(
        metavar="NAME",
        help="Key each paper as Arlo's server does: (jurisdiction NAME, tabulator, batch).",
    ),
]


_SizeOpt = Annotated[
    int, typer.Option(parser=whole(0), metavar="N", help="How many draws to make.")
]
_AlreadyOpt = Annotated[
    int,
    typer.Option(
        parser=whole(0),
        metavar="N",
        help="Draws made in earlier rounds: this round goes on after them.",
    ),
]


@rla_app.command("sample")
def sample_command(
    manifest: Annotated[
        Path,
        typer.Argument(help="Ballot manifest: CSV with a batch column and its papers column."),
    ],
    seed: Annotated[
        str,
        typer.Option(help="The public seed, rolled in public (20 digits from ten-sided dice)."),
    ],
    size: _SizeOpt,
    already: _AlreadyOpt = 0,
    verification: _VerifiedOpt = None,
    jurisdiction: _JurisdictionOpt = None,
    sort: _SortOpt = Order.draw,
    boards: _BoardsOpt = 1,
    sheets: _SheetsOpt = None,
    format: Annotated[
        SampleFormat | None,
        format_option(SampleFormat, "csv or json [default: from -o, else csv]."),
    ] = None,
    output: OutputOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The papers to retrieve, (batch, position from 1), in draw order with their tickets.

    The same seed and manifest give the same list as VotingWorks' Arlo, ticket
    for ticket (SHA-256 consistent sampling, with replacement): a paper drawn
    twice is listed twice, its draw number 2. With --boards N the list is split among N
    audit boards by whole boxes; --sheets FOLDER writes each board a printable sheet
    (board-N.html) and its readings template (readings-board-N.csv). Exit codes: 0 drawn,
    2 bad input.
    """
    from svcount import tasks

    fmt = choose_format(format, output, SampleFormat, "csv")
    outputs = Outputs(checksums)
    sheet_files = _sheet_files(sheets, boards)
    outputs.guard([("--output", output), ("--checksums", checksums), *sheet_files], manifest)
    batches, draws = tasks.rla_sample(
        str(manifest), seed, size, already, _path(verification), jurisdiction
    )
    rows = tasks.rla_retrieval(draws, batches, boards, sort is Order.box)
    if sheet_files:  # a sheet is always box by box
        about = f"Seed {seed}; manifest {manifest}; draws {already + 1:,} to {already + size:,}"
        by_box = rows if sort is Order.box else tasks.rla_retrieval(draws, batches, boards, True)
        _emit_sheets(outputs, by_box, boards, about, sheet_files)
    if fmt is SampleFormat.json:
        document = tasks.sample_document(str(manifest), batches, seed, already, draws, jurisdiction)
        outputs.emit(json.dumps(document, indent=2, ensure_ascii=False) + "\n", output)
    else:
        outputs.emit(_sample_list(rows, boards), output)
    twice = sum(1 for d in draws if d.draw > 1)
    say(f"{len(draws):,} draws from {sum(batches.values()):,} papers ({twice:,} repeats)", quiet)


def _sample_list(rows: list[Any], boards: int) -> str:
    """The list to retrieve as CSV: ticket, batch, position, draw (and board, when several)."""
    from svcount.documents.writing import csv_line

    head = ["ticket", "batch", "position", "draw", *(["board"] if boards > 1 else [])]
    lines = [csv_line(head)]
    for r in rows:
        d = r.draw
        cells = [d.ticket, d.batch, str(d.position), str(d.draw)]
        lines.append(csv_line(cells + ([str(r.board)] if boards > 1 else [])))
    return "".join(lines)


def _sheet_files(folder: Path | None, boards: int) -> list[tuple[str, Path | None]]:
    """Each board's sheet and readings template, as outputs to guard."""
    if folder is None:
        return []
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--sheets {folder}: not a folder")
    return [
        ("--sheets", folder / name)
        for n in range(1, boards + 1)
        for name in (f"board-{n}.html", f"readings-board-{n}.csv")
    ]


def _emit_sheets(
    outputs: Outputs, rows: list[Any], boards: int, about: str, files: list[Any]
) -> None:
    from svcount.render.sheets import readings_template, retrieval_sheet

    files[0][1].parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, boards + 1):
        mine = [r for r in rows if r.board == n]
        sheet, template = files[2 * n - 2][1], files[2 * n - 1][1]
        outputs.emit(retrieval_sheet(n, boards, mine, about), sheet, last=False)
        outputs.emit(readings_template(mine), template, last=False)


def _path(given: Path | None) -> str | None:
    return None if given is None else str(given)


_ManifestOpt = Annotated[
    Path | None,
    typer.Option(
        help="The ballot manifest the sample was drawn from [default: the one the sample's "
        "JSON names]; needed, with --seed, to check a sample's CSV list."
    ),
]
_SeedOpt = Annotated[str | None, typer.Option(help="The public seed [default: the sample's].")]


_PlansLimitOpt = Annotated[
    float | None,
    typer.Option(
        parser=decimal(0.0001, 0.5), metavar="ALPHA", help="The risk limit α [default: the plan's]."
    ),
]


@rla_app.command("assess")
def assess_command(
    plan_file: Annotated[
        Path, typer.Argument(metavar="PLAN", help="The plan: rla plan --format json.")
    ],
    sample_file: Annotated[
        Path, typer.Argument(metavar="SAMPLE", help="The sample so far: rla sample's JSON.")
    ],
    readings: Annotated[
        Path,
        typer.Argument(
            help="The audit board's readings: the ballot file's format, with batch and position."
        ),
    ],
    recorded: Annotated[
        Path | None,
        typer.Option(
            help="The recorded votes of the sampled papers, in the readings' format: a "
            "comparison audit (without it, ballot polling)."
        ),
    ] = None,
    risk_limit: _PlansLimitOpt = None,
    manifest: _ManifestOpt = None,
    seed: _SeedOpt = None,
    format: Annotated[
        PlanFormat | None,
        format_option(PlanFormat, "table or json [default: from -o, else table]."),
    ] = None,
    output: OutputOpt = None,
    color: ColorOpt = None,
    checksums: ChecksumsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The risk each assertion is measured to from the papers read, and the verdict.

    Ballot polling measures with ALPHA; with --recorded, each reading is
    compared with its paper's recorded votes (Super-simple). Exit codes: 0 the
    audit may stop, 4 the sample must grow (by the draws said), 5 only a full
    hand count can confirm the result, 2 bad input.
    """
    fmt = choose_format(format, output, PlanFormat, "table")
    outputs = Outputs(checksums, color)
    given = {"plan": plan_file, "sample": sample_file, "readings": readings, "recorded": recorded}
    outputs.guard([("--output", output), ("--checksums", checksums)], *given.values())
    from svcount import tasks

    found = tasks.rla_assess(
        str(plan_file), str(sample_file), str(readings), _path(recorded), risk_limit,
        _path(manifest), seed,
    )  # fmt: skip
    if fmt is PlanFormat.json:
        outputs.emit(_assessment_json(found, given), output)
    else:
        outputs.emit_rich(_assessment_tables, (found,), output)
    if found.unread:
        say(f"{len(found.unread):,} papers read were never drawn: left out of the measure", quiet)
    codes = {"stop": EXIT_STOP, "grow": EXIT_GROW, "hand count": EXIT_HAND_COUNT}
    raise typer.Exit(codes[found.verdict])


def _assessment_json(found: Any, given: dict[str, Path | None]) -> str:
    """The assessment, sealed like every audit document (its digest over its content)."""
    from svcount.documents.seal import seal
    from svcount.pipeline import input_files

    document = {
        "schema": ASSESSMENT_SCHEMA,
        "input": input_files(**{k: None if p is None else str(p) for k, p in given.items()}),
        "audit": found.audit,
        "draws": found.draws,
        "risk_limit": found.risk_limit,
        "verdict": found.verdict,
        "more_draws": found.more,
        "more_draws_by_chance": {str(c): n for c, n in found.more_by_chance} or None,
        "assertions": [
            {
                "assertion_type": m.assertion.kind,
                "winner": m.assertion.winner,
                "loser": m.assertion.loser,
                "already_eliminated": list(m.assertion.eliminated),
                "diluted_margin": round(m.assertion.diluted, 6),
                "risk": round(m.risk, 6),
                "seen": dict(m.seen),
            }
            for m in found.measured
        ],
    }
    return json.dumps(seal(document), indent=2, ensure_ascii=False) + "\n"


def _assessment_tables(found: Any, *, plain: bool) -> list[Any]:
    from svcount.render import blocks
    from svcount.render.blocks import Grid, Note

    rows = tuple(
        (
            _said(m.assertion),
            ", ".join(f"{k} {v:,}" for k, v in m.seen.items()),
            f"{m.risk:.4f}",
            "confirmed" if m.risk <= found.risk_limit else "not yet",
        )
        for m in sorted(found.measured, key=lambda m: -m.risk)
    )
    title = f"Risk measured from {found.draws:,} draws ({found.audit}), highest first"
    grid = Grid(title, ("Assertion", "Seen", "Risk", f"At {found.risk_limit:g}"), rows)
    if found.verdict == "stop":
        said = "The audit may stop: every assertion is confirmed at the risk limit."
    elif found.verdict == "grow":
        said = (
            f"The sample must grow: draw about {found.more:,} more papers (rla sample "
            f"MANIFEST --seed SEED --already {found.draws} --size {found.more} lists them), "
            f"then assess the whole sample (--size {found.draws + found.more})."
        )
        if found.more_by_chance:
            said += (
                " With their chance of stopping then: "
                + ", ".join(f"{n:,} more ({c} %)" for c, n in found.more_by_chance)
                + "."
            )
    else:
        said = "Only a full hand count can confirm this result."
    notes = [Note(said)]
    if found.audit == "comparison":
        notes.append(
            Note(
                "o1, o2: papers whose reading gives the reported winner one or two votes fewer "
                "than their record (overstatements; a paper not found is an o2); u1, u2: one "
                "or two votes more (understatements)."
            )
        )
    return blocks.rich([grid, *notes], plain=plain)
