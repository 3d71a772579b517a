"""Grading, form assembly, attempt rules and scoring: pure functions, clock as a parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.domain import exam
from trainer.domain.errors import RuleError
from trainer.domain.questions import TYPES, grade

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


# -- grading per type -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "correct", "chosen", "partial", "expected"),
    [
        ("single", ["b"], ["b"], False, 1.0),
        ("single", ["b"], ["a"], False, 0.0),
        ("single", ["b"], [], False, 0.0),
        ("single", ["b"], ["a", "b"], False, 0.0),  # two picks never score a one-answer item
        ("truefalse", ["true"], ["true"], False, 1.0),
        ("truefalse", ["true"], ["false"], False, 0.0),
        ("multiple", ["a", "c"], ["a", "c"], False, 1.0),
        ("multiple", ["a", "c"], ["c", "a"], False, 1.0),
        ("multiple", ["a", "c"], ["a"], False, 0.0),  # all-or-nothing
        ("multiple", ["a", "c"], ["a", "b", "c"], False, 0.0),
        ("multiple", ["a", "c"], ["a"], True, 0.5),  # partial: half the right ones
        ("multiple", ["a", "c"], ["a", "b"], True, 0.0),  # one right, one wrong
        ("multiple", ["a", "c"], ["a", "b", "c"], True, 0.5),
        ("multiple", ["a", "b", "c"], ["a", "b"], True, 2 / 3),
        ("multiple", ["a", "c"], ["b", "d"], True, 0.0),  # never below zero
    ],
)
def test_grade(
    type_: str, correct: list[str], chosen: list[str], partial: bool, expected: float
) -> None:
    assert grade(type_, correct, chosen, partial) == pytest.approx(expected)


def test_registry_holds_every_type() -> None:
    assert set(TYPES) == {"single", "multiple", "truefalse"}
    assert TYPES["multiple"].multiple and not TYPES["single"].multiple


# -- assembly ---------------------------------------------------------------------------------

DOMAINS = ["advocacy", "ethics", "mentoring", "recovery"]


@st.composite
def pools(draw: st.DrawFn) -> list[exam.PoolItem]:
    items: list[exam.PoolItem] = []
    for d in DOMAINS:
        for n in range(draw(st.integers(0, 12))):
            items.append(exam.PoolItem(f"{d}-{n}", d, None, ("a", "b", "c", "d")))
        for s in range(draw(st.integers(0, 3))):
            for n in range(draw(st.integers(2, 3))):
                items.append(exam.PoolItem(f"{d}-s{s}-{n}", d, f"{d}-s{s}", ("a", "b", "c")))
    return items


@settings(max_examples=150, deadline=None)
@given(pool=pools(), data=st.data(), seed=st.integers(0, 2**31))
def test_assembly_meets_the_blueprint_or_says_why(
    pool: list[exam.PoolItem], data: st.DataObject, seed: int
) -> None:
    blueprint = {d: data.draw(st.integers(0, 10)) for d in DOMAINS}
    blueprint = {d: n for d, n in blueprint.items() if n}
    try:
        form = exam.assemble_form(pool, blueprint, seed)
    except exam.BlueprintError as error:
        # Refused only when no exact selection exists for some domain.
        assert "cannot supply" in error.message
        return
    by_id = {i.id: i for i in pool}
    ids = [f.item_id for f in form]
    assert len(ids) == len(set(ids))  # no item twice
    for d in DOMAINS:
        assert sum(1 for i in ids if by_id[i].domain == d) == blueprint.get(d, 0)
    # scenario sets: all or nothing, and contiguous
    for scenario in {i.scenario for i in pool if i.scenario}:
        members = [i.id for i in pool if i.scenario == scenario]
        positions = [ids.index(m) for m in members if m in ids]
        if positions:
            assert len(positions) == len(members)
            assert max(positions) - min(positions) == len(members) - 1
    for f in form:  # options are a permutation of the item's own
        assert sorted(f.option_order) == sorted(by_id[f.item_id].option_keys)
    assert exam.assemble_form(pool, blueprint, seed) == form  # rebuilt exactly from the seed


def test_assembly_refuses_a_blueprint_the_pool_cannot_meet() -> None:
    pool = [exam.PoolItem(f"a-{n}", "advocacy", None, ("a", "b", "c")) for n in range(3)]
    with pytest.raises(exam.BlueprintError, match="cannot supply 5 items of 'advocacy'"):
        exam.assemble_form(pool, {"advocacy": 5}, seed=1)
    scenario_only = [exam.PoolItem(f"s-{n}", "ethics", "s", ("a", "b", "c")) for n in range(3)]
    with pytest.raises(exam.BlueprintError):  # a set of three cannot fill two places
        exam.assemble_form(scenario_only, {"ethics": 2}, seed=1)


def test_different_seeds_give_different_forms() -> None:
    pool = [exam.PoolItem(f"a-{n}", "advocacy", None, ("a", "b", "c", "d")) for n in range(40)]
    forms = {
        tuple(f.item_id for f in exam.assemble_form(pool, {"advocacy": 10}, s)) for s in range(5)
    }
    assert len(forms) == 5


# -- attempt rules ----------------------------------------------------------------------------


def _past(started: datetime, minutes: int = 60, passed: bool | None = False) -> exam.PastAttempt:
    return exam.PastAttempt(started, started + timedelta(minutes=minutes), passed)


def test_first_attempt_needs_completed_modules() -> None:
    assert exam.may_start([], 3, 30, modules_complete=True, now=T0).allowed
    no = exam.may_start([], 3, 30, modules_complete=False, now=T0)
    assert not no.allowed and "required module" in no.reason


def test_waiting_period_counts_from_the_end_of_the_last_attempt() -> None:
    past = [_past(T0)]  # ended 10:00 on 1 March
    end = T0 + timedelta(minutes=60)
    just_before = exam.may_start(past, 3, 30, True, end + timedelta(days=30, seconds=-1))
    assert not just_before.allowed
    assert just_before.next_allowed_at == end + timedelta(days=30)
    assert exam.may_start(past, 3, 30, True, end + timedelta(days=30)).allowed


def test_attempt_limit_and_unlimited() -> None:
    past = [_past(T0 + timedelta(days=60 * n)) for n in range(3)]
    later = T0 + timedelta(days=400)
    used_up = exam.may_start(past, 3, 30, True, later)
    assert not used_up.allowed and "all 3 attempts" in used_up.reason
    assert exam.may_start(past, 0, 30, True, later).allowed  # 0 = unlimited


def test_no_new_attempt_while_one_is_open_or_after_passing() -> None:
    open_one = [exam.PastAttempt(T0, None, None)]
    assert "in progress" in exam.may_start(open_one, 3, 0, True, T0).reason
    passed = [_past(T0, passed=True)]
    assert "passed" in exam.may_start(passed, 3, 0, True, T0 + timedelta(days=90)).reason


def test_deadline_and_accommodation() -> None:
    assert exam.deadline(T0, 90) == T0 + timedelta(minutes=90)
    assert exam.deadline(T0, 90, 1.5) == T0 + timedelta(minutes=135)
    deadline = exam.deadline(T0, 90)
    assert exam.accepts_answers("open", deadline, deadline - timedelta(seconds=1))
    assert not exam.accepts_answers("open", deadline, deadline)  # the deadline itself is late
    assert not exam.accepts_answers("submitted", deadline, T0)


# -- reading answers and scoring --------------------------------------------------------------


def test_decode_choice_uses_per_attempt_ids() -> None:
    order = ("c", "a", "d", "b")
    assert exam.option_tokens(order) == ["o1", "o2", "o3", "o4"]
    assert exam.decode_choice("single", order, ["o1"]) == ["c"]
    assert exam.decode_choice("multiple", order, ["o2", "o4"]) == ["a", "b"]
    assert exam.decode_choice("single", order, []) == []
    with pytest.raises(RuleError, match="not one of this question's options"):
        exam.decode_choice("single", order, ["o9"])
    with pytest.raises(RuleError, match="not one of this question's options"):
        exam.decode_choice("single", order, ["a"])  # a bank key is not an option id
    with pytest.raises(RuleError, match="takes one answer"):
        exam.decode_choice("single", order, ["o1", "o2"])


def test_score_reports_overall_and_per_domain() -> None:
    answers = [
        exam.Answered("1", "single", "advocacy", ("a",), ("a",)),
        exam.Answered("2", "single", "advocacy", ("a",), ("b",)),
        exam.Answered("3", "multiple", "ethics", ("a", "b"), ("a",)),
        exam.Answered("4", "truefalse", "ethics", ("true",), ("true",)),
    ]
    strict = exam.score(answers, passing_percent=70)
    assert (strict.points, strict.max_points, strict.percent, strict.passed) == (2, 4, 50.0, False)
    assert strict.domains == {"advocacy": (1.0, 2), "ethics": (1.0, 2)}
    lenient = exam.score(answers, passing_percent=60, partial=True)
    assert lenient.percent == 62.5 and lenient.passed and lenient.domain_percent("ethics") == 75.0
