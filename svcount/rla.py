"""Risk-limiting audits of a count, for analysts: ``import svcount.rla``.

The three steps of an audit: :func:`plan` (the assertions that imply the
winner, with the sample sizes they need; :func:`holds` tests one on some
papers), :func:`sample` (drawn as VotingWorks' Arlo draws it, from a
:func:`read_manifest` manifest) and :func:`assess` (the risk each assertion
has been measured to, from the audit board's readings, and the verdict).
The published risk measures are here too: Super-simple, BRAVO and ALPHA.
"""

from __future__ import annotations

from svcount.operations import assertions as _assertions
from svcount.operations import assess as _assess
from svcount.operations import risk as _risk
from svcount.operations import sampling as _sampling
from svcount.operations.assertions import *  # noqa: F403 - this module is their public face
from svcount.operations.assess import *  # noqa: F403
from svcount.operations.risk import *  # noqa: F403
from svcount.operations.sampling import *  # noqa: F403

__all__ = [*_assertions.__all__, *_assess.__all__, *_risk.__all__, *_sampling.__all__]
