"""One home for a result's output formats: a format is one line here and one builder.

Each line maps a ``--format`` name to the builder that writes it, named as
``module:function`` and imported only when that format is asked for, so the
choices cost nothing to list. ``tally``'s and ``declare``'s ``--format``
choices are made from this table. ``table`` (Rich tables) is not a builder:
it is drawn to the terminal.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["FILE_KIND", "PAPERS_FORMATS", "RESULT_FORMATS", "builder"]

#: A result's formats: each builder takes the result's View and returns the text.
RESULT_FORMATS: dict[str, str] = {
    "json": "svcount.documents.result:result_json",
    "csv": "svcount.render.csv:result_csv",
    "html": "svcount.render.html:result_page",
    "markdown": "svcount.render.tables:to_markdown",
    "nist-results": "svcount.render.interchange:nist_results",
    "rcvis": "svcount.render.interchange:rcvis",
    "rctab-csv": "svcount.render.interchange:rctab_csv",
}
#: Formats of the ballot papers themselves: each builder takes the count's Ballots and
#: the View, and needs a ballot file (not a result file) to have been counted.
PAPERS_FORMATS: dict[str, str] = {
    "nist-cvr": "svcount.render.cvr:nist_cvr",
}

#: The kind of file an interchange format is, so ``-o results.json`` is no surprise.
FILE_KIND = {"nist-results": "json", "rcvis": "json", "rctab-csv": "csv", "nist-cvr": "json"}


def builder(name: str) -> Callable[..., Any]:
    """The builder of format ``name``, imported now."""
    module, function = (RESULT_FORMATS | PAPERS_FORMATS)[name].split(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]
