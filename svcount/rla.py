"""Risk-limiting audits of a count, for analysts: ``import svcount.rla``.

Today: the sample (:func:`sample`), drawn as VotingWorks' Arlo draws it, and
the ballot manifest it is drawn from (:func:`read_manifest`).
"""

from __future__ import annotations

from svcount.operations.rla import DIGITS, Draw, read_manifest, sample

__all__ = ["DIGITS", "Draw", "read_manifest", "sample"]
