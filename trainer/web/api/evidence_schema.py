"""The OpenAPI schema of a certificate's evidence snapshot (part of openapi.py's document):
what the board reads behind a certificate, never descriptions of the work."""

from __future__ import annotations

from typing import Any

_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def evidence_schema() -> dict[str, Any]:
    """Evidence: the snapshot taken when the certificate was earned."""
    evidence = {
        "type": "object",
        "description": "The evidence snapshot taken when the certificate was earned. It never "
        "holds descriptions of the work (they may name clients).",
        "required": [
            "modules_completed",
            "exam",
            "hours_by_category",
            "supervision_hours",
            "supervisors",
            "attestations_signed",
            "documents_approved",
            "reading",
            "supervisor_qualifications",
            "supervision_sessions",
            "evaluations",
        ],
        "properties": {
            "modules_completed": {"type": "array", "items": {"type": "string"}},
            "exam": {
                "type": "object",
                "required": ["result", "passed_on"],
                "properties": {
                    "result": {"type": ["string", "null"], "enum": ["passed", None]},
                    "passed_on": _NULLABLE_DATE,
                },
            },
            "hours_by_category": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["category", "hours"],
                    "properties": {
                        "category": {"type": "string"},
                        "hours": {"type": "number", "minimum": 0},
                    },
                },
            },
            "supervision_hours": {"type": "number", "minimum": 0},
            "supervisors": {"type": "array", "items": {"type": "string"}},
            "attestations_signed": {"type": "array", "items": {"type": "string"}},
            "documents_approved": {"type": "array", "items": {"type": "string"}},
            **supervision_properties(),
        },
    }
    return evidence


def supervision_properties() -> dict[str, Any]:
    """The parts of the snapshot added with reading time and supervision: minutes read per
    module, competency evaluations, confirmed sessions and the supervisors' credentials."""
    return {
        "reading": {
            "description": "Minutes the holder spent reading each module (recorded per "
            "section by the reader), beside its estimated reading time; empty for "
            "certificates earned before reading time was recorded.",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["module", "title", "minutes", "estimated_minutes"],
                "properties": {
                    "module": {"type": "string"},
                    "title": {"type": "string"},
                    "minutes": {"type": "integer", "minimum": 0},
                    "estimated_minutes": {"type": "integer", "minimum": 0},
                },
            },
        },
        "evaluations": {
            "description": "Competency evaluations signed by a supervisor: form, date, "
            "supervisor, the lowest level given and whether the trainee acknowledged it.",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "form": {"type": "string"},
                    "title": {"type": "string"},
                    "signed_on": {"type": "string", "format": "date"},
                    "supervisor": {"type": "string"},
                    "lowest_level": {"type": "integer"},
                    "acknowledged": {"type": "boolean"},
                },
            },
        },
        "supervision_sessions": {
            "description": "Supervision sessions confirmed by both people: how many, "
            "their hours and the program's cadence rule month by month (never notes). "
            "Empty for certificates earned before sessions were recorded.",
            "type": "object",
            "properties": {
                "confirmed": {"type": "integer", "minimum": 0},
                "hours": {"type": "number", "minimum": 0},
                "cadence": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "month": {"type": "string"},
                            "met": {"type": "boolean"},
                            "detail": {"type": "string"},
                        },
                    },
                },
            },
        },
        "supervisor_qualifications": {
            "description": "The verified credential each approving supervisor held when "
            "signing off hours, under the program's supervisor rule.",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    k: {"type": "string"}
                    for k in (
                        "supervisor",
                        "credential",
                        "credential_label",
                        "number",
                        "issuer",
                        "issued_on",
                    )
                },
            },
        },
    }
