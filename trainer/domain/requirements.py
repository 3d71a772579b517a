"""Is a credential earned? ``evaluate(program, record, as_of)`` answers, requirement by
requirement, in plain words. Pure: every fact carries its time, and only facts at or before
``as_of`` count, so the same record can be judged at any instant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from trainer.domain.statuses import EntryKind


@dataclass(frozen=True)
class HourFact:
    at: datetime  # when it was approved
    minutes: int  # negative for a reversal
    category: str
    kind: str  # direct | supervision | session (a confirmed supervision session)


@dataclass(frozen=True)
class Tally:
    """A running total toward a target: how much there is, and the moment the total first
    reached the target (None if it never has)."""

    amount: float
    reached_at: datetime | None


@dataclass(frozen=True)
class Record:
    """Everything the person has done toward one program, with times.

    ``hour_tallies`` is the compact form of ``hours`` that the progress read model keeps:
    one Tally per hour requirement of the program (``tally_hours``). When it is given it
    stands for every approved hour, so it is exact only for ``as_of`` at or after the
    newest approval (``services.progress`` falls back to the full history otherwise)."""

    modules_completed: Mapping[str, datetime] = field(default_factory=dict)
    exam_passed_at: datetime | None = None
    exam_note: str = ""  # e.g. when the next attempt is allowed
    hours: Sequence[HourFact] = ()
    attestations: Mapping[str, datetime] = field(default_factory=dict)
    documents: Mapping[str, Sequence[datetime]] = field(default_factory=dict)  # approvals
    hour_tallies: Mapping[str, Tally] | None = None
    # signed competency evaluations: form id -> [(signed at, lowest level)]
    evaluations: Mapping[str, Sequence[tuple[datetime, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Spec:
    """The program's requirements, as plain data (from content/)."""

    modules: Sequence[str]
    module_titles: Mapping[str, str]
    module_credit: Mapping[str, Mapping[str, int]]  # module -> topic -> minutes
    education_hours: float
    education_topics: Mapping[str, float]
    supervised_hours: float
    supervised_categories: Mapping[str, float]
    supervision_hours: float
    attestations: Mapping[str, str]  # id -> text
    documents: Mapping[str, tuple[str, int]]  # id -> (title, count)
    labels: Mapping[str, str] = field(default_factory=dict)  # topic/domain ids -> labels
    # evaluation forms the certificate waits for: id -> (title, lowest level every competency
    # must reach in the latest signed one)
    evaluations: Mapping[str, tuple[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Status:
    key: str
    label: str
    met: bool
    detail: str  # what is still missing, in plain words ("" when met)
    met_at: datetime | None = None  # when it became met (None if unknown or not met)


def _hours(x: float) -> str:
    return f"{x:g}" if x == int(x) else f"{x:.2f}".rstrip("0").rstrip(".")


def _met_at(events: Sequence[tuple[datetime, float]], target: float) -> datetime | None:
    """The moment a running total of (time, amount) first reached target."""
    total = 0.0
    for at, amount in sorted(events, key=lambda e: e[0]):
        total += amount
        if total + 1e-9 >= target:
            return at
    return None


def evaluate(spec: Spec, record: Record, as_of: datetime) -> list[Status]:
    """One Status per requirement of the program, judged at ``as_of``: modules, education
    hours, the exam, supervised hours, signed statements and documents, in that order."""
    done = {m: t for m, t in record.modules_completed.items() if t <= as_of}
    tallies = record.hour_tallies
    if tallies is None:
        tallies = tally_hours(spec, [h for h in record.hours if h.at <= as_of])
    return [
        *_modules(spec, done),
        *_education(spec, done),
        _exam(record, as_of),
        *_supervised_hours(spec, tallies),
        *_statements(spec, record, as_of),
        *_documents(spec, record, as_of),
        *_evaluations(spec, record, as_of),
    ]


def _tally(events: Sequence[tuple[datetime, float]], target: float) -> Tally:
    return Tally(sum(a for _, a in events), _met_at(events, target))


def _hour_streams(spec: Spec) -> dict[str, tuple[float, Callable[[HourFact], bool]]]:
    """Each hour requirement of the program: its key, target and which facts count."""
    streams: dict[str, tuple[float, Callable[[HourFact], bool]]] = {}
    if spec.supervised_hours:
        streams["hours:total"] = (spec.supervised_hours, _any_fact)
    for category, minimum in spec.supervised_categories.items():
        if minimum:
            streams[f"hours:{category}"] = (minimum, _in_category(category))
    if spec.supervision_hours:
        streams["hours:supervision"] = (spec.supervision_hours, _is_supervision)
    return streams


#: the kind of fact a confirmed supervision session gives: it counts toward the supervision
#: requirement only (time receiving supervision, not supervised work)
SESSION = "session"


def _any_fact(h: HourFact) -> bool:
    return h.kind != SESSION


def _is_supervision(h: HourFact) -> bool:
    return h.kind in (EntryKind.SUPERVISION, SESSION)


def _in_category(category: str) -> Callable[[HourFact], bool]:
    return lambda h: h.category == category


def tally_hours(spec: Spec, facts: Sequence[HourFact]) -> dict[str, Tally]:
    """Approved hours folded into one Tally per hour requirement (hours, and when the
    requirement's target was first reached)."""
    return {
        key: _tally([(h.at, h.minutes / 60) for h in facts if counts(h)], target)
        for key, (target, counts) in _hour_streams(spec).items()
    }


def _threshold(key: str, label: str, tally: Tally, target: float, missing: str) -> Status:
    """A running total that must reach ``target``; while it has not, the detail is the
    hours still missing followed by ``missing``."""
    ok = tally.amount + 1e-9 >= target
    return Status(
        key,
        label,
        ok,
        "" if ok else f"{_hours(target - tally.amount)} {missing}",
        tally.reached_at if ok else None,
    )


def _modules(spec: Spec, done: Mapping[str, datetime]) -> list[Status]:
    out = []
    for module in spec.modules:
        title = spec.module_titles.get(module, module)
        at = done.get(module)
        missing = f"Complete the module “{title}” (read every section and pass its quiz)."
        out.append(
            Status(
                f"module:{module}", f"Module: {title}", at is not None, "" if at else missing, at
            )
        )
    return out


def _education(spec: Spec, done: Mapping[str, datetime]) -> list[Status]:
    """Education hours are credited when a module is completed (per topic, as content says)."""
    credit_events: dict[str, list[tuple[datetime, float]]] = {}
    for module in spec.modules:
        if module in done:
            for topic, minutes in spec.module_credit.get(module, {}).items():
                credit_events.setdefault(topic, []).append((done[module], minutes / 60))
    out = []
    if spec.education_hours:
        all_credit = [e for events in credit_events.values() for e in events]
        out.append(
            _threshold(
                "education:total",
                f"Education: {_hours(spec.education_hours)} hours",
                _tally(all_credit, spec.education_hours),
                spec.education_hours,
                "more hours of education (complete more modules).",
            )
        )
    for topic, hours in spec.education_topics.items():
        name = spec.labels.get(topic, topic)
        out.append(
            _threshold(
                f"education:{topic}",
                f"Education in {name}: {_hours(hours)} hours",
                _tally(credit_events.get(topic, []), hours),
                hours,
                f"more hours of education in {name}.",
            )
        )
    return out


def _exam(record: Record, as_of: datetime) -> Status:
    at = record.exam_passed_at
    passed = at if at and at <= as_of else None
    missing = record.exam_note or "Pass the certification exam."
    return Status(
        "exam", "Certification exam passed", passed is not None, "" if passed else missing, passed
    )


def _supervised_hours(spec: Spec, tallies: Mapping[str, Tally]) -> list[Status]:
    none = Tally(0.0, None)
    out = []
    if spec.supervised_hours:
        out.append(
            _threshold(
                "hours:total",
                f"Supervised work: {_hours(spec.supervised_hours)} hours",
                tallies.get("hours:total", none),
                spec.supervised_hours,
                "more approved hours of supervised work.",
            )
        )
    for category, minimum in spec.supervised_categories.items():
        if not minimum:
            continue
        name = spec.labels.get(category, category)
        out.append(
            _threshold(
                f"hours:{category}",
                f"Supervised work in {name}: {_hours(minimum)} hours",
                tallies.get(f"hours:{category}", none),
                minimum,
                f"more approved hours of {name}.",
            )
        )
    if spec.supervision_hours:
        out.append(
            _threshold(
                "hours:supervision",
                f"Supervision received: {_hours(spec.supervision_hours)} hours",
                tallies.get("hours:supervision", none),
                spec.supervision_hours,
                "more approved hours of supervision received.",
            )
        )
    return out


def _statements(spec: Spec, record: Record, as_of: datetime) -> list[Status]:
    out = []
    for aid, text in spec.attestations.items():
        at = record.attestations.get(aid)
        at = at if at and at <= as_of else None
        out.append(
            Status(
                f"attestation:{aid}",
                f"Signed statement: {text}",
                at is not None,
                "" if at else "Sign this statement.",
                at,
            )
        )
    return out


def _documents(spec: Spec, record: Record, as_of: datetime) -> list[Status]:
    out = []
    for did, (title, count) in spec.documents.items():
        approvals = sorted(t for t in record.documents.get(did, ()) if t <= as_of)
        ok = len(approvals) >= count
        short = count - len(approvals)
        missing = f"Upload {short} more approved document{'s' if short > 1 else ''}: {title}."
        out.append(
            Status(
                f"document:{did}",
                f"Document: {title}" + (f" ({count})" if count > 1 else ""),
                ok,
                "" if ok else missing,
                approvals[count - 1] if ok else None,
            )
        )
    return out


def _evaluations(spec: Spec, record: Record, as_of: datetime) -> list[Status]:
    """The latest signed evaluation of each required form must rate every competency at the
    form's level or above (a correction is a new evaluation: the latest counts)."""
    out = []
    for fid, (title, level) in spec.evaluations.items():
        signed = sorted(e for e in record.evaluations.get(fid, ()) if e[0] <= as_of)
        latest = signed[-1] if signed else None
        ok = latest is not None and latest[1] >= level
        if latest is None:
            missing = f"Your supervisor signs the {title.lower()}."
        else:
            missing = (
                f"The latest {title.lower()} rates a competency at level {latest[1]}; every "
                f"competency must be at level {level} or above."
            )
        out.append(
            Status(
                f"evaluation:{fid}",
                f"{title}: every competency at level {level} or above",
                ok,
                "" if ok else missing,
                latest[0] if ok and latest else None,
            )
        )
    return out


def all_met(statuses: Sequence[Status]) -> bool:
    return all(s.met for s in statuses)


def earned_at(statuses: Sequence[Status]) -> datetime | None:
    """When the last requirement was met (the credential's earning moment)."""
    if not all_met(statuses):
        return None
    times = [s.met_at for s in statuses if s.met_at is not None]
    return max(times) if times else None


# -- renewal ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CEFact:
    at: datetime  # approved at
    completed_on: datetime  # when the education happened
    hours: float
    topic: str | None


def evaluate_renewal(
    ce_hours: float,
    ce_topics: Mapping[str, float],
    facts: Sequence[CEFact],
    cycle_start: datetime,
    cycle_end: datetime,
    as_of: datetime,
    labels: Mapping[str, str] | None = None,
) -> list[Status]:
    """Continuing education for one renewal cycle: only hours completed within the cycle and
    approved by ``as_of`` count."""
    labels = labels or {}
    counted = [f for f in facts if cycle_start <= f.completed_on <= cycle_end and f.at <= as_of]
    total = sum(f.hours for f in counted)
    out = [
        Status(
            "ce:total",
            f"Continuing education: {_hours(ce_hours)} hours",
            total + 1e-9 >= ce_hours,
            ""
            if total + 1e-9 >= ce_hours
            else f"{_hours(ce_hours - total)} more approved hours of continuing education.",
        )
    ]
    for topic, hours in ce_topics.items():
        got = sum(f.hours for f in counted if f.topic == topic)
        name = labels.get(topic, topic)
        out.append(
            Status(
                f"ce:{topic}",
                f"Continuing education in {name}: {_hours(hours)} hours",
                got + 1e-9 >= hours,
                ""
                if got + 1e-9 >= hours
                else f"{_hours(hours - got)} more approved hours in {name}.",
            )
        )
    return out
