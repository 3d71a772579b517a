"""The OpenAPI 3.1 document for /api/v1 (kept beside the views it describes; a test validates
it with openapi-spec-validator and schemathesis calls every operation against it)."""

from __future__ import annotations

from typing import Any

from trainer.domain.registry import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY, SORTS, STATUSES
from trainer.web.api.evidence_schema import evidence_schema

_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_ERRORS = {
    "400": _error("A query parameter is unknown, repeated or not valid (see error.fields)."),
    "401": _error("No API token, or it is unknown, revoked or expired."),
    "403": _error("The token's account is not a board member."),
    "429": _error("Too many calls with this token; wait a minute."),
}


def _param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 60},
    "description": "The certificate number, e.g. KY-APSS-2026-000123-7.",
}
_LIMIT = _param(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    "Items per page.",
)
_CURSOR = _param(
    "cursor",
    {"type": "string", "minLength": 1, "maxLength": 2000},
    "The next_cursor of the previous page, with the same other parameters.",
)


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """An object with exactly these properties, all present (null where empty)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


REGISTRY_SECURITY: list[dict[str, list[str]]] = [{"bearerToken": []}]


def document(base_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of /api/v1, assembled from one function per schema and
    per endpoint below."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "trainer registry API",
            "version": "1.0.0",
            "description": (
                "Verify Peer Support Specialist certificates (public) and, for state boards, "
                "search, fetch and synchronise the certificates of the board's jurisdiction. "
                "Registry calls need an API token created on the board's API tokens page, "
                "sent as `Authorization: Bearer <token>`. A token sees only its owner's "
                "jurisdiction; a certificate of another jurisdiction answers 404. Pages are "
                "cursor-based: repeat the query with `cursor=<next_cursor>` until it is null. "
                "Every registry call is recorded in the audit log."
            ),
        },
        "servers": [{"url": base_url.rstrip("/") + "/api/v1"}],
        "components": {
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A board member's API token (trn_...).",
                }
            },
            "schemas": {
                "RegistryCertificate": _row_schema(),
                "CertificateRecord": _record_schema(),
                "Evidence": evidence_schema(),
                "HistoryEvent": _history_schema(),
                "PublicCertificate": _public_schema(),
                "Error": _error_schema(),
            },
        },
        "paths": {
            "/certificates/{number}": _verify_path(),
            "/registry/certificates": _search_path(),
            "/registry/certificates/{number}": _record_path(),
            "/registry/certificates/{number}/pdf": _pdf_path(),
            "/registry/changes": _changes_path(),
        },
    }


_SUSPENSION: dict[str, Any] = {
    "suspended_on": {**_NULLABLE_DATE, "description": "Set while the status is suspended"},
    "suspended_until": {
        **_NULLABLE_DATE,
        "description": "When a suspension ends by itself; null while suspended: until the "
        "board reinstates it",
    },
}
_CONDITIONS: dict[str, Any] = {
    "type": "array",
    "description": "Public conditions and notices in force",
    "items": {
        "type": "object",
        "required": ["text", "until", "added_on"],
        "properties": {
            "text": {"type": "string"},
            "until": _NULLABLE_DATE,
            "added_on": {"type": "string", "format": "date"},
        },
    },
}


def _row_schema() -> dict[str, Any]:
    """RegistryCertificate: one row of a search."""
    row = _object(
        {
            "number": {"type": "string"},
            "holder_name": {"type": "string"},
            "credential": {"type": "string"},
            "program": {"type": "string", "description": "Program id"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "issued_on": {"type": "string", "format": "date"},
            "expires_on": {"type": "string", "format": "date"},
            "revoked_on": _NULLABLE_DATE,
            "updated_at": {"type": "string", "format": "date-time"},
            "pdf_sha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
            **_SUSPENSION,
        }
    )
    return row


def _record_schema() -> dict[str, Any]:
    """CertificateRecord: a row plus the record's own fields."""
    row = _row_schema()
    record_props = {
        "program_title": {"type": "string"},
        "issuing_authority": {"type": "string"},
        "cycle": {"type": "integer", "minimum": 1},
        "earned_on": {"type": "string", "format": "date"},
        "revoke_reason": {"type": ["string", "null"]},
        "suspend_reason": {
            "type": ["string", "null"],
            "description": "Why it is suspended (for the board; not shown to the public)",
        },
        "conditions": _CONDITIONS,
        "renewal_of": {"type": ["string", "null"]},
        "renewed_by": {"type": ["string", "null"]},
        "content_release": {"type": "string"},
        "evidence": {"$ref": "#/components/schemas/Evidence"},
        "history": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryEvent"}},
    }
    record = _object({**row["properties"], **record_props})
    return record


def _history_schema() -> dict[str, Any]:
    """HistoryEvent: one line of a certificate's history."""
    history = {
        "type": "object",
        "required": ["at", "what", "who", "why"],
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "what": {"type": "string"},
            "who": {"type": "string"},
            "why": {"type": ["string", "null"]},
        },
    }
    return history


def _error_schema() -> dict[str, Any]:
    """Error: every 4xx answer's body."""
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "code", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "Query parameter -> what is wrong with it.",
                    },
                },
            }
        },
    }
    return error


