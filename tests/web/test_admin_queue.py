"""The admin's work queue: what waits for review (documents, continuing education, certificates
of programs issued after review) is on the overview, oldest first, in plain words, counted in
the admin navigation and on the person's page, in a constant number of SQL statements."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.certificates import PNG
from tests.support.registry import BASE, make_certificates
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import CEEntry, Certificate, DocumentUpload, User
from trainer.services import certificates, evidence, learning

NOW = utcnow()


def waiting_document(app: Any, make_user: Any, name: str, days_ago: float) -> Any:
    """``name`` enrols and uploads the reference letter test-prog asks for, ``days_ago``."""
    person = make_user("trainee", name=name)
    with app.app_context():
        user = db.session.get(User, person.id)
        learning.enrol(user, "test-prog", NOW - timedelta(days=days_ago + 1))
        evidence.upload(
            user,
            "test-prog",
            "reference-letter",
            "letter.png",
            PNG,
            NOW - timedelta(days=days_ago),
        )
        db.session.commit()
    return person


def waiting_ce(app: Any, name: str, days_ago: float) -> int:
    """A holder of an issued certificate logs continuing education ``days_ago``; its user id."""
    (number,) = make_certificates(app, 1, "TS", names=[name])
    with app.app_context():
        cert = db.session.scalars(select(Certificate).where(Certificate.number == number)).one()
        entry = certificates.log_ce(
            cert.user,
            cert.id,
            (BASE + timedelta(days=2)).date(),
            2.5,
            None,
            "Ethics refresher",
            NOW,
        )
        entry.created_at = NOW - timedelta(days=days_ago)
        db.session.commit()
        return cert.user_id


def waiting_certificate(app: Any, name: str, days_ago: float) -> int:
    """An earned certificate of a program issued after review; its holder's user id."""
    (number,) = make_certificates(app, 1, "TS", names=[name])
    with app.app_context():
        cert = db.session.scalars(select(Certificate).where(Certificate.number == number)).one()
        # as issuance leaves it when the program says `issuance: review`: no number, no dates
        cert.status, cert.number, cert.issued_at, cert.expires_at = "review", None, None, None
        cert.earned_at = NOW - timedelta(days=days_ago)
        cert.pdf = cert.pdf_sha256 = None
        db.session.commit()
        return cert.user_id


@pytest.fixture
def world(loaded: Any, make_user: Any) -> dict[str, Any]:
    admin = make_user("admin", name="Ada Admin")
    client = loaded.test_client()
    Auth(client).login(admin)
    return {
        "app": loaded,
        "admin": client,
        "admin_user": admin,
        "doc": waiting_document(loaded, make_user, "Dana Document", days_ago=3),
        "ce": waiting_ce(loaded, "Cora Continuing", days_ago=5),
        "cert": waiting_certificate(loaded, "Rory Review", days_ago=1),
    }


def _queue(html: str) -> str:
    """The text of the overview's queue section, tags dropped."""
    section = re.search(r'<section aria-labelledby="queue-title">(.*?)</section>', html, re.S)
    assert section, "no work queue on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", section.group(1)).split())


def test_overview_lists_what_waits_oldest_first_in_plain_words(world: dict[str, Any]) -> None:
    page = world["admin"].get("/admin/")
    assert page.status_code == 200
    queue = _queue(page.text)
    assert "1 document, 1 continuing-education entry, 1 certificate" in queue
    ce = queue.index("Continuing education: Ethics refresher, 2.5 h")
    doc = queue.index("Document to check: Reference letter")
    cert = queue.index("Certificate to issue: Test Peer Specialist")
    assert ce < doc < cert  # 5, 3 and 1 days ago
    for who in ("Cora Continuing", "Dana Document", "Rory Review"):
        assert who in queue
    assert queue.count("Test Program") == 3 and "test-prog" not in queue
    assert "reference-letter" not in queue
    assert "(3 days)" in queue and "(5 days)" in queue and "(1 day)" in queue
    # each item links to the card where the admin decides it
    with world["app"].app_context():
        document_id = db.session.scalar(select(DocumentUpload.id))
        entry_id = db.session.scalar(select(CEEntry.id))
        cert_id = db.session.scalar(select(Certificate.id).where(Certificate.status == "review"))
    for anchor in (f"document-{document_id}", f"ce-{entry_id}", f"certificate-{cert_id}"):
        assert f'href="/admin/certificates#{anchor}"' in page.text
        assert f'id="{anchor}"' in world["admin"].get("/admin/certificates").text


