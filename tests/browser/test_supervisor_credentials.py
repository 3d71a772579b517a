"""A supervisor whose credential is not yet recorded, in a real browser: sign-off is refused
with the program's rule, the supervisor records the credential with its document, an admin
verifies it from the work queue, and the hours are then signed off. axe on every page, at
desktop and phone width."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in, sign_out
from tests.services.test_supervisor_qualifications import PDF, ruled_tree
from tests.support.certificates import TEST_PROG_HOURS, everything_but_hours, log_hours
from tests.support.exams import load


def _approve_all(page: Any, a11y: Any, name: str) -> None:
    page.goto("/supervise/")
    a11y(page)
    page.get_by_role("link", name="Hours waiting for your decision").click()
    a11y(page)
    for box in page.get_by_label(re.compile(f"Select {name}")).all():
        box.check()
    page.get_by_label("I supervised this work and the record is accurate.").check()
    page.get_by_role("button", name="Approve selected").click()
    a11y(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_supervisor_qualifies_then_signs_off(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path, width: int
) -> None:
    load(app, ruled_tree(tmp_path))
    trainee = make_user("trainee", name="Casey Candidate")
    sup, admin = make_user("supervisor", name="Sam Supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS)
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, a11y, trainee.email)
    page.goto(f"/hours/{enrolment}")
    a11y(page)
    assert "Sam Supervisor cannot sign off hours for this program yet" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sign_out(page, a11y)

    sign_in(page, a11y, sup.email)
    assert "You cannot sign off hours for Test Program yet." in page.inner_text("main")
    _approve_all(page, a11y, "Casey Candidate")
    assert "Test Act 1(a) asks for" in page.inner_text("main")  # refused, in the rule's words
    page.goto("/supervise/")
    page.get_by_role("link", name="Your credentials").click()
    a11y(page)
    page.get_by_label("Credential", exact=True).select_option("cadc")
    page.get_by_label("Credential or licence number").fill("CADC-77")
    page.get_by_label("Issued by (state or board)").fill(
        "Kentucky Board of Alcohol and Drug Counselors"
    )
    page.get_by_label("Issued on").fill((date.today() - timedelta(days=3 * 365)).isoformat())
    page.get_by_label("I attended the board's supervision training").check()
    page.get_by_role("button", name="Record").click()
    a11y(page)  # refused: no document, said beside the field
    assert "Choose the document that shows the credential." in page.inner_text("main")
    page.get_by_label("Document").set_input_files(
        {"name": "cadc.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("I attended the board's supervision training").check()
    page.get_by_role("button", name="Record").click()
    a11y(page)
    assert "Waiting for a check" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sign_out(page, a11y)

    sign_in(page, a11y, admin.email)
    page.get_by_role("link", name=re.compile("Supervisor's credential to verify")).click()
    a11y(page)
    page.get_by_role("button", name=re.compile("^Verify: Sam Supervisor")).click()
    a11y(page)
    assert "Credential verified." in page.inner_text("main")
    sign_out(page, a11y)

    sign_in(page, a11y, sup.email)
    assert "cannot sign off" not in page.inner_text("main")
    _approve_all(page, a11y, "Casey Candidate")
    assert "3 entries approved." in page.inner_text("main")
