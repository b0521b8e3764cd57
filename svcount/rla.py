"""Risk-limiting audits of a count, for analysts: ``import svcount.rla``.

Today: the sample (:func:`sample`), drawn as VotingWorks' Arlo draws it, the
ballot manifest it is drawn from (:func:`read_manifest`), and the published
risk measures: Super-simple's sample size and risk, BRAVO's average sample
number and risk.
"""

from __future__ import annotations

from svcount.operations.rla import (
    DIGITS,
    GAMMA,
    Draw,
    bravo_average_size,
    bravo_risk,
    read_manifest,
    sample,
    super_simple_risk,
    super_simple_size,
)

__all__ = [
    "DIGITS",
    "GAMMA",
    "Draw",
    "bravo_average_size",
    "bravo_risk",
    "read_manifest",
    "sample",
    "super_simple_risk",
    "super_simple_size",
]
