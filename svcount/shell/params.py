"""The command line's options, each declared once, and the decorator that shares them.

:func:`counting` gives a command every option of
:class:`~svcount.options.CountOptions` (reading the file, and the rules of the
count), in its own help panels, and hands the command one ``options`` mapping
of what was given; the command's own signature lists only its own options.
"""

from __future__ import annotations

import enum
import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from svcount.model import Method
from svcount.options import CountOptions
from svcount.render.formats import DECLARATION_FORMATS, PAPERS_FORMATS, RESULT_FORMATS
from svcount.shell.values import choices, decimal, whole

__all__ = [
    "DeclarationFormat",
    "ElectionOpt",
    "Format",
    "MarginFormat",
    "ReportFormat",
    "SkipRowsOpt",
    "Stage",
    "TimeLimitOpt",
    "counting",
]


#: A result's formats: the table, each of render/formats.py's (md is markdown, spelled as
#: its files are), and the papers themselves.
Format = enum.StrEnum(  # type: ignore[misc]
    "Format", {n: n for n in ("table", *RESULT_FORMATS, "md", *PAPERS_FORMATS)}
)


#: The declaration's formats, from render/formats.py's table (md is markdown).
DeclarationFormat = enum.StrEnum(  # type: ignore[misc]
    "DeclarationFormat", {n: n for n in (*DECLARATION_FORMATS, "md")}
)


#: Output file extensions that name a format other than themselves.
EXTENSIONS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".htm": "html"}


class ReportFormat(enum.StrEnum):
    table = "table"
    json = "json"


class MarginFormat(enum.StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    md = "md"


class Stage(enum.StrEnum):
    first = "first"
    second = "second"


READING_PANEL, COUNT_PANEL, LOCAL_PANEL, OUTPUT_PANEL = (
    "Reading the file",
    "The count",
    "Local counts (the staged count)",
    "Output",
)

# Options shared by tally and verify. Defaults of None mean "not given", so
# verify can take them from the expected file instead.
BallotsArg = Annotated[
    str, typer.Argument(help="Ballot file (.csv or .csv.gz), or - for standard input.")
]
SourceArg = Annotated[
    str,
    typer.Argument(
        help="Ballot file (.csv, .csv.gz, - for standard input), or a result file (.json) "
        "written by tally --format json or combine, to show in another format."
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (atomically) instead of stdout.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]


def format_option(kind: type[enum.Enum], help: str) -> Any:
    """The one ``--format``/``-f`` option: its choices (each command's own) forgiven alike."""
    return typer.Option(
        "--format",
        "-f",
        **choices(kind),
        help=help,
        rich_help_panel=OUTPUT_PANEL,
    )


FormatOpt = Annotated[
    Format | None,
    format_option(
        Format,
        "Output format, in any case; md is markdown [default: from the --output file's "
        "extension, else table].",
    ),
]
MethodOpt = Annotated[
    Method | None,
    typer.Option(
        "--method",
        "-m",
        **choices(Method),
        help="sv (default with a second-preference column) or fptp.",
        rich_help_panel=COUNT_PANEL,
    ),
]
CandidatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--candidates",
        "-c",
        help="Candidate list: one name per line, or a CSV with name (and party) columns. "
        "Without it, the candidates are the distinct valid first preferences.",
        rich_help_panel=COUNT_PANEL,
    ),
]


