"""Risk-limiting audits of a count, for analysts: ``import svcount.rla``.

The three steps of an audit: :func:`plan` (the assertions that imply the
winner, with the sample sizes they need; :func:`holds` tests one on some
papers), :func:`sample` (drawn as VotingWorks' Arlo draws it, from a
:func:`read_manifest` manifest) and :func:`assess` (the risk each assertion
has been measured to, from the audit board's readings, and the verdict).
The published risk measures are here too: Super-simple, BRAVO and ALPHA.
"""

from __future__ import annotations

from typing import Any

from svcount.model import Ballots, Result
from svcount.operations import assertions as _assertions
from svcount.operations import assess as _assess
from svcount.operations import risk as _risk
from svcount.operations import sampling as _sampling
from svcount.operations.assertions import *  # noqa: F403 - this module is their public face
from svcount.operations.assertions import Plan
from svcount.operations.assess import *  # noqa: F403
from svcount.operations.risk import *  # noqa: F403
from svcount.operations.sampling import *  # noqa: F403

__all__ = [*_assertions.__all__, *_assess.__all__, *_risk.__all__, *_sampling.__all__]


def plan(  # type: ignore[no-redef]  # the library's face of operations.assertions.plan
    ballots: Any,
    result: Result | None = None,
    risk_limit: float = 0.05,
    *,
    candidates: Any = None,
    **options: Any,
) -> Plan:
    """The audit's plan, as ``svcount rla plan`` makes it.

    ``ballots`` is a path or a DataFrame, counted with ``candidates`` and every count option
    by keyword as :func:`svcount.tally` counts it; or the count's own
    :class:`~svcount.model.Ballots` with its ``result``.
    """
    if isinstance(ballots, Ballots):
        if result is None:
            raise TypeError("plan(ballots, result): give the count's Result with its Ballots")
        return _assertions.plan(ballots, result, risk_limit)
    if result is not None:
        raise TypeError("plan(path or DataFrame): the count is made here; give no result")
    from svcount import pipeline
    from svcount.api import _prepared

    source, counting, roster = _prepared(ballots, candidates, options, "plan")
    counted = pipeline.tally(source, counting, roster=roster)
    assert counted.ballots is not None
    return _assertions.plan(counted.ballots, counted.result, risk_limit)
