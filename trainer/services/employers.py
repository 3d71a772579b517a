"""Employer roster monitoring: an organisation watches its staff's certificates.

An employer adds certificate numbers (one at a time or from a CSV file, all or nothing) and
sees, for each, exactly what the public verify page shows: holder, credential, status,
dates and the conditions in force. It is e-mailed when a watched certificate changes
standing (``on_event``, called by ``certificates.events.dispatch``) and once when one comes
within 60 days of expiry (``expiry_watch``, a worker job). When a watched certificate is
renewed the roster follows to the new number.

Only issued certificates can be added, and a number that is malformed, unknown or not yet
issued gets the same answer (``NO_SUCH``): the roster tells nothing the verify page does not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from trainer.domain import rosters as rules
from trainer.domain.certnumbers import parse_number
from trainer.domain.errors import NotFound, RuleError
from trainer.domain.registry import public_status
from trainer.domain.roles import EMPLOYER
from trainer.domain.rosters import NO_SUCH
from trainer.domain.statuses import CertificateEventKind, CertificateStatus
from trainer.extensions import db
from trainer.models import Certificate, CertificateCondition, CertificateEvent, User, UserRole
from trainer.models.employers import RosterEntry, RosterNotice
from trainer.services import audit, db_util, outbox
from trainer.services.certificates.conditions import Condition, in_force

#: Numbers on one employer's roster.
MAX_ROSTER = 10_000
#: The notice before expiry, and the roster's "expiring soon".
EXPIRING = timedelta(days=60)
PER_PAGE = 100
_ISSUED = (
    CertificateStatus.ACTIVE,
    CertificateStatus.SUSPENDED,
    CertificateStatus.REVOKED,
    CertificateStatus.SUPERSEDED,
)


# -- finding certificates ---------------------------------------------------------------------


def _current(numbers: Sequence[str]) -> dict[str, Certificate]:
    """The issued certificate each number stands for today (a renewed one's successor).
    Numbers that are malformed, unknown or not issued are left out."""
    wanted = sorted({n for n in numbers if parse_number(n) is not None})
    found: dict[str, Certificate] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for cert in db.session.scalars(
            select(Certificate).where(
                Certificate.number.in_(chunk), Certificate.status.in_(_ISSUED)
            )
        ):
            assert cert.number is not None
            found[cert.number] = cert
    for _ in range(20):  # renewals, one cycle per pass
        renewed = {n: c.superseded_by_id for n, c in found.items() if c.superseded_by_id}
        if not renewed:
            break
        successors = {
            c.id: c
            for c in db.session.scalars(
                select(Certificate).where(
                    Certificate.id.in_(set(renewed.values())), Certificate.status.in_(_ISSUED)
                )
            )
        }
        moved = False
        for number, successor_id in renewed.items():
            successor = successors.get(successor_id or 0)
            if successor is not None and successor.number is not None:
                found[number], moved = successor, True
        if not moved:
            break
    return found


def _on_roster(employer: User, numbers: Sequence[str]) -> set[str]:
    if not numbers:
        return set()
    return set(
        db.session.scalars(
            select(RosterEntry.number).where(
                RosterEntry.employer_id == employer.id, RosterEntry.number.in_(numbers)
            )
        )
    )


def _size(employer: User) -> int:
    return (
        db.session.scalar(select(func.count()).where(RosterEntry.employer_id == employer.id)) or 0
    )


def _new_entry(
    employer: User, cert: Certificate, asked: str, label: str | None, now: datetime
) -> RosterEntry:
    assert cert.number is not None
    entry = RosterEntry(
        employer_id=employer.id,
        certificate_id=cert.id,
        number=cert.number,
        label=label,
        renewed_from=asked if asked != cert.number else None,
        told_status=cert.public_status(now),
        added_at=now,
    )
    db.session.add(entry)
    return entry


# -- changing the roster ----------------------------------------------------------------------


def add_number(employer: User, number: str, label: str | None, now: datetime) -> RosterEntry:
    """Put one certificate on the employer's roster. A renewed number brings its successor.

    Raises RuleError on ``number`` (no issued certificate has it: the same answer whatever
    the reason; already on the roster; the roster is full) or ``label`` (too long).
    """
    asked = number.strip().upper()
    if not asked:
        raise RuleError("number", "Enter a certificate number.")
    cert = _current([asked]).get(asked)
    if cert is None or cert.number is None:
        raise RuleError("number", NO_SUCH)
    label = rules.clean_label(label)
    if _on_roster(employer, [cert.number]):
        raise RuleError("number", f"{cert.number} is already on your roster.")
    if _size(employer) >= MAX_ROSTER:
        raise RuleError("number", f"Your roster is full ({MAX_ROSTER:,} numbers).")
    entry = _new_entry(employer, cert, asked, label, now)
    db.session.flush()
    audit.record("employer.roster_added", actor=employer, subject=entry, number=cert.number)
    return entry


@dataclass(frozen=True)
class Imported:
    added: int
    already: int  # numbers of the file that were on the roster before


def import_csv(employer: User, data: bytes, now: datetime) -> Imported:
    """Add every number of a roster file, or none: any problem (a number no issued
    certificate has, the same certificate twice, a name too long) raises RuleErrors on
    ``file``, one message per row ("row 3: ..."). Numbers already on the roster are left
    as they are and counted."""
    rows = rules.parse_csv(data)
    found = _current([r.number for r in rows])
    problems: list[RuleError] = []
    first_row: dict[int, int] = {}
    for r in rows:
        cert = found.get(r.number)
        if cert is None:
            problems.append(RuleError("file", f"row {r.row} ({r.number[:40]}): {NO_SUCH}"))
        elif cert.id in first_row:
            problems.append(
                RuleError("file", f"row {r.row}: the same certificate as row {first_row[cert.id]}.")
            )
        else:
            first_row[cert.id] = r.row
    if problems:
        raise rules.shown(problems)
    have = _on_roster(employer, [c.number for c in found.values() if c.number])
    new = [r for r in rows if found[r.number].number not in have]
    if _size(employer) + len(new) > MAX_ROSTER:
        raise RuleError(
            "file", f"Your roster would pass {MAX_ROSTER:,} numbers; nothing was added."
        )
    for r in new:
        _new_entry(employer, found[r.number], r.number, r.label, now)
    try:
        db.session.flush()
    except IntegrityError:  # the same number added by another request meanwhile
        raise RuleError(
            "file", "Your roster changed while the file was read; upload it again."
        ) from None
    added = sorted(str(found[r.number].number) for r in new)
    audit.record(
        "employer.roster_imported", actor=employer, subject=employer, added=added,
        already=len(rows) - len(new),
    )  # fmt: skip
    return Imported(len(new), len(rows) - len(new))


def remove(employer: User, entry_id: int, now: datetime) -> str:
    """Take a number off the employer's roster; returns it. NotFound for another's entry."""
    entry = db.session.get(RosterEntry, entry_id)
    if entry is None or entry.employer_id != employer.id:
        raise NotFound(entry_id)
    number = entry.number
    db.session.execute(delete(RosterNotice).where(RosterNotice.entry_id == entry.id))
    db.session.delete(entry)
    db.session.flush()
    audit.record(
        "employer.roster_removed", actor=employer, subject_type="RosterEntry",
        subject_id=entry_id, number=number,
    )  # fmt: skip
    return number


# -- reading the roster -----------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """One roster line: only what the public verify page shows, and the employer's note."""

    id: int
    number: str
    label: str | None
    holder_name: str
    credential: str
    status: str  # active | expired | suspended | revoked | superseded
    issued_on: str
    expires_on: str
    days_left: int | None  # a valid certificate expiring within 60 days
    conditions: tuple[Condition, ...]
    renewed_from: str | None  # the number the employer added, renewed as ``number``
    suspended_until: str | None = None  # a suspension with an end date

    @property
    def status_words(self) -> str:
        return rules.STATUS_WORDS.get(self.status, self.status)

    @property
    def needs_attention(self) -> bool:
        return (
            self.status in ("suspended", "revoked", "expired")
            or self.days_left is not None
            or bool(self.conditions)
        )


@dataclass(frozen=True)
class Roster:
    rows: list[RosterRow]
    total: int
    attention: int
    page: int
    pages: int
    attention_only: bool


def _needs_attention(now: datetime) -> ColumnElement[bool]:
    condition = exists().where(
        CertificateCondition.certificate_id == Certificate.id,
        CertificateCondition.lifted_at.is_(None),
        or_(CertificateCondition.until.is_(None), CertificateCondition.until > now.date()),
    )
    return or_(
        Certificate.status.in_([CertificateStatus.SUSPENDED, CertificateStatus.REVOKED]),
        and_(
            Certificate.status == CertificateStatus.ACTIVE, Certificate.expires_at <= now + EXPIRING
        ),
        condition,
    )


def roster(employer: User, now: datetime, attention_only: bool = False, page: int = 1) -> Roster:
    """A page of the employer's roster in holder-name order, and its counts."""
    mine = RosterEntry.employer_id == employer.id
    attention = _needs_attention(now)
    total, flagged = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((attention, 1), else_=0)), 0))
        .select_from(RosterEntry)
        .join(Certificate, Certificate.id == RosterEntry.certificate_id)
        .where(mine)
    ).one()
    shown = flagged if attention_only else total
    pages = max(1, math.ceil(shown / PER_PAGE))
    page = min(max(page, 1), pages)
    query = (
        select(
            RosterEntry.id,
            RosterEntry.number,
            RosterEntry.label,
            RosterEntry.renewed_from,
            Certificate.id,
            Certificate.holder_name,
            Certificate.credential_name,
            Certificate.status,
            Certificate.issued_at,
            Certificate.expires_at,
            Certificate.suspended_until,
        )  # fmt: skip
        .join(Certificate, Certificate.id == RosterEntry.certificate_id)
        .where(mine, attention if attention_only else true())
        .order_by(Certificate.holder_name, RosterEntry.number)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    found = db.session.execute(query).all()
    conditions = in_force([r[4] for r in found], now)
    rows = [_row(r, conditions.get(r[4], []), now) for r in found]
    return Roster(rows, total, flagged, page, pages, attention_only)


def _row(r: Any, conditions: list[Condition], now: datetime) -> RosterRow:
    entry_id, number, label, renewed_from, _, holder, credential, status, issued, expires, end = r
    public = public_status(status, expires, now)
    left = None
    if public == "active" and expires is not None and expires - now <= EXPIRING:
        left = max(1, math.ceil((expires - now) / timedelta(days=1)))
    return RosterRow(
        entry_id, number, label, holder, credential, public,
        issued.date().isoformat() if issued else "", expires.date().isoformat() if expires else "",
        left, tuple(conditions), renewed_from, end.isoformat() if end else None,
    )  # fmt: skip


# -- telling employers ------------------------------------------------------------------------


def _watching() -> ColumnElement[bool]:
    """Entries of active employer accounts (a deactivated one is told nothing)."""
    employers = (
        select(UserRole.user_id)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == EMPLOYER, User.active.is_(True))
    )
    return RosterEntry.employer_id.in_(employers)


