"""Starting an audit: the population, the sample drawn from a recorded seed, the rows that
fix it, and the e-mail asking each selected holder for evidence."""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from trainer.domain import ce_audits as rules
from trainer.domain.ce_audits import AuditStatus
from trainer.domain.errors import RuleError, RuleErrors
from trainer.domain.statuses import CertificateStatus, ReviewStatus
from trainer.extensions import db
from trainer.models import CEEntry, Certificate, User
from trainer.models.ce_audits import CEAudit, CEAuditHolder, CEAuditItem
from trainer.services import audit, outbox, registry
from trainer.services.ce_audits.pages import board_of

CURRENT = (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED)


def _day(d: date) -> datetime:
    return datetime.combine(d, time(), UTC)


def population(
    jurisdiction: str, program_id: str | None, renewed_from: date, renewed_to: date
) -> list[int]:
    """Ids of the current certificates issued as renewals in the window (and program) whose
    predecessor's continuing education was approved: the audit's population."""
    prev = aliased(Certificate)
    used_ce = exists().where(
        CEEntry.certificate_id == prev.id, CEEntry.status == ReviewStatus.APPROVED
    )
    query = (
        select(Certificate.id)
        .join(prev, prev.superseded_by_id == Certificate.id)
        .where(
            Certificate.jurisdiction == jurisdiction,
            Certificate.cycle >= 2,
            Certificate.status.in_(CURRENT),
            Certificate.issued_at >= _day(renewed_from),
            Certificate.issued_at < _day(renewed_to + timedelta(days=1)),
            used_ce,
        )
    )
    if program_id:
        query = query.where(Certificate.program_id == program_id)
    return list(db.session.scalars(query))


def start(
    actor: User,
    program_id: str | None,
    renewed_from: date | None,
    renewed_to: date | None,
    percent: str | None,
    due_on: date | None,
    now: datetime,
) -> CEAudit:
    """Start an audit: draw and store the sample, ask each selected holder for evidence.
    RuleErrors beside each field at fault; nothing is written then."""
    jurisdiction = board_of(actor)
    problems: list[RuleError] = []
    share = 0.0
    try:
        share = rules.parse_percent(percent)
    except RuleError as error:
        problems.append(error)
    try:
        rules.check_request(renewed_from, renewed_to, due_on, now.date())
    except RuleErrors as errors:
        problems.extend(errors.problems)
    if program_id and program_id not in registry.programs(jurisdiction):
        problems.append(RuleError("program", "Choose a program from the list."))
    if problems:
        raise RuleErrors(problems)
    assert renewed_from and renewed_to and due_on
    ids = population(jurisdiction, program_id or None, renewed_from, renewed_to)
    if not ids:
        raise RuleError(None, "No renewals in this window used continuing education.")
    # recorded (on the audit and in its audit event, with the population's ids) so anyone
    # can draw the sample again; 63 bits fit a signed BIGINT on every database
    seed = secrets.randbits(63)
    chosen = rules.select_sample(ids, share, seed)
    row = CEAudit(
        jurisdiction=jurisdiction,
        program_id=program_id or None,
        renewed_from=renewed_from,
        renewed_to=renewed_to,
        percent=share,
        seed=seed,
        population=len(ids),
        due_on=due_on,
        status=AuditStatus.OPEN,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    numbers = _select(row, chosen)
    audit.record(
        "ce_audit.started", actor=actor, subject=row, audit=row.id, count=len(chosen),
        population=len(ids), percent=share, seed=str(seed), due_on=due_on.isoformat(),
        window=f"{renewed_from.isoformat()} to {renewed_to.isoformat()}", program=program_id,
        sample=numbers, population_ids=sorted(ids),
    )  # fmt: skip
    return row


def _select(row: CEAudit, chosen: list[int]) -> list[str]:
    """The sample's rows, the entries each holder evidences, and the request e-mails;
    returns the selected certificates' numbers."""
    certs = list(
        db.session.scalars(
            select(Certificate).where(Certificate.id.in_(chosen)).order_by(Certificate.id)
        )
    )
    before: dict[int, int] = {
        new: old
        for new, old in db.session.execute(
            select(Certificate.superseded_by_id, Certificate.id).where(
                Certificate.superseded_by_id.in_(chosen)
            )
        )
        if new is not None
    }
    entries: dict[int, list[CEEntry]] = defaultdict(list)
    for entry in db.session.scalars(
        select(CEEntry)
        .where(CEEntry.certificate_id.in_(before.values()), CEEntry.status == ReviewStatus.APPROVED)
        .order_by(CEEntry.completed_on, CEEntry.id)
    ):
        entries[entry.certificate_id].append(entry)
    holders = {
        c.id: CEAuditHolder(audit_id=row.id, certificate_id=c.id, user_id=c.user_id) for c in certs
    }
    db.session.add_all(holders.values())
    db.session.flush()
    db.session.add_all(
        CEAuditItem(holder_id=holders[c.id].id, ce_entry_id=e.id)
        for c in certs
        for e in entries[before[c.id]]
    )
    people = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({c.user_id for c in certs})))
    }
    for cert in certs:
        listed = "\n".join(
            f"- {e.title}: {e.hours:g} h on {e.completed_on:%-d %b %Y}"
            for e in entries[before[cert.id]]
        )
        person = people[cert.user_id]
        link = outbox.link("audits.request", holder_id=holders[cert.id].id)
        outbox.queue_mail(
            person.email,
            "Your continuing education has been selected for audit",
            f"Hello {person.display_name},\n\nYour renewal of certificate {cert.number} "
            f"({cert.credential_name}) was selected at random for a continuing-education "
            f"audit by {cert.issuing_authority}. Please upload evidence (a certificate of "
            f"attendance, a transcript or a receipt) for each entry below by "
            f"{row.due_on:%-d %B %Y}, then submit it for review:\n\n{listed}\n\n"
            f"Upload your evidence: {link}\n",
            kind="ce_audit_request",
        )
    return [c.number or "" for c in certs]
