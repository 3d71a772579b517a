"""A new trainee, from registration to the certificate, moving on only through the "next
step" card on their home page; the admin and the supervisor do their part from their own
pages (the admin from the work queue on the overview). At desktop and phone width, axe on
every page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.support.content import write_tree
from tests.support.exams import load
from trainer.extensions import db
from trainer.models import OutboxMessage

NAME, EMAIL, SECRET = "Casey Morgan", "casey@example.org", "a long enough password"
# the small test tree's right answers, by option text
RIGHT = re.compile(r"^(Second choice for .*|Greet Sam|True|A|B)$")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _sign_in(page: Any, a11y: Any, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    a11y(page)


def _sign_out(page: Any, a11y: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    a11y(page)


def _answer(page: Any) -> None:
    """Choose every right option on the page (quiz: all questions; exam: one)."""
    for option in page.locator(".options li").all():
        if RIGHT.match(option.locator("label").inner_text().split(" (")[0].strip()):
            option.locator("input").check()


def _register(page: Any, a11y: Any, app: Any) -> None:
    page.goto("/")
    page.get_by_role("link", name="Register").first.click()
    a11y(page)
    page.get_by_label("Legal name").fill(NAME)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(SECRET)
    page.get_by_label("Repeat password").fill(SECRET)
    page.get_by_role("button", name="Create account").click()
    a11y(page)
    with app.app_context():
        body = db.session.scalar(
            select(OutboxMessage.body).where(OutboxMessage.kind == "account_confirm")
        )
    page.goto(re.search(r"(/confirm/\S+)", body).group(1))
    page.get_by_role("button", name="Confirm my address").click()
    a11y(page)


def _card(page: Any, a11y: Any) -> tuple[str, Any]:
    """Home, then the card: its label ("Your next step", "Waiting", ...) and its action."""
    page.get_by_role("link", name="My learning").first.click()
    a11y(page)
    card = page.locator(".step-card").first
    title = card.locator(".step-title").inner_text()
    return title, card.locator(".button").first


def _read_and_quiz(page: Any, a11y: Any, action: Any) -> None:
    action.click()
    a11y(page)
    while page.get_by_role("link", name="Next section").count():
        page.get_by_role("link", name="Next section").click()
    page.get_by_role("link", name="Take the module quiz").click()
    a11y(page)
    page.get_by_role("button", name=re.compile("Start the quiz|Take a new quiz")).click()
    _answer(page)
    page.get_by_role("button", name="Submit answers").click()
    a11y(page)


def _admin_approves_the_document(page: Any, a11y: Any, admin: Any) -> None:
    _sign_in(page, a11y, admin.email, PASSWORD)
    page.goto("/admin/")
    a11y(page)
    queue = page.get_by_role("region", name="Waiting for review")
    assert NAME in queue.inner_text()
    queue.get_by_role("link", name="Document to check: Reference letter").click()
    a11y(page)
    page.locator("[id^=document-]").get_by_role("button", name="Approve").click()
    a11y(page)
    _sign_out(page, a11y)


def _supervisor(page: Any, a11y: Any, sup: Any, then: str) -> None:
    _sign_in(page, a11y, sup.email, PASSWORD)
    page.goto("/supervise/")
    if then == "accept":
        page.get_by_role("button", name="Accept").click()
    else:
        page.get_by_role("link", name="Hours waiting for your decision").click()
        for box in page.get_by_label(re.compile(f"Select {NAME}")).all():
            box.check()
        page.get_by_label("I supervised this work and the record is accurate.").check()
        page.get_by_role("button", name="Approve selected").click()
    a11y(page)
    _sign_out(page, a11y)


def _log(page: Any, a11y: Any, action: Any) -> None:
    for hours, category, kind in [
        ("4", "advocacy", "Direct"),
        ("4", "ethical-responsibility", "Direct"),
        ("2", "ethical-responsibility", "Supervision"),
    ]:
        action.click() if action is not None else page.get_by_role("link", name="Log hours").click()
        action = None
        a11y(page)
        page.get_by_label("Hours").fill(hours)
        page.get_by_label("Category").select_option(category)
        page.get_by_label("Setting").select_option("peer-group")
        page.get_by_label(re.compile(f"^{kind}")).check()
        page.get_by_label("What you did").fill("Co-facilitated a recovery group.")
        page.get_by_role("button", name="Save").click()
        a11y(page)


def _exam(page: Any, a11y: Any, action: Any) -> None:
    action.click()
    a11y(page)
    while True:
        _answer(page)
        if page.get_by_role("button", name="Save and next").count():
            page.get_by_role("button", name="Save and next").click()
        else:
            page.get_by_role("button", name="Save and review").click()
            break
    a11y(page)
    page.get_by_role("link", name="Go on to submit").click()
    a11y(page)
    page.get_by_role("button", name="Yes, submit my answers").click()
    a11y(page)
    assert "passed" in page.inner_text("main").lower()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_new_trainee_follows_the_card_to_the_certificate(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path, width: int
) -> None:
    load(app, write_tree(tmp_path))
    sup = make_user("supervisor", name="Sam Supervisor")
    admin = make_user("admin")
    page.set_viewport_size({"width": width, "height": 900})
    _register(page, a11y, app)
    page.get_by_role("link", name="Choose a program").click()
    a11y(page)
    page.get_by_role("link", name="Details and enrolment: Test Program").click()
    page.get_by_role("button", name="Enrol in this program").click()
    a11y(page)

    seen = []
    for _ in range(20):
        title, action = _card(page, a11y)
        seen.append(title)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if title.startswith(("Start the module", "Continue the module", "Take the quiz")):
            _read_and_quiz(page, a11y, action)
        elif title == "Sign a statement":
            action.click()
            page.get_by_label(re.compile("Type your legal name")).fill(NAME)
            page.get_by_role("button", name=re.compile("^Sign the statement")).click()
            a11y(page)
        elif title == "Upload a document":
            action.click()
            page.locator("#statement-code-of-ethics, input[type=file]").last.set_input_files(
                {"name": "reference.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
            page.get_by_role("button", name="Upload: Reference letter").click()
            a11y(page)
        elif title == "Your document is waiting for review":
            _sign_out(page, a11y)
            _admin_approves_the_document(page, a11y, admin)
            _sign_in(page, a11y, EMAIL, SECRET)
        elif title == "Add your supervisor":
            action.click()
            page.get_by_label("Supervisor's e-mail address").fill(sup.email)
            page.get_by_role("button", name="Invite").click()
            a11y(page)
        elif title == "Waiting for your supervisor to accept":
            _sign_out(page, a11y)
            _supervisor(page, a11y, sup, "accept")
            _sign_in(page, a11y, EMAIL, SECRET)
        elif title == "Log your supervised hours":
            _log(page, a11y, action)
        elif title == "Waiting for your supervisor to sign off hours":
            _sign_out(page, a11y)
            _supervisor(page, a11y, sup, "approve")
            _sign_in(page, a11y, EMAIL, SECRET)
        elif title == "Take the certification exam":
            _exam(page, a11y, action)
        elif title.startswith("Your certificate"):
            with page.expect_download() as info:
                action.click()
            assert info.value.suggested_filename.endswith(".pdf")
            break
        else:
            raise AssertionError(f"unexpected step {title!r} after {seen}")
    else:
        raise AssertionError(f"no certificate after {seen}")
    # every kind of step came up once or more, in the order a trainee meets them
    assert seen[0].startswith("Start the module") and seen[-1].startswith("Your certificate")
    for expected in ("Sign a statement", "Upload a document", "Add your supervisor"):
        assert expected in seen, seen