def _public_schema() -> dict[str, Any]:
    """PublicCertificate: what anyone may check."""
    public = _object(
        {
            "number": {"type": "string"},
            "holder_name": {"type": "string"},
            "credential": {"type": "string"},
            "program": {"type": "string"},
            "issuing_authority": {
                "type": "string",
                "description": "The regulator or board whose rules the credential follows",
            },
            "jurisdiction": {"type": "string"},
            "issued_on": {"type": "string", "format": "date"},
            "expires_on": {"type": "string", "format": "date"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "revoked_on": _NULLABLE_DATE,
            "issued_by": {
                "type": "string",
                "description": "Who signed the credential: the organisation running this "
                "system (for certificates issued before that was configurable, the authority)",
            },
            **_SUSPENSION,
            "conditions": _CONDITIONS,
            "signing_key_retired_on": {
                **_NULLABLE_DATE,
                "description": "When the key that signed its digital credential was retired "
                "(the credential's signature then no longer verifies); null while in use",
            },
        }
    )
    return public


def _page(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "items": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/RegistryCertificate"},
        },
        "next_cursor": {
            "type": ["string", "null"],
            "description": "Pass as cursor for the next page; null on the last page.",
        },
        **(extra or {}),
    }
    return {
        "description": "A page of certificates.",
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": list(props), "properties": props}
            }
        },
    }


def _verify_path() -> dict[str, Any]:
    """GET /certificates/{number}: the public check."""
    return {
        "get": {
            "operationId": "verifyCertificate",
            "summary": "Verify a certificate (public)",
            "security": [],
            "parameters": [_NUMBER],
            "responses": {
                "200": {
                    "description": "What the certificate states, and its status.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/PublicCertificate"}
                        }
                    },
                },
                "400": _ERRORS["400"],
                "404": _error("No certificate has this number."),
                "429": _error("Too many verifications from this address."),
            },
        }
    }


def _search_path() -> dict[str, Any]:
    """GET /registry/certificates: search."""
    return {
        "get": {
            "operationId": "searchRegistry",
            "summary": "Search the certificates of your jurisdiction",
            "security": REGISTRY_SECURITY,
            "parameters": [
                _param(
                    "q",
                    {"type": "string", "minLength": 1, "maxLength": MAX_QUERY},
                    "A certificate number (exact) or part of the holder's name "
                    "(case-insensitive, taken literally).",
                ),
                _param("status", {"type": "string", "enum": list(STATUSES)}, "Status today."),
                _param("program", {"type": "string", "minLength": 1}, "Program id."),
                _param(
                    "issued_from",
                    {"type": "string", "format": "date"},
                    "Issued on or after this day (UTC).",
                ),
                _param(
                    "issued_to",
                    {"type": "string", "format": "date"},
                    "Issued on or before this day (UTC).",
                ),
                _param(
                    "expires_from",
                    {"type": "string", "format": "date"},
                    "Expires on or after this day (UTC).",
                ),
                _param(
                    "expires_to",
                    {"type": "string", "format": "date"},
                    "Expires on or before this day (UTC).",
                ),
                _param(
                    "sort",
                    {"type": "string", "enum": list(SORTS), "default": "issued_desc"},
                    "Order of the results.",
                ),
                _LIMIT,
                _CURSOR,
            ],
            "responses": {"200": _page(), **_ERRORS},
        }
    }


def _record_path() -> dict[str, Any]:
    """GET /registry/certificates/{number}: one record."""
    return {
        "get": {
            "operationId": "getRegistryCertificate",
            "summary": "One certificate's record: facts, evidence and history",
            "security": REGISTRY_SECURITY,
            "parameters": [_NUMBER],
            "responses": {
                "200": {
                    "description": "The record.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CertificateRecord"}
                        }
                    },
                },
                **_ERRORS,
                "404": _error("No certificate of your jurisdiction has this number."),
            },
        }
    }


def _pdf_path() -> dict[str, Any]:
    """GET /registry/certificates/{number}/pdf: the stored PDF."""
    return {
        "get": {
            "operationId": "getRegistryCertificatePdf",
            "summary": "The certificate's PDF, exactly as issued",
            "security": REGISTRY_SECURITY,
            "parameters": [_NUMBER],
            "responses": {
                "200": {
                    "description": "The PDF; its SHA-256 is in the record's pdf_sha256.",
                    "content": {
                        "application/pdf": {"schema": {"type": "string", "format": "binary"}}
                    },
                },
                **_ERRORS,
                "404": _error("No certificate of your jurisdiction has this number."),
            },
        }
    }


def _changes_path() -> dict[str, Any]:
    """GET /registry/changes: what changed since a moment."""
    return {
        "get": {
            "operationId": "listRegistryChanges",
            "summary": "Certificates changed since a moment, for synchronising",
            "description": (
                "Certificates of your jurisdiction issued, renewed, revoked or "
                "superseded at or after `since`, oldest change first. Store `as_of` "
                "and pass it (less a few minutes, to allow for transactions still "
                "committing) as the next `since`; an item seen twice is the same "
                "certificate again."
            ),
            "security": REGISTRY_SECURITY,
            "parameters": [
                {
                    "name": "since",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "format": "date-time"},
                    "description": "ISO 8601 timestamp with a zone.",
                },
                _LIMIT,
                _CURSOR,
            ],
            "responses": {
                "200": _page(
                    {
                        "as_of": {
                            "type": "string",
                            "format": "date-time",
                            "description": "The server's time of this answer.",
                        }
                    }
                ),
                **_ERRORS,
            },
        }
    }
