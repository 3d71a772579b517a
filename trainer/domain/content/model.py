"""The content tree as frozen dataclasses: what a release contains."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in content/: ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Reference:
    title: str
    publisher: str
    year: int | None = None
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    markdown: str
    line: int
    words: int


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    order: int
    summary: str
    objectives: tuple[str, ...]
    competencies: tuple[str, ...]
    credit: dict[str, int]  # topic id -> minutes
    references: tuple[Reference, ...]
    sections: tuple[Section, ...]
    quiz_items: int = 5
    quiz_pass_percent: int = 80
    path: str = ""
    line: int = 1

    @property
    def words(self) -> int:
        return sum(s.words for s in self.sections)

    @property
    def credit_minutes(self) -> int:
        return sum(self.credit.values())

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / 200))

    def content_hash(self) -> str:
        data = asdict(self)
        data.pop("path"), data.pop("line")
        for s in data["sections"]:
            s.pop("line")
        return _hash(data)


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    feedback: str | None = None


@dataclass(frozen=True)
class Item:
    id: str
    module: str
    type: str  # a key of domain.questions.TYPES
    use: str  # quiz | exam | both | practice
    domain: str
    competencies: tuple[str, ...]
    stem: str
    options: tuple[Option, ...]
    answer: tuple[str, ...]  # the correct option keys, sorted
    rationale: str
    scenario: str | None = None
    vignette: str | None = None
    path: str = ""
    line: int = 1
    # A draft (``draft: true`` in its bank) may wait for its rationale; quizzes and exams
    # never see it: ``parse_tree`` keeps it in ``ContentTree.drafts``, not ``items``.
    draft: bool = False

    @property
    def in_quiz(self) -> bool:
        return self.use in ("quiz", "both")

    @property
    def in_exam(self) -> bool:
        return self.use in ("exam", "both")

    def content(self) -> dict[str, Any]:
        """What a revision freezes: everything but where the item sits in a file (and the
        draft flag: only published items get revisions)."""
        data = asdict(self)
        data.pop("path"), data.pop("line"), data.pop("draft")
        return data

    def content_hash(self) -> str:
        return _hash(self.content())


@dataclass(frozen=True)
class ExamSpec:
    blueprint: dict[str, int]  # domain -> items
    passing_percent: int
    time_limit_minutes: int
    attempts_allowed: int  # 0 = unlimited
    wait_days: int
    multiple_response: str = "all-or-nothing"  # or "partial"

    @property
    def length(self) -> int:
        return sum(self.blueprint.values())


@dataclass(frozen=True)
class Attestation:
    id: str
    text: str


@dataclass(frozen=True)
class DocumentSpec:
    id: str
    title: str
    count: int = 1


@dataclass(frozen=True)
class Qualifying:
    """One credential that may supervise for a program: its type (taxonomy ``credentials``),
    how many months it must have been held, and whether the board's supervision training
    must have been attended."""

    credential: str
    min_months: int = 0
    supervision_training: bool = False


@dataclass(frozen=True)
class SupervisorRule:
    """Who may sign off a program's supervised hours: any one of ``options``. ``source``
    names where the rule comes from, in words shown to people ("KRS 309.0831(3)")."""

    source: str
    options: tuple[Qualifying, ...]


@dataclass(frozen=True)
class Cadence:
    """How often supervision must happen (e.g. Kentucky's adult peer support specialists:
    face to face at least twice a month, one meeting of at least 30 minutes)."""

    source: str
    sessions_per_month: int
    in_person: bool = False
    one_at_least_minutes: int = 0


@dataclass(frozen=True)
class EvaluationForm:
    """One competency evaluation a supervisor signs: due once ``due_share`` of the
    program's supervised hours are approved (1.0: before the certificate); with
    ``required_level``, the certificate waits for it with every competency at or above."""

    id: str
    title: str
    due_share: float = 1.0
    required_level: int = 0


@dataclass(frozen=True)
class EvaluationSpec:
    """The program's evaluation forms: the competencies rated (taxonomy ids), the scale
    (level -> what it means, lowest first) and ``source`` (where they come from)."""

    source: str
    scale: tuple[tuple[int, str], ...]
    competencies: tuple[str, ...]
    forms: tuple[EvaluationForm, ...]


@dataclass(frozen=True)
class Program:
    id: str
    title: str
    credential: str
    abbreviation: str
    number_prefix: str
    jurisdiction: str
    jurisdiction_name: str
    issuing_authority: str
    issuance: str  # automatic | review
    summary: str
    modules: tuple[str, ...]
    education_hours: float
    education_topics: dict[str, float]
    exam: ExamSpec
    supervised_hours: float
    supervised_categories: dict[str, float]
    supervision_hours: float
    attestations: tuple[Attestation, ...]
    documents: tuple[DocumentSpec, ...]
    validity_months: int
    renewal_ce_hours: float
    renewal_topics: dict[str, float]
    sources: tuple[Reference, ...]
    # How many days before enrolling supervised work may still be logged (flagged for the
    # supervisor); 0: none.
    prior_work_days: int = 0
    # The share of a section's estimated reading time (200 words a minute) a trainee must
    # spend on it before it counts as read; 0: it counts when opened.
    min_reading_share: float = 0.0
    # who may sign off supervised hours; None: any supervisor the trainee links to
    supervisors: SupervisorRule | None = None
    # how often confirmed supervision sessions must happen, shown month by month; None: no rule
    supervision_cadence: Cadence | None = None
    evaluations: EvaluationSpec | None = None
    path: str = ""

    def content_hash(self) -> str:
        data = asdict(self)
        data.pop("path")
        return _hash(data)


@dataclass(frozen=True)
class Taxonomy:
    domains: dict[str, str]
    topics: dict[str, str]
    competencies: dict[str, str]
    settings: dict[str, str]
    # credential types a supervisor may hold (programs' supervisor rules name them)
    credentials: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContentTree:
    taxonomy: Taxonomy
    modules: dict[str, Module]
    items: dict[str, Item]
    programs: dict[str, Program]
    hash: str
    files: tuple[str, ...] = field(default=())
    drafts: dict[str, Item] = field(default_factory=dict)  # checked, but never loaded

    def module_items(self, module_id: str) -> list[Item]:
        return [i for i in self.items.values() if i.module == module_id]

    def warnings(self) -> list[Problem]:
        """What ``trainer content check`` reports without failing: one line per draft."""
        warnings = []
        for d in self.drafts.values():
            todo = ("" if d.rationale else "write its rationale and ") + "remove 'draft: true'"
            warnings.append(
                Problem(
                    d.path,
                    d.line,
                    f"warning: draft: item '{d.id}' is left out of quizzes and exams until "
                    f"you {todo}",
                )
            )
        return warnings

    def stats(self) -> dict[str, Any]:
        """What ``trainer content stats --json`` prints."""
        by_module: dict[str, int] = {}
        by_domain: dict[str, int] = {}
        exam_by_domain: dict[str, int] = {}
        by_type: dict[str, int] = {}
        for item in self.items.values():
            by_module[item.module] = by_module.get(item.module, 0) + 1
            by_domain[item.domain] = by_domain.get(item.domain, 0) + 1
            by_type[item.type] = by_type.get(item.type, 0) + 1
            if item.in_exam:
                exam_by_domain[item.domain] = exam_by_domain.get(item.domain, 0) + 1
        return {
            "release": self.hash,
            "modules": [
                {
                    "id": m.id,
                    "title": m.title,
                    "order": m.order,
                    "words": m.words,
                    "sections": len(m.sections),
                    "credited_minutes": m.credit_minutes,
                    "items": by_module.get(m.id, 0),
                }
                for m in sorted(self.modules.values(), key=lambda m: m.order)
            ],
            "items": {
                "total": len(self.items),
                "per_module": dict(sorted(by_module.items())),
                "per_domain": dict(sorted(by_domain.items())),
                "exam_pool_per_domain": dict(sorted(exam_by_domain.items())),
                "per_type": dict(sorted(by_type.items())),
                "scenario_sets": len({i.scenario for i in self.items.values() if i.scenario}),
            },
            "programs": [
                {
                    "id": p.id,
                    "title": p.title,
                    "jurisdiction": p.jurisdiction,
                    "modules": len(p.modules),
                    "exam_items": p.exam.length,
                    "education_hours": p.education_hours,
                    "supervised_hours": p.supervised_hours,
                }
                for p in sorted(self.programs.values(), key=lambda p: p.id)
            ],
        }


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=list).encode()).hexdigest()
