"""One certificate's record for its board: what it states, its evidence and history, its PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from trainer.domain.certnumbers import parse_number
from trainer.domain.errors import NotFound
from trainer.domain.registry import standing_actions
from trainer.extensions import db
from trainer.models import AuditEvent, Certificate, ContentRelease, ExamAttempt, Program, User
from trainer.services import audit, content
from trainer.services.certificates.conditions import Condition, in_force
from trainer.services.registry.rows import ROW_COLUMNS, RegistryRow, row_of, visible


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime
    what: str
    who: str
    why: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "what": self.what,
            "who": self.who,
            "why": self.why,
        }


@dataclass(frozen=True)
class Evidence:
    """The evidence snapshot taken when the certificate was earned (no hour descriptions)."""

    modules: list[str]
    exam_passed_on: date | None
    hours_by_category: list[tuple[str, float]]
    supervision_hours: float
    supervisors: list[str]
    attestations: list[str]
    documents: list[str]
    # in words, for people (the ids above stay in the JSON): from the snapshot's own labels
    attestation_labels: list[str] = field(default_factory=list)
    document_labels: list[str] = field(default_factory=list)
    # the passing attempt's score and the pass mark it was held to (None: not recorded)
    exam_percent: float | None = None
    exam_pass_mark: int | None = None
    # time spent reading each module: (module id, title, minutes, estimated minutes); empty
    # when the snapshot predates the reading record
    reading: list[tuple[str, str, int, int]] = field(default_factory=list)
    # the credential each approving supervisor held when signing off, as the snapshot
    # recorded it (empty before supervisor rules were checked)
    supervisor_qualifications: list[dict[str, str]] = field(default_factory=list)
    # confirmed supervision sessions: {"confirmed", "hours", "cadence": [{month, met, detail}]}
    sessions: dict[str, Any] = field(default_factory=dict)
    # signed competency evaluations (form, title, signed_on, supervisor, lowest_level, ...)
    evaluations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def qualification_words(self) -> list[str]:
        """Each as a clerk reads it: "Sam Supervisor: Certified Alcohol and Drug Counselor
        (CADC) no. 123, Kentucky Board of ..., issued 1 March 2020"."""
        out = []
        for q in self.supervisor_qualifications:
            issued = date.fromisoformat(q["issued_on"])
            out.append(
                f"{q['supervisor']}: {q['credential_label']} no. {q['number']}, "
                f"{q['issuer']}, issued {issued:%-d %B %Y}"
            )
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "modules_completed": self.modules,
            "exam": {
                "result": "passed" if self.exam_passed_on else None,
                "passed_on": self.exam_passed_on.isoformat() if self.exam_passed_on else None,
            },
            "hours_by_category": [{"category": c, "hours": h} for c, h in self.hours_by_category],
            "supervision_hours": self.supervision_hours,
            "supervisors": self.supervisors,
            "attestations_signed": self.attestations,
            "documents_approved": self.documents,
            "reading": [
                {"module": i, "title": t, "minutes": m, "estimated_minutes": e}
                for i, t, m, e in self.reading
            ],
            "supervisor_qualifications": self.supervisor_qualifications,
            "supervision_sessions": self.sessions,
            "evaluations": self.evaluations,
        }


