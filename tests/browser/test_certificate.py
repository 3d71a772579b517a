"""From the last approved hour to the downloaded certificate and its public verify page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader

from tests.conftest import PASSWORD
from tests.support.certificates import TEST_PROG_HOURS, approve, everything_but_hours, log_hours
from tests.support.content import write_tree
from tests.support.exams import load


def test_last_hour_to_certificate_and_verification(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee", name="Morgan Mentor")
    sup = make_user("supervisor")
    enrolment = everything_but_hours(app, trainee, sup, make_user("admin"))
    ids = log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS)
    approve(app, sup, ids[:-1])

    page.goto("/login")
    a11y(page)
    page.get_by_label("E-mail address").fill(sup.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    a11y(page)
    page.goto("/supervise/queue")
    a11y(page)
    page.get_by_label("Select Morgan Mentor").check()
    page.get_by_label("I supervised this work and the record is accurate.").check()
    page.get_by_role("button", name="Approve selected").click()  # the last hour
    a11y(page)
    page.get_by_role("button", name="Sign out").click()
    a11y(page)

    page.get_by_role("link", name="Sign in").first.click()
    a11y(page)
    page.get_by_label("E-mail address").fill(trainee.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    a11y(page)
    page.goto("/learn/programs/test-prog")
    a11y(page)
    status = page.get_by_role("status").inner_text()
    assert "Certificate TS-TPS-" in status and "valid" in status
    with page.expect_download() as info:
        # the next-step card at the top offers it (the requirements list does too, below)
        page.locator(".step-card").get_by_role(
            "link", name="Download the certificate (PDF)"
        ).click()
    path = tmp_path / "certificate.pdf"
    info.value.save_as(path)
    text = PdfReader(path).pages[0].extract_text()
    assert "Morgan Mentor" in text
    number = status.split("Certificate ")[1].split(":")[0]
    assert number in text

    page.locator(".step-card").get_by_role("link", name="Public verification page").click()
    a11y(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Morgan Mentor"
    assert "Valid" in page.get_by_role("status").inner_text()
    assert number in page.inner_text("main")
