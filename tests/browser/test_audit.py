"""A continuing-education audit end to end, in a real browser: a board member starts it, the
selected holder uploads evidence and submits, the board accepts one entry and not the other,
closes the audit with a condition, and the public verify page shows the condition. axe
checks every page, on a desktop and a phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in, sign_out
from tests.support.audits import PDF, renewed
from tests.support.content import write_tree
from tests.support.exams import load

CONDITION = "Complete 2 approved hours of ethics CE by 30 June 2027."


def _fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _board_starts(page: Any, a11y: Any, email: str, today: str, due: str) -> None:
    sign_in(page, a11y, email)
    page.get_by_role("navigation", name="Board").get_by_role("link", name="Audits").click()
    a11y(page)
    page.get_by_role("link", name="Start an audit").click()
    a11y(page)
    page.get_by_label("Renewals issued from").fill(today)
    page.get_by_label("Renewals issued through").fill(today)
    page.get_by_label("Sample (percent of those renewals)").fill("abc")
    page.get_by_label("Evidence due on").fill(due)
    page.get_by_role("button", name="Start the audit").click()
    a11y(page)
    assert "Enter a percentage from 1 to 100" in page.inner_text("main")
    page.get_by_label("Sample (percent of those renewals)").fill("100")
    page.get_by_role("button", name="Start the audit").click()
    a11y(page)
    main = page.inner_text("main")
    assert "The audit has started" in main and "1 of 1 renewals (100%)" in main


def _holder_answers(page: Any, a11y: Any, email: str, number: str, tmp: Path) -> None:
    evidence = tmp / "attendance.pdf"
    evidence.write_bytes(PDF)
    sign_in(page, a11y, email)
    page.goto("/audits/")
    a11y(page)
    page.get_by_role("link", name=number).click()
    a11y(page)
    for n in range(2):
        entry = page.locator(".audit-items > li").nth(n)
        entry.get_by_label("Evidence file").set_input_files(str(evidence))
        entry.get_by_role("button", name="Upload").click()
        a11y(page)
        assert "Evidence uploaded." in page.inner_text("main")
    page.get_by_role("button", name="Submit for review").click()
    a11y(page)
    assert "the board is reviewing your evidence" in page.inner_text("main")


def _board_decides_and_closes(page: Any, a11y: Any, email: str) -> None:
    sign_in(page, a11y, email)
    page.get_by_role("navigation", name="Board").get_by_role("link", name="Audits").click()
    a11y(page)
    page.get_by_role("link", name="Audit 1").click()
    a11y(page)
    page.get_by_role("link", name="Casey Candidate").click()
    a11y(page)
    first = page.locator(".audit-items > li").nth(0)
    first.get_by_label("Accepted", exact=True).check()
    first.get_by_role("button", name="Record the decision").click()
    a11y(page)
    second = page.locator(".audit-items > li").nth(1)
    second.get_by_label("Not accepted", exact=True).check()
    second.get_by_role("button", name="Record the decision").click()
    a11y(page)
    assert "Give the reason the evidence is not accepted." in page.inner_text("main")
    second = page.locator(".audit-items > li").nth(1)
    second.get_by_label("Not accepted", exact=True).check()
    second.get_by_label("Reason").fill("The certificate names another person.")
    second.get_by_role("button", name="Record the decision").click()
    a11y(page)
    page.get_by_label("Conditions on the certificate").check()
    page.get_by_label("Conditions or reason").fill(CONDITION)
    page.get_by_role("button", name="Record the outcome").click()
    a11y(page)
    page.get_by_role("button", name="Close the audit").click()
    a11y(page)
    assert "The audit is closed: failed." in page.inner_text("main")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_board_member_runs_an_audit_end_to_end(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path, width: int
) -> None:
    load(app, write_tree(tmp_path))
    world = renewed(app, make_user)
    board = make_user("board", jurisdiction="TS", name="Bea Board")
    today = datetime.now(UTC).date()
    page.set_viewport_size({"width": width, "height": 900})

    _board_starts(
        page, a11y, board.email, today.isoformat(), (today + timedelta(days=30)).isoformat()
    )
    _fits(page, width)
    sign_out(page, a11y)

    _holder_answers(page, a11y, world["holder"].email, world["number"], tmp_path)
    _fits(page, width)
    sign_out(page, a11y)

    _board_decides_and_closes(page, a11y, board.email)
    _fits(page, width)
    page.get_by_role("link", name="Our activity").click()
    a11y(page)
    assert "Closed a continuing-education audit" in page.inner_text("main")

    page.goto(f"/verify/{world['number']}")
    a11y(page)
    assert CONDITION in page.inner_text("main")
