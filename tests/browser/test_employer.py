"""An employer, in a real browser: adds a staff member's certificate, tries a roster file
with a bad row, and after the board suspends the certificate sees it suspended (and is
e-mailed). axe checks every page, at 1280 and 375 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.registry import make_certificates
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import OutboxMessage, User
from trainer.services import accounts
from trainer.services.certificates import events, standing


def _both_widths(page: Any, a11y: Any) -> None:
    """axe at 1280 px and at 375 px, where nothing but the roster table scrolls sideways."""
    page.set_viewport_size({"width": 1280, "height": 800})
    a11y(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    a11y(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_an_employer_watches_a_certificate_and_sees_it_suspended(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    (number,) = make_certificates(app, 1, "TS", names=["Sol Staffmember"])
    board = make_user("board", jurisdiction="TS")
    with app.app_context():
        accounts.create_user(
            None, "hr@example.org", "Erin Employer", {"employer"}, password=PASSWORD,
            now=utcnow(), organisation="Bluegrass Recovery Center",
        )  # fmt: skip
        db.session.commit()

    sign_in(page, a11y, "hr@example.org")
    assert "Your roster is empty" in page.inner_text("main")
    _both_widths(page, a11y)

    # a number that is not issued: the message beside the field, nothing added
    page.get_by_label("Certificate number").fill("KY-APSS-2026-000001-0")
    page.get_by_role("button", name="Add to the roster").click()
    a11y(page)
    assert "No issued certificate has this number" in page.inner_text("main")

    page.get_by_label("Certificate number").fill(number)
    page.get_by_label("Name or note (optional)").fill("Sol, day shift")
    page.get_by_role("button", name="Add to the roster").click()
    a11y(page)
    row = page.get_by_role("row", name="Sol Staffmember")
    assert "Valid" in row.inner_text() and number in row.inner_text()

    # a roster file with a bad row: each problem listed, nothing added
    csv = tmp_path / "staff.csv"
    csv.write_text(f"Certificate number,Name\n{number},Sol\nnot-a-number,Bo\n")
    page.get_by_label("Roster file (CSV)").set_input_files(str(csv))
    page.get_by_role("button", name="Upload and add").click()
    a11y(page)
    text = page.inner_text("main")
    assert "Nothing was added" in text and "row 3 (NOT-A-NUMBER)" in text
    _both_widths(page, a11y)

    # the board suspends it; the worker hands the event on
    with app.app_context():
        member = db.session.get(User, board.id)
        standing.suspend(member, number, "Under review by the board", None, utcnow())
        db.session.commit()
        events.dispatch(utcnow())
        db.session.commit()
        mails = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to == "hr@example.org")
        ).all()
    assert len(mails) == 1 and "suspended" in mails[0].subject

    page.goto("/employer/")
    a11y(page)
    row = page.get_by_role("row", name="Sol Staffmember")
    assert "Suspended" in row.inner_text()
    assert "Under review by the board" not in page.inner_text("main")
    page.get_by_role("link", name="Needs attention (1)").click()
    a11y(page)
    assert "Sol Staffmember" in page.inner_text("main")
    _both_widths(page, a11y)