def watchers(event: CertificateEvent) -> set[int]:
    """Employer users with the event's certificate on their roster."""
    return set(
        db.session.scalars(
            select(RosterEntry.employer_id).where(
                RosterEntry.certificate_id == event.certificate_id, _watching()
            )
        )
    )


def _follow(entry: RosterEntry, old: Certificate, new: Certificate, now: datetime) -> RosterEntry:
    """Move an entry from a renewed certificate to its successor (or, when the employer
    already has the successor, keep that entry and drop this one)."""
    assert new.number is not None and old.number is not None
    there = db.session.scalar(
        select(RosterEntry).where(
            RosterEntry.employer_id == entry.employer_id, RosterEntry.number == new.number
        )
    )
    if there is not None:
        there.renewed_from = there.renewed_from or old.number
        db.session.execute(delete(RosterNotice).where(RosterNotice.entry_id == entry.id))
        db.session.delete(entry)
        entry = there
    else:
        entry.certificate_id, entry.number, entry.renewed_from = new.id, new.number, old.number
    entry.told_status = new.public_status(now)
    db.session.flush()
    audit.record(
        "employer.roster_followed", subject=entry, number=old.number, renewed_by=new.number
    )
    return entry


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "(no date)"


def on_event(event: CertificateEvent, now: datetime) -> int:
    """E-mail the employers watching the certificate; returns how many were queued.

    A renewal moves the entries to the new certificate. A status change is told once (an
    entry remembers the status it last told); an issuance tells nothing.
    """
    if event.kind == CertificateEventKind.ISSUED:
        return 0
    entries = list(
        db.session.scalars(
            select(RosterEntry).where(RosterEntry.certificate_id == event.certificate_id)
        )
    )
    if not entries:
        return 0
    active = watchers(event)  # a deactivated employer's roster follows, but is told nothing
    cert = db.session.get(Certificate, event.certificate_id)
    assert cert is not None
    if event.kind == CertificateEventKind.RENEWED:
        new = db.session.get(Certificate, cert.superseded_by_id or 0)
        if new is None or new.number is None:
            return 0
        entries = [_follow(e, cert, new, now) for e in entries]
        cert = new
    sent = 0
    for entry in entries:
        text, entry.told_status = rules.news(
            event.kind, event.data or {}, entry.told_status, _day(event.occurred_at),
            _day(cert.expires_at),
        )  # fmt: skip
        if text is not None and entry.employer_id in active:
            _tell(entry, cert, event, text)
            sent += 1
    db.session.flush()
    return sent


