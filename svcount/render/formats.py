"""One home for a result's output formats: a format is one line here and one builder.

Each line maps a ``--format`` name to the builder that writes it, named as
``module:function`` and imported only when that format is asked for, so the
choices cost nothing to list. ``tally``'s and ``declare``'s ``--format``
choices are made from these tables. ``table`` (Rich tables) is not a builder:
it is drawn to the terminal.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = [
    "DECLARATION_FORMATS",
    "FILE_KIND",
    "PAPERS_FORMATS",
    "RESULT_FORMATS",
    "STAGED_FORMATS",
    "builder",
]

#: A result's formats: each builder takes the result's View and returns the text.
RESULT_FORMATS: dict[str, str] = {
    "json": "svcount.documents.result:result_json",
    "csv": "svcount.render.csv:result_csv",
    "html": "svcount.render.html:result_page",
    "markdown": "svcount.render.tables:to_markdown",
    "nist-results": "svcount.render.interchange:nist_results",
    "rcvis": "svcount.render.interchange:rcvis",
    "rctab-csv": "svcount.render.rctab:rctab_csv",
    "rctab-json": "svcount.render.rctab:rctab_json",
}
#: The declaration of result's formats (svcount declare): each builder takes the View.
DECLARATION_FORMATS: dict[str, str] = {
    "text": "svcount.render.declaration:text_of",
    "markdown": "svcount.render.declaration:markdown_of",
    "html": "svcount.render.html:result_page",
}
#: Formats of the ballot papers themselves: each builder takes the count's Ballots, the
#: View and the papers of each voting area (or None), and needs a ballot file counted.
PAPERS_FORMATS: dict[str, str] = {
    "nist-cvr": "svcount.render.cvr:nist_cvr",
}
#: A local count's or a police-area total's formats (tally --stage, combine): its own JSON
#: (passed on to the next step), its CSV, or tables.
STAGED_FORMATS = ("json", "csv", "table")

#: The kind of file an interchange format is, so ``-o results.json`` is no surprise.
FILE_KIND = {
    "nist-results": "json",
    "rcvis": "json",
    "rctab-csv": "csv",
    "rctab-json": "json",
    "nist-cvr": "json",
}


def builder(name: str, table: dict[str, str] | None = None) -> Callable[..., Any]:
    """The builder of format ``name`` in ``table`` (a result's, or its papers'), imported now."""
    module, function = (table or RESULT_FORMATS | PAPERS_FORMATS)[name].split(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]
