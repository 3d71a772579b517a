"""Content as stored (JSON columns) and back into the frozen dataclasses the content parser
made: a program's definition, an item revision's content, a drawn quiz. Code reads
``spec.exam.wait_days`` and ``item.answer`` instead of indexing dicts whose shape lives
elsewhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from trainer.domain.content.model import (
    Attestation,
    Cadence,
    DocumentSpec,
    EvaluationForm,
    EvaluationSpec,
    ExamSpec,
    Item,
    Option,
    Program,
    Qualifying,
    Reference,
    SupervisorRule,
)

_FIELDS = frozenset(f.name for f in fields(Program))
_ITEM_FIELDS = frozenset(f.name for f in fields(Item)) - {"path", "line"}


def to_definition(program: Program) -> dict[str, Any]:
    """What is stored: every field but the source file's path."""
    data = asdict(program)
    data.pop("path")
    return data


def from_definition(data: Mapping[str, Any]) -> Program:
    """The inverse of ``to_definition`` (lists become tuples again)."""
    known = {key: value for key, value in data.items() if key in _FIELDS}
    return Program(
        **{
            **known,
            "modules": tuple(data["modules"]),
            "education_topics": dict(data["education_topics"]),
            "exam": ExamSpec(**data["exam"]),
            "supervised_categories": dict(data["supervised_categories"]),
            "attestations": tuple(Attestation(**a) for a in data["attestations"]),
            "documents": tuple(DocumentSpec(**d) for d in data["documents"]),
            "renewal_topics": dict(data["renewal_topics"]),
            "sources": tuple(Reference(**r) for r in data["sources"]),
            "supervisors": _rule(data.get("supervisors")),
            "supervision_cadence": Cadence(**data["supervision_cadence"])
            if data.get("supervision_cadence")
            else None,
            "evaluations": _evaluations(data.get("evaluations")),
        }
    )


def _evaluations(data: Mapping[str, Any] | None) -> EvaluationSpec | None:
    if not data:
        return None
    return EvaluationSpec(
        str(data["source"]),
        tuple((int(v), str(w)) for v, w in data["scale"]),
        tuple(data["competencies"]),
        tuple(EvaluationForm(**f) for f in data["forms"]),
    )


def _rule(data: Mapping[str, Any] | None) -> SupervisorRule | None:
    if not data:
        return None
    return SupervisorRule(
        str(data["source"]), tuple(Qualifying(**o) for o in data.get("options", ()))
    )


def item_from_content(data: Mapping[str, Any]) -> Item:
    """An item revision's frozen content (``Item.content()``) as the dataclass again.
    Revisions written before an optional field existed read with that field's default."""
    known = {key: value for key, value in data.items() if key in _ITEM_FIELDS}
    return Item(
        **{
            **known,
            "competencies": tuple(data.get("competencies", ())),
            "options": tuple(Option(**o) for o in data["options"]),
            "answer": tuple(data["answer"]),
        }
    )


@dataclass(frozen=True)
class DrawnQuestion:
    """One question of a drawn quiz, as frozen when the quiz started."""

    item_id: str
    revision: int
    order: tuple[str, ...]  # option keys in the order shown


def drawn_questions(form: Sequence[Mapping[str, Any]]) -> tuple[DrawnQuestion, ...]:
    return tuple(DrawnQuestion(f["item_id"], f["revision"], tuple(f["order"])) for f in form)
