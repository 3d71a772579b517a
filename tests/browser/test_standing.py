"""A board member suspends a certificate and adds a public condition, in a real browser; the
public verify page says both, and a refused form keeps what was typed. axe on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import sign_in, sign_out
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.registry import make_certificates


def test_board_suspends_adds_a_condition_and_the_public_sees_both(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    number = make_certificates(app, 1, "TS", names=["Morgan Mills"])[0]
    sign_in(page, a11y, make_user("board", jurisdiction="TS").email)
    page.goto(f"/board/registry/{number}")
    a11y(page)

    # a date in the past is refused beside the field; the reason typed is kept
    page.get_by_label("Reason").first.fill("Complaint under investigation")
    page.get_by_label("Suspended until (optional)").fill("2020-01-01")
    page.get_by_role("button", name="Suspend").click()
    a11y(page)
    assert "The end date must be after today." in page.inner_text("main")
    assert page.get_by_label("Reason").first.input_value() == "Complaint under investigation"

    page.get_by_label("Suspended until (optional)").fill("")
    page.get_by_role("button", name="Suspend").click()
    a11y(page)
    record = page.inner_text("main")
    assert f"Certificate {number} is suspended." in record and "until reinstated" in record

    page.get_by_role("textbox", name="Condition or notice").fill(
        "Practice under supervision until 2027-06-30"
    )
    page.get_by_role("button", name="Add the condition").click()
    a11y(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    a11y(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    sign_out(page, a11y)
    page.goto(f"/verify/{number}")
    a11y(page)
    public = page.inner_text("main")
    assert "Suspended: not valid" in public
    assert "Practice under supervision until 2027-06-30" in public
    assert "Complaint" not in public