def test_nothing_waiting_says_so(loaded: Any, make_user: Any) -> None:
    client = loaded.test_client()
    Auth(client).login(make_user("admin"))
    page = client.get("/admin/")
    assert "Nothing is waiting for review." in page.text
    assert "waiting</span>" not in page.text  # no badge in the navigation


def test_navigation_counts_what_waits_on_every_admin_page(world: dict[str, Any]) -> None:
    for path in ("/admin/", "/admin/users", "/admin/audit", "/admin/certificates"):
        html = world["admin"].get(path).text
        nav = re.search(r'<nav aria-label="Admin".*?</nav>', html, re.S).group(0)
        assert re.search(r">Certificates <span[^>]*>3 waiting</span></a>", nav), path
    with world["app"].app_context():
        certificates.decide_ce(
            db.session.get(User, world["admin_user"].id),
            db.session.scalar(select(CEEntry.id)),
            False,
            NOW,
        )
        db.session.commit()
    assert ">2 waiting</span>" in world["admin"].get("/admin/users").text


def test_persons_page_shows_what_of_theirs_waits(world: dict[str, Any]) -> None:
    html = world["admin"].get(f"/admin/users/{world['doc'].id}").text
    section = re.search(r'<section aria-labelledby="waiting-title">(.*?)</section>', html, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", section.group(1)).split())
    assert "1 document from Dana Document" in text
    assert "Document to check: Reference letter" in text and "Test Program" in text
    assert "Ethics refresher" not in text  # someone else's
    assert ">3 waiting</span>" in html  # the navigation still counts everyone's
    html = world["admin"].get(f"/admin/users/{world['ce']}").text
    assert "1 continuing-education entry from Cora Continuing" in html
    html = world["admin"].get(f"/admin/users/{world['admin_user'].id}").text
    assert "Nothing from Ada Admin is waiting for review." in html


def test_certificates_page_names_documents_and_programs(world: dict[str, Any]) -> None:
    html = world["admin"].get("/admin/certificates").text
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Dana Document : Reference letter, for Test Program" in text
    assert "reference letter for test-prog" not in text and "(test-prog)" not in text
    assert "Rory Review : Test Peer Specialist, Test Program" in text
    # continuing education to decide is listed, with its holder and program
    assert "Cora Continuing : Ethics refresher, 2.5 h" in text
    assert "toward renewing Test Program" in text


def _statements(world: dict[str, Any], count_queries: Any) -> int:
    world["admin"].get("/admin/")  # warm: the release, the session
    with count_queries() as q:
        assert world["admin"].get("/admin/").status_code == 200
    return q.count


def test_overview_reads_the_queue_in_a_constant_number_of_statements(
    world: dict[str, Any], make_user: Any, count_queries: Any
) -> None:
    few = _statements(world, count_queries)
    for n in range(6):
        waiting_document(world["app"], make_user, f"More Person {n}", days_ago=2 + n / 10)
        waiting_ce(world["app"], f"More Holder {n}", days_ago=4 + n / 10)
        waiting_certificate(world["app"], f"More Review {n}", days_ago=n / 10)
    many = _statements(world, count_queries)
    assert ">21 waiting</span>" in world["admin"].get("/admin/").text
    assert many == few, (few, many)
    assert many <= 9, many


def test_persons_page_counts_in_a_constant_number_of_statements(
    world: dict[str, Any], make_user: Any, count_queries: Any
) -> None:
    path = f"/admin/users/{world['doc'].id}"
    world["admin"].get(path)
    with count_queries() as before:
        world["admin"].get(path)
    for n in range(5):
        waiting_document(world["app"], make_user, f"Other Person {n}", days_ago=1)
    with count_queries() as after:
        html = world["admin"].get(path).text
    assert ">8 waiting</span>" in html
    assert after.count == before.count, (before.count, after.count)
