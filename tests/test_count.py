"""One tiny named election per counting rule (README "The count", rules 3-7)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from helpers import election

from svcount.count import (
    count,
)
from svcount.errors import CountError
from svcount.model import (
    STAGE_TWO_HEADS as STAGE_TWO,
)
from svcount.model import (
    Ballots,
    Candidate,
    DecidedBy,
    EnteredLot,
    Lot,
    Method,
    NotCounted,
    Rejection,
    Result,
    SeededLot,
    StageOne,
    StageTwo,
    Turnout,
)


def test_more_than_half_is_elected_at_stage_one():
    result = count(election({("Ann", "Bob"): 51, ("Bob", None): 30, ("Cy", "Bob"): 19}))
    assert result.winner == "Ann"
    assert result.decided_by is DecidedBy.MAJORITY
    assert result.stage_two is None
    assert result.stage_one.elected == "Ann"
    assert result.stage_one.majority == 51


def test_exactly_half_is_not_enough():
    result = count(election({("Ann", None): 50, ("Bob", None): 30, ("Cy", "Bob"): 20}))
    assert result.stage_one.elected is None
    assert result.stage_one.remaining == ("Ann", "Bob")
    assert dict(result.stage_two.totals) == {"Ann": 50, "Bob": 50}
    assert result.winner is None and result.lot_required == ("Ann", "Bob")


def test_rejected_papers_are_not_in_the_denominator():
    ballots = election(
        {("Ann", None): 51, ("Bob", None): 49, ("Cy", None): 1},
        rejected={Rejection.UNMARKED: 500},
    )
    result = count(ballots)
    assert result.valid == 101 and result.ballot_papers == 601
    assert result.decided_by is DecidedBy.MAJORITY  # 51 of 101, not of 601


def test_two_leaders_remain_and_the_rest_are_excluded():
    result = count(
        election({("Ann", None): 40, ("Bob", None): 35, ("Cy", "Bob"): 15, ("Dee", "Ann"): 10})
    )
    assert result.stage_one.remaining == ("Ann", "Bob")
    assert result.stage_one.excluded == ("Cy", "Dee")
    assert not result.stage_one.tie_for_second


@pytest.mark.parametrize(
    ("votes", "remaining"),
    [
        ({"Ann": 100, "Bob": 50, "Cy": 50}, ("Ann", "Bob", "Cy")),
        ({"Ann": 80, "Bob": 80, "Cy": 80, "Dee": 10}, ("Ann", "Bob", "Cy")),
        ({"Ann": 100, "Bob": 100, "Cy": 50}, ("Ann", "Bob")),
    ],
)
def test_equality_for_second_place_keeps_every_tied_candidate(votes, remaining):
    """The README rule 4 examples: no lot at this point."""
    result = count(election({(n, None): v for n, v in votes.items()}))
    assert result.stage_one.remaining == remaining
    assert result.stage_one.tie_for_second is (len(remaining) > 2)
    assert result.lot is None


def test_stage_two_counts_only_excluded_candidates_papers():
    result = count(
        election(
            {
                ("Ann", "Bob"): 40,  # a remaining candidate's paper: never looked at again
                ("Bob", "Ann"): 35,
                ("Cy", "Bob"): 12,
                ("Cy", "Ann"): 5,
                ("Dee", "Cy"): 4,  # second preference for another excluded candidate
                ("Dee", None): 4,
            }
        )
    )
    two = result.stage_two
    assert dict(two.transfers) == {"Ann": 5, "Bob": 12}
    assert dict(two.totals) == {"Ann": 45, "Bob": 47}
    assert two.non_transferable[NotCounted.NOT_REMAINING] == 4
    assert two.non_transferable[NotCounted.BLANK] == 4
    assert two.excluded_papers == 25
    assert result.winner == "Bob" and result.decided_by is DecidedBy.STAGE_TWO
    assert result.majority == 2


def test_unusable_second_preferences_are_reported_by_head():
    result = count(
        election(
            {
                ("Ann", None): 40,
                ("Bob", "Bob"): 35,
                ("Cy", NotCounted.MORE_THAN_ONE): 15,
                ("Cy", NotCounted.UNCERTAIN): 5,
                ("Cy", "Cy"): 5,
            },
            names=["Ann", "Bob", "Cy"],
        )
    )
    assert dict(result.second_not_counted) == {
        NotCounted.BLANK: 40,
        NotCounted.MORE_THAN_ONE: 15,
        NotCounted.UNCERTAIN: 5,
        NotCounted.SAME_AS_FIRST: 40,
    }
    assert dict(result.stage_two.non_transferable) == {
        NotCounted.BLANK: 0,
        NotCounted.MORE_THAN_ONE: 15,
        NotCounted.UNCERTAIN: 5,
        NotCounted.SAME_AS_FIRST: 5,
        NotCounted.NOT_REMAINING: 0,
    }


def test_whole_result_for_a_small_sv_election():
    ballots = election(
        {("Ann", "Cy"): 6, ("Bob", None): 5, ("Cy", "Bob"): 3, ("Cy", "Ann"): 1},
        rejected={Rejection.UNMARKED: 2},
    )
    result = count(ballots)
    assert result.stage_one.votes == {"Ann": 6, "Bob": 5, "Cy": 4}
    assert result.stage_two.totals == {"Ann": 7, "Bob": 8}
    assert result.rejected == {
        Rejection.WANT_OF_OFFICIAL_MARK: 0,
        Rejection.MORE_THAN_ONE_CANDIDATE: 0,
        Rejection.IDENTIFYING_MARK: 0,
        Rejection.UNMARKED: 2,
        Rejection.VOID_FOR_UNCERTAINTY: 0,
    }
    assert (result.winner, result.ballot_papers, result.valid) == ("Bob", 17, 15)


def test_two_candidates_is_a_simple_majority_without_a_second_stage():
    result = count(election({("Ann", "Bob"): 6, ("Bob", "Ann"): 4}))
    assert result.winner == "Ann"
    assert result.decided_by is DecidedBy.SIMPLE_MAJORITY
    assert result.stage_two is None


def test_one_candidate_is_elected_unopposed():
    result = count(election({("Ann", None): 3}))
    assert result.winner == "Ann" and result.decided_by is DecidedBy.UNOPPOSED


def test_zero_valid_papers_is_an_error():
    ballots = election({}, rejected={Rejection.UNMARKED: 3}, names=["Ann", "Bob"])
    with pytest.raises(CountError, match="no valid ballot papers: all 3 papers were rejected"):
        count(ballots)


def test_no_candidates_is_an_error():
    with pytest.raises(CountError, match="no candidates: none of the 0 papers"):
        count(Ballots(candidates=(), pairs={}))


def test_fptp_most_votes_wins_without_a_majority():
    result = count(election({("Ann", None): 40, ("Bob", None): 35, ("Cy", None): 25}), Method.FPTP)
    assert result.winner == "Ann" and result.decided_by is DecidedBy.MOST_VOTES
    assert result.stage_two is None and result.second_not_counted is None
    assert result.majority == 5


def test_fptp_statement_joins_unmarked_and_void():
    ballots = election(
        {("Ann", None): 4, ("Bob", None): 3},
        rejected={
            Rejection.UNMARKED: 2,
            Rejection.VOID_FOR_UNCERTAINTY: 1,
            Rejection.IDENTIFYING_MARK: 1,
        },
    )
    assert count(ballots, Method.FPTP).rejected == {
        Rejection.WANT_OF_OFFICIAL_MARK: 0,
        Rejection.MORE_THAN_ONE_CANDIDATE: 0,
        Rejection.IDENTIFYING_MARK: 1,
        Rejection.UNMARKED_OR_VOID: 3,
    }


TIE = {("Ann", None): 40, ("Bob", None): 40, ("Cy", "Ann"): 10, ("Cy", "Bob"): 10}


def test_final_equality_requires_a_lot():
    result = count(election(TIE))
    assert result.winner is None
    assert result.lot_required == ("Ann", "Bob")
    assert result.decided_by is DecidedBy.LOT_REQUIRED


def test_entered_lot_decides_and_is_recorded():
    result = count(election(TIE), lot=EnteredLot("Bob"))
    assert result.winner == "Bob" and result.decided_by is DecidedBy.LOT
    assert result.lot == Lot(tied=("Ann", "Bob"), winner="Bob", how="entered")


def test_seeded_lot_is_reproducible_and_recorded():
    results = {count(election(TIE), lot=SeededLot(seed)).winner for seed in range(20)}
    assert results == {"Ann", "Bob"}  # the draw really depends on the seed
    once, again = (count(election(TIE), lot=SeededLot(7)) for _ in range(2))
    assert once == again
    assert once.lot.how == "seed" and once.lot.seed == 7 and once.lot.tied == ("Ann", "Bob")


def test_lot_naming_a_candidate_outside_the_equality_is_an_error():
    ballots = election({**TIE, ("Cy", None): 1})
    with pytest.raises(CountError, match="not one of the candidates in the equality"):
        count(ballots, lot=EnteredLot("Cy"))


def test_lot_naming_no_candidate_is_an_error():
    with pytest.raises(CountError, match="'Zed' is not a candidate"):
        count(election(TIE), lot=EnteredLot("Zed"))


def test_lot_is_unused_without_an_equality():
    result = count(election({("Ann", None): 3, ("Bob", None): 1}), lot=EnteredLot("Bob"))
    assert result.winner == "Ann" and result.lot is None


def test_fptp_equality_requires_a_lot():
    result = count(election({("Ann", None): 5, ("Bob", None): 5, ("Cy", None): 1}), Method.FPTP)
    assert result.lot_required == ("Ann", "Bob")


def test_turnout_both_conventions_llr_2024():
    ballots = election(
        {("Matthews", None): 176_494 - 1, ("Palmer", None): 1},
        rejected={Rejection.UNMARKED: 1_799},
    )
    turnout = count(ballots, Method.FPTP, electorate=821_573).turnout
    assert turnout.ballot_papers == 178_293
    assert turnout.ballot_papers_pct == Decimal("21.70")
    assert turnout.valid_votes_pct == Decimal("21.48")


@pytest.mark.parametrize(
    ("electorate", "message"),
    [(0, "positive"), (-5, "positive"), (3, "smaller than the 4 ballot papers")],
)
def test_bad_electorate_is_an_error(electorate, message):
    with pytest.raises(CountError, match=message):
        count(election({("Ann", None): 3, ("Bob", None): 1}), electorate=electorate)


def test_shares_round_half_up_to_two_decimals():
    result = count(election({("Ann", None): 1, ("Bob", None): 2}))
    assert result.share("Ann") == Decimal("33.33") and result.share("Bob") == Decimal("66.67")


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ({("Zed", "Ann"): 1}, "first preference 'Zed' is not a candidate"),
        ({("Ann", "Zed"): 1}, "second preference 'Zed' is not a candidate"),
        ({("Ann", "Bob"): -1}, "at least 0"),
    ],
)
def test_ballots_reject_inconsistent_input(pairs, message):
    with pytest.raises(CountError, match=message):
        Ballots(candidates=(Candidate("Ann"), Candidate("Bob")), pairs=pairs)


def test_ballots_reject_duplicate_candidates():
    with pytest.raises(CountError, match="more than once: Ann"):
        Ballots(candidates=(Candidate("Ann"), Candidate("Ann")), pairs={})


def test_results_are_frozen():
    result = count(election(TIE))
    with pytest.raises(AttributeError):
        result.winner = "Ann"
    with pytest.raises(TypeError):
        result.stage_one.votes["Ann"] = 1


# ----------------------------------------------------------------- each rule, the whole Result


def sv_result(**fields):
    """A Result with every figure given, for comparing whole with ``==``."""
    base = {"method": Method.SV, "lot_required": (), "lot": None, "turnout": None, "areas": ()}
    return Result(**{**base, **fields})


SV_NONE_REJECTED = dict.fromkeys(
    (
        Rejection.WANT_OF_OFFICIAL_MARK,
        Rejection.MORE_THAN_ONE_CANDIDATE,
        Rejection.IDENTIFYING_MARK,
        Rejection.UNMARKED,
        Rejection.VOID_FOR_UNCERTAINTY,
    ),
    0,
)
NO_HEADS = dict.fromkeys(
    (NotCounted.BLANK, NotCounted.MORE_THAN_ONE, NotCounted.UNCERTAIN, NotCounted.SAME_AS_FIRST),
    0,
)


def test_rule_3_more_than_half_elects_at_stage_one():
    ballots = election({("Ann", "Bob"): 6, ("Bob", None): 3, ("Cy", "Bob"): 2})
    assert count(ballots) == sv_result(
        candidates=ballots.candidates,
        ballot_papers=11,
        valid=11,
        rejected=SV_NONE_REJECTED,
        second_not_counted={**NO_HEADS, NotCounted.BLANK: 3},
        stage_one=StageOne(
            votes={"Ann": 6, "Bob": 3, "Cy": 2},
            valid=11,
            majority=6,
            elected="Ann",
            remaining=(),
            excluded=(),
            tie_for_second=False,
        ),
        stage_two=None,
        winner="Ann",
        decided_by=DecidedBy.MAJORITY,
    )


def test_rule_4_an_equality_for_second_place_keeps_every_tied_candidate():
    ballots = election({("Ann", None): 4, ("Bob", None): 2, ("Cy", None): 2})
    result = count(ballots, lot=EnteredLot("Ann"))
    assert result == sv_result(
        candidates=ballots.candidates,
        ballot_papers=8,
        valid=8,
        rejected=SV_NONE_REJECTED,
        second_not_counted={**NO_HEADS, NotCounted.BLANK: 8},
        stage_one=StageOne(
            votes={"Ann": 4, "Bob": 2, "Cy": 2},
            valid=8,
            majority=5,
            elected=None,
            remaining=("Ann", "Bob", "Cy"),
            excluded=(),
            tie_for_second=True,
        ),
        stage_two=StageTwo(
            transfers={"Ann": 0, "Bob": 0, "Cy": 0},
            totals={"Ann": 4, "Bob": 2, "Cy": 2},
            non_transferable=dict.fromkeys(STAGE_TWO, 0),
            excluded_papers=0,
        ),
        winner="Ann",
        decided_by=DecidedBy.STAGE_TWO,
    )


def test_rule_5_only_the_excluded_candidates_papers_transfer():
    ballots = election(
        {("Ann", "Bob"): 5, ("Bob", "Ann"): 4, ("Cy", "Bob"): 2, ("Cy", "Dee"): 1, ("Dee", None): 1}
    )
    assert count(ballots) == sv_result(
        candidates=ballots.candidates,
        ballot_papers=13,
        valid=13,
        rejected=SV_NONE_REJECTED,
        second_not_counted={**NO_HEADS, NotCounted.BLANK: 1},
        stage_one=StageOne(
            votes={"Ann": 5, "Bob": 4, "Cy": 3, "Dee": 1},
            valid=13,
            majority=7,
            elected=None,
            remaining=("Ann", "Bob"),
            excluded=("Cy", "Dee"),
            tie_for_second=False,
        ),
        stage_two=StageTwo(
            transfers={"Ann": 0, "Bob": 2},
            totals={"Ann": 5, "Bob": 6},
            non_transferable={
                **dict.fromkeys(STAGE_TWO, 0),
                NotCounted.BLANK: 1,
                NotCounted.NOT_REMAINING: 1,
            },
            excluded_papers=4,
        ),
        winner="Bob",
        decided_by=DecidedBy.STAGE_TWO,
    )


def test_rule_6_an_equality_at_the_end_is_settled_by_lot_and_recorded():
    ballots = election({("Ann", "Cy"): 3, ("Bob", None): 4, ("Cy", "Ann"): 1})
    assert count(ballots, lot=SeededLot(7)) == sv_result(
        candidates=ballots.candidates,
        ballot_papers=8,
        valid=8,
        rejected=SV_NONE_REJECTED,
        second_not_counted={**NO_HEADS, NotCounted.BLANK: 4},
        stage_one=StageOne(
            votes={"Ann": 3, "Bob": 4, "Cy": 1},
            valid=8,
            majority=5,
            elected=None,
            remaining=("Ann", "Bob"),
            excluded=("Cy",),
            tie_for_second=False,
        ),
        stage_two=StageTwo(
            transfers={"Ann": 1, "Bob": 0},
            totals={"Ann": 4, "Bob": 4},
            non_transferable=dict.fromkeys(STAGE_TWO, 0),
            excluded_papers=1,
        ),
        winner=("Ann", "Bob")[random.Random(7).randrange(2)],
        decided_by=DecidedBy.LOT,
        lot=Lot(
            tied=("Ann", "Bob"),
            winner=("Ann", "Bob")[random.Random(7).randrange(2)],
            how="seed",
            seed=7,
        ),
    )


def test_rule_7_the_fptp_declaration_joins_unmarked_and_void():
    ballots = election(
        {("Ann", None): 3, ("Bob", None): 2},
        rejected={Rejection.UNMARKED: 1, Rejection.VOID_FOR_UNCERTAINTY: 2},
    )
    assert count(ballots, Method.FPTP, electorate=10) == sv_result(
        method=Method.FPTP,
        candidates=ballots.candidates,
        ballot_papers=8,
        valid=5,
        rejected={
            Rejection.WANT_OF_OFFICIAL_MARK: 0,
            Rejection.MORE_THAN_ONE_CANDIDATE: 0,
            Rejection.IDENTIFYING_MARK: 0,
            Rejection.UNMARKED_OR_VOID: 3,
        },
        second_not_counted=None,
        stage_one=StageOne(
            votes={"Ann": 3, "Bob": 2},
            valid=5,
            majority=3,
            elected="Ann",
            remaining=(),
            excluded=(),
            tie_for_second=False,
        ),
        stage_two=None,
        winner="Ann",
        decided_by=DecidedBy.MOST_VOTES,
        turnout=Turnout(electorate=10, ballot_papers=8, valid_votes=5),
    )
