"""A credential program as stored with its release (``programs.definition``, JSON) and back
into the frozen dataclass the content parser made, so code reads ``spec.exam.wait_days``
instead of indexing nested dicts whose shape lives elsewhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields
from typing import Any

from trainer.domain.content.model import (
    Attestation,
    DocumentSpec,
    ExamSpec,
    Program,
    Reference,
)

_FIELDS = frozenset(f.name for f in fields(Program))


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
        }
    )
