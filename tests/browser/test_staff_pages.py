"""Every admin and board page a person opens is accessible (axe), with real data on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import sign_in
from tests.support.certificates import TEST_PROG_HOURS, approve, everything_but_hours, log_hours
from tests.support.content import write_tree
from tests.support.exams import load


def test_admin_and_board_pages(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    trainee, sup, admin = make_user("trainee"), make_user("supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    approve(app, sup, log_hours(app, trainee, sup, enrolment, TEST_PROG_HOURS))

    sign_in(page, a11y, admin.email)
    for path in (
        "/admin/users",
        f"/admin/users/{trainee.id}",
        "/admin/audit",
        "/admin/outbox",
        "/admin/item-statistics?program=test-prog",
        "/admin/supervision",
        "/admin/certificates",
        "/verify",
    ):
        page.goto(path)
        a11y(page)
    assert "TS-TPS-" in page.goto("/admin/certificates").text()
    a11y(page)
    page.get_by_role("button", name="Sign out").click()
    a11y(page)

    sign_in(page, a11y, make_user("board", jurisdiction="TS").email)
    assert "Certificates today" in page.inner_text("main")  # tests/browser/test_board.py
    page.goto("/supervise/")
    a11y(page)  # a 403 page is a page too
    assert "does not have access" in page.inner_text("main")