@dataclass(frozen=True)
class CertificateRecord:
    row: RegistryRow
    program_title: str
    issuing_authority: str
    cycle: int
    earned_on: date
    revoke_reason: str | None
    renewal_of: str | None
    renewed_by: str | None
    release: str  # the content release it was earned against: short hash and date
    evidence: Evidence
    history: list[HistoryEvent] = field(default_factory=list)
    suspend_reason: str | None = None  # for the board and the holder only
    conditions: list[Condition] = field(default_factory=list)  # in force, public

    @property
    def actions(self) -> frozenset[str]:
        """What the board may change: "suspend", "reinstate", "condition", "revoke"."""
        return standing_actions(self.row.status, self.renewed_by is not None)

    @property
    def standing_forms(self) -> bool:
        """Whether the "Change its standing" forms show (revoking has its own)."""
        return bool(self.actions - {"revoke"})

    def as_json(self) -> dict[str, Any]:
        return {
            **self.row.as_json(),
            "program_title": self.program_title,
            "issuing_authority": self.issuing_authority,
            "cycle": self.cycle,
            "earned_on": self.earned_on.isoformat(),
            "revoke_reason": self.revoke_reason,
            "suspend_reason": self.suspend_reason,
            "conditions": [c.as_json() for c in self.conditions],
            "renewal_of": self.renewal_of,
            "renewed_by": self.renewed_by,
            "content_release": self.release,
            "evidence": self.evidence.as_json(),
            "history": [h.as_json() for h in self.history],
        }


_HISTORY = {
    "certificate.earned": "Requirements met",
    "certificate.review_approved": "Approved after review",
    "certificate.issued": "Issued",
    "certificate.revoked": "Revoked",
    "certificate.renewed": "Superseded by a renewal",
    "certificate.suspended": "Suspended",
    "certificate.reinstated": "Reinstated",
    "certificate.condition_added": "Condition added",
    "certificate.condition_lifted": "Condition lifted",
}


def _find(jurisdiction: str, number: str) -> Certificate:
    """The certificate with this number in this jurisdiction, or NotFound."""
    if parse_number(number) is None:
        raise NotFound(number)
    cert = db.session.scalar(
        select(Certificate).where(
            Certificate.number == number.strip().upper(), visible(jurisdiction)
        )
    )
    if cert is None:
        raise NotFound(number)
    return cert


def holds(jurisdiction: str, number: str) -> bool:
    """Whether this jurisdiction's registry has a certificate with this number."""
    try:
        _find(jurisdiction, number)
    except NotFound:
        return False
    return True


