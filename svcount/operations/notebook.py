"""How an operation's result shows itself in a notebook: a plan, an assessment, the margins.

Each is a dataclass with a one-line ``__repr__`` and ``rows()``; :class:`Tabulated`
gives it ``to_frame()``, ``to_markdown()`` and ``_repr_html_()`` from those rows.
The render layer sits above ``operations/``, so the tables are written here, plainly,
names escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["Tabulated", "tabulated"]


class Tabulated:
    """The notebook views of a result whose ``rows()`` are its table."""

    def rows(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows())

    def to_markdown(self) -> str:
        return tabulated(self.rows(), "markdown")

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + tabulated(self.rows(), "html")


def tabulated(rows: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """Rows as a Markdown pipe table or an HTML table (names escaped)."""
    if not rows:
        return ""
    head = list(rows[0])
    if fmt == "html":
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(r[h]))}</td>" for h in head) + "</tr>"
            for r in rows
        )
        return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines) + "\n"
