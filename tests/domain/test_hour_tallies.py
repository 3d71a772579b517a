"""Folding approved hours into tallies (what the progress read model keeps) judges exactly as
the individual facts do, whatever the history: reversals, ties, thresholds crossed and lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.domain import requirements as req

BASE = datetime(2026, 1, 1, tzinfo=UTC)


def _spec(total: float, advocacy: float, ethics: float, supervision: float) -> req.Spec:
    return req.Spec(
        modules=[],
        module_titles={},
        module_credit={},
        education_hours=0,
        education_topics={},
        supervised_hours=total,
        supervised_categories={"advocacy": advocacy, "ethics": ethics},
        supervision_hours=supervision,
        attestations={},
        documents={},
    )


facts = st.lists(
    st.builds(
        req.HourFact,
        at=st.integers(0, 40).map(lambda m: BASE + timedelta(hours=m)),
        minutes=st.integers(-600, 600).filter(bool),
        category=st.sampled_from(["advocacy", "ethics", "wellness"]),
        kind=st.sampled_from(["direct", "supervision"]),
    ),
    max_size=30,
)
targets = st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0])


@settings(max_examples=400, deadline=None)
@given(facts, targets, targets, targets, targets, st.integers(0, 48))
def test_tallies_judge_exactly_as_the_facts_do(
    hours: list[req.HourFact],
    total: float,
    advocacy: float,
    ethics: float,
    supervision: float,
    later: int,
) -> None:
    spec = _spec(total, advocacy, ethics, supervision)
    newest = max((h.at for h in hours), default=BASE)
    as_of = newest + timedelta(hours=later)
    from_facts = req.evaluate(spec, req.Record(hours=hours), as_of)
    tallied = req.Record(hour_tallies=req.tally_hours(spec, hours))
    assert req.evaluate(spec, tallied, as_of) == from_facts


def test_a_threshold_reached_then_reversed_is_not_met_and_keeps_no_date() -> None:
    spec = _spec(2.0, 0, 0, 0)
    hours = [
        req.HourFact(BASE, 180, "advocacy", "direct"),
        req.HourFact(BASE + timedelta(days=1), -120, "advocacy", "direct"),
    ]
    record = req.Record(hour_tallies=req.tally_hours(spec, hours))
    (status,) = [s for s in req.evaluate(spec, record, BASE) if s.key == "hours:total"]
    assert not status.met and status.met_at is None
    assert status.detail.startswith("1 more approved hours")
