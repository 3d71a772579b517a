"""The published revocation list: a signed W3C Bitstring Status List credential.

Each certificate issued since status lists were introduced has a random, unique index in the
list (random so that neighbouring indexes say nothing about who was certified together;
Bitstring Status List section 6.1). The signed list is stored and served as stored; a
status change marks it stale and the worker signs a new one (``rebuild_stale``), so a
verifier sees a revocation within the worker's job interval and the list's cache time.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from trainer.domain import credential as vc
from trainer.domain import statuslist
from trainer.domain.statuses import CertificateStatus
from trainer.extensions import db
from trainer.models import Certificate, StatusList
from trainer.services import db_util
from trainer.services.certificates.keys import base_url, issuer, key_url, signing_key

#: the purposes this deployment publishes. A certificate has the same index in both lists;
#: its credential names the revocation list only (the Open Badges 3.0 schema allows one
#: ``credentialStatus``), so the suspension list is for verifiers that know this issuer's
#: convention (documented in the README), and the verify page and API say it in words.
PURPOSES = ("revocation", "suspension")
_MARKED = {"revocation": CertificateStatus.REVOKED, "suspension": CertificateStatus.SUSPENDED}


def list_url(purpose: str = "revocation") -> str:
    return f"{base_url()}/credentials/status/{purpose}"


def assign_index(cert: Certificate) -> vc.StatusEntry:
    """Give ``cert`` a free random index in the revocation list (flushes)."""
    for _ in range(20):
        index = secrets.randbelow(statuslist.SIZE)
        try:
            with db.session.begin_nested():
                cert.status_index = index
                db.session.flush()
        except IntegrityError:
            continue  # taken: draw again
        return vc.StatusEntry(list_url(), index)
    raise RuntimeError("the revocation list is full: a second list is needed")


def _marked_indexes(purpose: str) -> list[int]:
    return [
        i
        for i in db.session.scalars(
            select(Certificate.status_index).where(
                Certificate.status == _MARKED[purpose],
                Certificate.status_index.is_not(None),
            )
        )
        if i is not None
    ]


def _sign(purpose: str, now: datetime) -> str:
    document = statuslist.credential(
        list_url(purpose),
        purpose,
        issuer().did,
        statuslist.encode(_marked_indexes(purpose)),
        now,
    )
    signed = vc.sign(document, signing_key(), key_url(), now)
    return json.dumps(signed, separators=(",", ":"))


def published(purpose: str, now: datetime) -> str:
    """The signed list as served. The first request signs and stores it; after that it is
    what the worker last signed. Raises KeyError for a purpose not published."""
    if purpose not in PURPOSES:
        raise KeyError(purpose)
    stored = db.session.scalar(
        select(StatusList.credential_json).where(StatusList.purpose == purpose)
    )
    if stored is not None:
        return stored
    signed = _sign(purpose, now)
    with db_util.writing():
        db_util.insert_or_ignore(StatusList, purpose=purpose, credential_json=signed, built_at=now)
    # another request may have signed it at the same moment: serve what was kept
    kept = db.session.scalar(
        select(StatusList.credential_json).where(StatusList.purpose == purpose)
    )
    return kept or signed


def mark_stale() -> None:
    """A certificate's status changed: the worker signs the lists again."""
    db.session.execute(
        update(StatusList).values(stale=True).execution_options(synchronize_session=False)
    )


def rebuild_stale(now: datetime) -> int:
    """Sign again every list marked stale; returns how many (the worker's job).

    The flag is cleared before the statuses are read: a revocation committed meanwhile
    either is read here or marks the list stale again for the next run."""
    purposes = list(db.session.scalars(select(StatusList.purpose).where(StatusList.stale)))
    for purpose in purposes:
        db.session.execute(
            update(StatusList)
            .where(StatusList.purpose == purpose)
            .values(stale=False)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(StatusList)
            .where(StatusList.purpose == purpose)
            .values(credential_json=_sign(purpose, now), built_at=now)
            .execution_options(synchronize_session=False)
        )
    return len(purposes)