def _history(cert: Certificate) -> list[HistoryEvent]:
    events = db.session.execute(
        select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.details,
            User.legal_name,
            AuditEvent.actor_id,
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.subject_type == "Certificate",
            AuditEvent.subject_id == str(cert.id),
            AuditEvent.action.in_(_HISTORY),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    out = []
    for e in events:
        if e.actor_id is None:
            who = "trainer (automatically)"
        elif e.actor_id == cert.user_id:
            who = "The holder"
        else:
            who = e.legal_name
        what = _HISTORY[e.action]
        why = None
        if e.action in ("certificate.revoked", "certificate.suspended"):
            why = str(e.details.get("reason") or "") or None
        if e.action == "certificate.suspended" and e.details.get("until"):
            what = f"Suspended until {e.details['until']}"
        if e.action == "certificate.condition_added":
            why = str(e.details.get("text") or "") or None
        if e.action == "certificate.reinstated" and e.details.get("note"):
            why = str(e.details["note"])
        if e.action == "certificate.renewed" and e.details.get("renewed_by"):
            what = f"Superseded by renewal {e.details['renewed_by']}"
        if e.action == "certificate.issued" and cert.evidence.get("renewal_of"):
            what = f"Issued as the renewal of {cert.evidence['renewal_of']}"
        out.append(HistoryEvent(e.at, what, who, why))
    return out


def _words(ev: dict[str, Any], kind: str, ids: list[str], prefix: str) -> list[str]:
    """The snapshot's label of each ``kind:id`` requirement, without its ``prefix``; an id
    the snapshot does not label reads as words ("high school diploma")."""
    labels = {r.get("key"): r.get("label", "") for r in ev.get("requirements", [])}
    out = []
    for rid in ids:
        label = labels.get(f"{kind}:{rid}") or rid.replace("-", " ").capitalize()
        out.append(label.removeprefix(prefix))
    return out


def _exam_score(cert: Certificate) -> tuple[float | None, int | None]:
    """The score of the passed attempt the certificate was earned with: the first one
    passed, as the evidence snapshot's ``exam.passed_at`` (certificates.issuance)."""
    row = db.session.execute(
        select(ExamAttempt.percent, ExamAttempt.passing_percent)
        .where(
            ExamAttempt.user_id == cert.user_id,
            ExamAttempt.program_id == cert.program_id,
            ExamAttempt.passed.is_(True),
            ExamAttempt.finished_at <= cert.earned_at,
        )
        .order_by(ExamAttempt.finished_at)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def record(jurisdiction: str, number: str, now: datetime) -> CertificateRecord:
    cert = _find(jurisdiction, number)
    program = db.session.get(Program, cert.program_id)
    release = db.session.get(ContentRelease, cert.release_id)
    assert program is not None and release is not None
    ev = cert.evidence or {}
    labels = content.labels("domains")
    exam_at = (ev.get("exam") or {}).get("passed_at")
    renewed_by = None
    if cert.superseded_by_id:
        renewed_by = db.session.scalar(
            select(Certificate.number).where(Certificate.id == cert.superseded_by_id)
        )
    row = db.session.execute(select(*ROW_COLUMNS).where(Certificate.id == cert.id)).one()
    score, pass_mark = _exam_score(cert) if exam_at else (None, None)
    return CertificateRecord(
        row=row_of(row, now),
        program_title=program.title,
        issuing_authority=cert.issuing_authority,
        cycle=cert.cycle,
        earned_on=cert.earned_at.date(),
        revoke_reason=cert.revoke_reason,
        renewal_of=ev.get("renewal_of"),
        renewed_by=renewed_by,
        release=f"{release.hash[:12]} ({release.loaded_at.date().isoformat()})",
        evidence=Evidence(
            modules=list(ev.get("modules", [])),
            exam_passed_on=datetime.fromisoformat(exam_at).date() if exam_at else None,
            hours_by_category=[
                (labels.get(k, k), float(v)) for k, v in ev.get("hours_by_category", {}).items()
            ],
            supervision_hours=float(ev.get("supervision_hours", 0)),
            supervisors=list(ev.get("supervisors", [])),
            attestations=list(ev.get("attestations", [])),
            documents=list(ev.get("documents", [])),
            attestation_labels=_words(
                ev, "attestation", list(ev.get("attestations", [])), "Signed statement: "
            ),
            document_labels=_words(ev, "document", list(ev.get("documents", [])), "Document: "),
            exam_percent=score,
            exam_pass_mark=pass_mark,
            reading=[
                (r["module"], r["title"], int(r["minutes"]), int(r["estimated_minutes"]))
                for r in ev.get("reading", [])
            ],
            supervisor_qualifications=list(ev.get("supervisor_qualifications", [])),
            sessions=dict(ev.get("supervision_sessions", {})),
            evaluations=list(ev.get("evaluations", [])),
        ),
        history=_history(cert),
        suspend_reason=cert.suspend_reason,
        conditions=in_force([cert.id], now)[cert.id],
    )


@dataclass(frozen=True)
class StoredPdf:
    filename: str
    data: bytes
    sha256: str


def pdf(jurisdiction: str, number: str) -> StoredPdf:
    cert = _find(jurisdiction, number)
    if cert.pdf is None or cert.number is None:
        raise NotFound(number)
    return StoredPdf(f"{cert.number}.pdf", cert.pdf, cert.pdf_sha256 or "")


def open_record(
    board_member: User, jurisdiction: str, number: str, now: datetime
) -> CertificateRecord:
    """``record`` for a board member's page, with the access written to the audit log."""
    rec = record(jurisdiction, number, now)
    audit.record("board.record_viewed", actor=board_member, number=rec.row.number)
    return rec


def download_pdf(board_member: User, jurisdiction: str, number: str) -> StoredPdf:
    """``pdf`` for a board member, with the download (and the file's hash) audited."""
    stored = pdf(jurisdiction, number)
    audit.record(
        "board.pdf_downloaded",
        actor=board_member,
        number=stored.filename.removesuffix(".pdf"),
        sha256=stored.sha256,
    )
    return stored
