"""A supervision session in a real browser: the supervisor records it, the trainee confirms
it, and it counts. axe on every page, at desktop and phone width."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in, sign_out
from tests.support.certificates import everything_but_hours
from tests.support.content import write_tree
from tests.support.exams import load


@pytest.mark.parametrize("width", [1280, 375])
def test_supervisor_records_a_session_and_the_trainee_confirms_it(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path, width: int
) -> None:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee", name="Casey Candidate")
    sup, admin = make_user("supervisor", name="Sam Supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, a11y, sup.email)
    page.get_by_role("link", name="Casey Candidate").click()
    a11y(page)
    page.get_by_role("link", name="Supervision sessions").click()
    a11y(page)
    page.get_by_role("button", name="Record the session").click()  # empty: every problem
    a11y(page)
    main = page.inner_text("main")
    assert "Enter the date of the session" in main and "Choose the domains" in main
    page.get_by_label("Date of the session").fill(date.today().isoformat())
    page.get_by_label("Length in hours").fill("1.5")
    page.get_by_label("Individual").check()
    page.get_by_label("In person").check()
    page.get_by_label("Advocacy").check()
    page.get_by_label("Private notes").fill("Planning for the next group.")
    page.get_by_role("button", name="Record the session").click()
    a11y(page)
    assert "Waiting for the other to confirm" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sign_out(page, a11y)

    sign_in(page, a11y, trainee.email)
    page.goto(f"/hours/{enrolment}")
    a11y(page)
    page.get_by_role("link", name="Supervision sessions").click()
    a11y(page)
    assert "Planning for the next group." in page.inner_text("main")
    page.get_by_role("button", name=f"Confirm the session of {date.today():%-d %B %Y}").click()
    a11y(page)
    main = page.inner_text("main")
    assert "Session confirmed: it now counts." in main and "Confirmed" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= width
