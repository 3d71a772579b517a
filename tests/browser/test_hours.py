"""A trainee logs hours, the supervisor approves them, the trainee sees the totals move."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.browser.conftest import sign_in
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.hours import supervised_trainee


def test_log_approve_and_watch_totals(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee", name="Pat Peer")
    sup = make_user("supervisor", name="Sam Supervisor")
    enrolment = supervised_trainee(app, trainee, sup, make_user("admin"))

    sign_in(page, a11y, trainee.email)
    page.get_by_role("link", name="My hours").click()
    a11y(page)
    row = page.get_by_role("row", name="Advocacy")
    assert "4.0 h to go" in row.inner_text()
    page.get_by_role("link", name="Log hours").click()
    a11y(page)
    page.get_by_label("Date of the work").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Hours").fill("2.5")
    page.get_by_label("Category").select_option("advocacy")
    page.get_by_label("Setting").select_option("peer-group")
    page.get_by_label("What you did").fill("Co-facilitated a peer recovery group.")
    page.get_by_role("button", name="Save").click()
    a11y(page)
    assert "Your supervisor will review" in page.get_by_role("status").inner_text()
    assert "Pending" in page.get_by_role("table").nth(1).inner_text()
    page.get_by_role("button", name="Sign out").click()
    a11y(page)

    sign_in(page, a11y, sup.email)
    page.get_by_role("link", name="Hours waiting for your decision").click()
    a11y(page)
    page.get_by_label("Select Pat Peer").check()
    page.get_by_label("I supervised this work and the record is accurate.").check()
    page.get_by_role("button", name="Approve selected").click()
    a11y(page)
    assert "1 entry approved." in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Supervision").first.click()
    a11y(page)
    assert "2.5 of 10.0 h" in page.get_by_role("row", name="Pat Peer").inner_text()
    page.get_by_role("button", name="Sign out").click()
    a11y(page)

    sign_in(page, a11y, trainee.email)
    page.goto(f"/hours/{enrolment}")
    a11y(page)
    assert "1.5 h to go" in page.get_by_role("row", name="Advocacy").first.inner_text()
    assert "Approved" in page.get_by_role("table").nth(1).inner_text()