def _of(employer: User) -> str:
    return f" ({employer.organisation})" if employer.organisation else ""


def _tell(entry: RosterEntry, cert: Certificate, event: CertificateEvent, text: str) -> None:
    employer = db.session.get(User, entry.employer_id)
    assert employer is not None and cert.number is not None
    was = f" (renewed from {event.number})" if event.number != cert.number else ""
    what = {"certificate.renewed": "renewed", "certificate.condition_added": "condition added"}
    outbox.queue_mail(
        employer.email,
        f"Staff certificate {cert.number} ({cert.holder_name}): "
        + what.get(event.kind, rules.STATUS_WORDS.get(entry.told_status, "").lower()),
        f"Hello {employer.display_name},\n\n"
        f"News of a certificate on your roster{_of(employer)}:\n\n"
        f"{cert.holder_name}, {cert.credential_name}\nCertificate {cert.number}{was}\n\n"
        f"{text}\n\nYour roster: {outbox.link('employer.home')}\n"
        f"Anyone can check it: {outbox.link('verify.certificate', number=cert.number)}\n",
        kind="employer_" + event.kind.rpartition(".")[2],
    )


def expiry_watch(now: datetime) -> int:
    """E-mail each employer, once per certificate, when a valid certificate on its roster
    comes within 60 days of expiry (one message per employer per run, listing them all);
    returns the number of messages queued. A unique row per (entry, certificate) makes
    "once" hold, also when run twice."""
    told = exists().where(
        RosterNotice.entry_id == RosterEntry.id,
        RosterNotice.kind == "expiring",
        RosterNotice.certificate_id == RosterEntry.certificate_id,
    )
    due = db.session.execute(
        select(RosterEntry.id, RosterEntry.employer_id, Certificate)
        .join(Certificate, Certificate.id == RosterEntry.certificate_id)
        .where(
            _watching(),
            Certificate.status == CertificateStatus.ACTIVE,
            Certificate.expires_at > now,
            Certificate.expires_at <= now + EXPIRING,
            ~told,
        )
        .order_by(RosterEntry.employer_id, Certificate.expires_at, Certificate.id)
    ).all()
    by_employer: dict[int, list[Certificate]] = {}
    for entry_id, employer_id, cert in due:
        added = db_util.insert_or_ignore(
            RosterNotice, entry_id=entry_id, kind="expiring", certificate_id=cert.id, sent_at=now
        )
        if added:
            by_employer.setdefault(employer_id, []).append(cert)
    for employer_id, certs in by_employer.items():
        employer = db.session.get(User, employer_id)
        assert employer is not None
        lines = "\n".join(
            f"- {c.holder_name}, {c.credential_name}, certificate {c.number}: expires on "
            f"{_day(c.expires_at)}" for c in certs
        )  # fmt: skip
        n = len(certs)
        outbox.queue_mail(
            employer.email,
            f"{n} staff certificate{'s' if n > 1 else ''} expire{'' if n > 1 else 's'} "
            "within 60 days",
            f"Hello {employer.display_name},\n\nThese certificates on your roster"
            f"{_of(employer)} expire within 60 days:\n\n{lines}\n\n"
            "Their holders renew them with the issuing authority; your roster follows a "
            f"renewal by itself.\n\nYour roster: {outbox.link('employer.home')}\n",
            kind="employer_expiring",
        )
    return len(by_employer)