ElectorateOpt = Annotated[
    int | None,
    typer.Option(
        parser=whole(),
        metavar="N",
        help="Electorate, to report turnout (both conventions); 12,000 or 12000.",
        rich_help_panel=COUNT_PANEL,
    ),
]
LotOpt = Annotated[
    str | None,
    typer.Option(
        help="Enter the result of the returning officer's lot: the winner's name.",
        rich_help_panel=COUNT_PANEL,
    ),
]
SeedOpt = Annotated[
    int | None,
    typer.Option(
        parser=whole(),
        metavar="N",
        help="Draw any lot here, reproducibly, with this seed.",
        rich_help_panel=COUNT_PANEL,
    ),
]
FirstColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Column of first preferences (default: detected).", rich_help_panel=READING_PANEL
    ),
]
SecondColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Column of second preferences (default: detected).", rich_help_panel=READING_PANEL
    ),
]
RejectedColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Adjudication column naming a rejection heading (default: detected).",
        rich_help_panel=READING_PANEL,
    ),
]
SeparatorOpt = Annotated[
    str | None,
    typer.Option(
        help="Characters that separate several names in one field [default: |;].",
        rich_help_panel=READING_PANEL,
    ),
]
UncertainOpt = Annotated[
    str | None,
    typer.Option(
        help="A field holding just this is void for uncertainty [default: ?].",
        rich_help_panel=READING_PANEL,
    ),
]
UnknownAsVoidOpt = Annotated[
    bool,
    typer.Option(
        "--unknown-as-void",
        help="With --candidates: count unknown names as void for uncertainty "
        "instead of stopping with an error.",
        rich_help_panel=READING_PANEL,
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        help="Text encoding (default: UTF-8, or as its BOM says).", rich_help_panel=READING_PANEL
    ),
]
AreaColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Column naming each paper's voting area (default: detected).",
        rich_help_panel=READING_PANEL,
    ),
]
CountColumnOpt = Annotated[
    str | None,
    typer.Option(
        help="Column saying how many identical papers each row stands for (an aggregated "
        "file; default: a column named papers, count, votes, n, weight or ballots).",
        rich_help_panel=READING_PANEL,
    ),
]
ElectorateFileOpt = Annotated[
    Path | None,
    typer.Option(
        help="Areas file: CSV with area and electorate columns (optional "
        "ballot_papers_issued), for turnout per area.",
        rich_help_panel=COUNT_PANEL,
    ),
]
DelimiterOpt = Annotated[
    str | None,
    typer.Option(
        help="Field delimiter: a character, or tab (default: detected).",
        rich_help_panel=READING_PANEL,
    ),
]
SkipRowsOpt = Annotated[
    int | None,
    typer.Option(
        parser=whole(),
        metavar="N",
        help="Lines before the header to leave out (title rows of an export). An Excel "
        "'sep=;' first line is found and left out by itself.",
        rich_help_panel=READING_PANEL,
    ),
]
ContestOpt = Annotated[
    str | None,
    typer.Option(
        metavar="ID",
        help="The contest to count in a NIST SP 1500-103 cast vote record report that has "
        "several (its ContestId).",
        rich_help_panel=READING_PANEL,
    ),
]
VerificationOpt = Annotated[
    Path | None,
    typer.Option(
        metavar="STATEMENT",
        help="Check the count against the verification statement (svcount verification -f "
        "json): the papers counted in each voting area, or in all, must be those verified.",
        rich_help_panel=COUNT_PANEL,
    ),
]
AcceptDifferenceOpt = Annotated[
    str | None,
    typer.Option(
        metavar="REASON",
        help="With --verification: declare although the papers counted differ from those "
        "verified, for this reason (said in the count summary).",
        rich_help_panel=COUNT_PANEL,
    ),
]
NOTICE_PANEL = "The notice"
TitleOpt = Annotated[
    str | None,
    typer.Option(
        help="The poll, e.g. 'Police and Crime Commissioner for Leicester, "
        "Leicestershire and Rutland' [default: Result of the poll].",
        rich_help_panel=NOTICE_PANEL,
    ),
]
ElectionOpt = Annotated[
    str | None,
    typer.Option(
        metavar="ID",
        help="The poll a staged count belongs to, e.g. Democracy Club's "
        "pcc.leicestershire.2016-05-05: written into each local file and total, signed "
        "with them, and checked by combine.",
        rich_help_panel=LOCAL_PANEL,
    ),
]
ReturningOfficerOpt = Annotated[
    str | None, typer.Option(help="The returning officer's name.", rich_help_panel=NOTICE_PANEL)
]
DateOpt = Annotated[
    str | None, typer.Option(help="Date of the poll, YYYY-MM-DD.", rich_help_panel=NOTICE_PANEL)
]
TimeLimitOpt = Annotated[
    float,
    typer.Option(
        parser=decimal(0.1, 86_400.0),
        metavar="SECONDS",
        help="How long the three margins may take together; past it, the papers found and "
        "the fewest proven are given, said to be not proven exact.",
    ),
]
MarginOpt = Annotated[
    bool,
    typer.Option(
        "--margin",
        help="Also show how close it was: the exact margins of victory and recount advice "
        "(svcount margin); from a result file, the bounds its figures support.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
ColorOpt = Annotated[
    bool | None,
    typer.Option(
        "--color/--no-color",
        help="Colour and box art (default: only on a terminal).",
        show_default=False,
        rich_help_panel=OUTPUT_PANEL,
    ),
]
ChecksumsOpt = Annotated[
    Path | None,
    typer.Option(
        help="Append a line for each file written, in sha256sum's format (check them with "
        "sha256sum -c FILE).",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
ReportFormatOpt = Annotated[
    ReportFormat | None,
    format_option(ReportFormat, "Report format [default: table]."),
]
SignOpt = Annotated[
    Path | None,
    typer.Option(
        "--sign",
        metavar="KEY",
        help="Sign the JSON file written with this key (from svcount key new), so that "
        "whoever reads it with --trust knows who sent it.",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
TrustOpt = Annotated[
    Path | None,
    typer.Option(
        "--trust",
        metavar="KEYS",
        help="Accept only files signed by these public keys (NAME.pub lines, one per "
        "signer): an unsigned file, an unknown key or a broken signature is refused.",
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No warnings on stderr.", rich_help_panel=OUTPUT_PANEL)
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Say how the file was read.", rich_help_panel=OUTPUT_PANEL
    ),
]


#: Each count option's parameter, by name: one declaration each.
COUNT_PARAMETERS: dict[str, tuple[Any, Any]] = {
    "method": (MethodOpt, None),
    "candidates": (CandidatesOpt, None),
    "electorate": (ElectorateOpt, None),
    "lot": (LotOpt, None),
    "seed": (SeedOpt, None),
    "first_column": (FirstColumnOpt, None),
    "second_column": (SecondColumnOpt, None),
    "rejected_column": (RejectedColumnOpt, None),
    "area_column": (AreaColumnOpt, None),
    "count_column": (CountColumnOpt, None),
    "electorate_file": (ElectorateFileOpt, None),
    "separator": (SeparatorOpt, None),
    "uncertain_marker": (UncertainOpt, None),
    "unknown_as_void": (UnknownAsVoidOpt, False),
    "encoding": (EncodingOpt, None),
    "delimiter": (DelimiterOpt, None),
    "skip_rows": (SkipRowsOpt, None),
    "contest": (ContestOpt, None),
}
assert sorted(COUNT_PARAMETERS) == sorted(CountOptions.names())

F = TypeVar("F", bound=Callable[..., Any])


def counting(command: F) -> F:
    """Give ``command`` every count option, in place of its ``options`` parameter.

    The command receives ``options``: the count options as given (None or
    False where not given), ready for :meth:`CountOptions.merged`.
    """
    signature = inspect.signature(command, eval_str=True)
    own = list(signature.parameters.values())
    at = [p.name for p in own].index("options")
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)
        for name, (kind, default) in COUNT_PARAMETERS.items()
    ]
    parameters = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own[:at] + shared + own[at + 1 :]
    ]

    @functools.wraps(command)
    def wrapper(**given: Any) -> Any:
        options = {name: given.pop(name) for name in COUNT_PARAMETERS}
        return command(**given, options=options)

    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper  # type: ignore[return-value]
