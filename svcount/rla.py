"""Risk-limiting audits of a count, for analysts: ``import svcount.rla``.

The plan (:func:`plan`: the assertions that imply the winner, and whether
they hold of some papers, :func:`holds`), the sample (:func:`sample`, drawn
as VotingWorks' Arlo draws it, from a :func:`read_manifest` manifest), and
the published risk measures: Super-simple's sample size and risk, BRAVO's
average sample number and risk.
"""

from __future__ import annotations

from svcount.operations import rla as _rla
from svcount.operations.rla import *  # noqa: F403 - this module is that one's public face

__all__ = _rla.__all__
