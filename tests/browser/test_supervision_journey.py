"""Supervision in a real browser, as the issue asks: the supervisor records a session and
signs a competency evaluation; the trainee confirms the one and acknowledges the other.
axe on every page, at desktop and phone width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in, sign_out
from tests.support.certificates import everything_but_hours
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.hours import local_today
from tests.web.test_competency_evaluations import EVALUATIONS


def _record_session(page: Any, a11y: Any) -> None:
    page.get_by_role("link", name="Supervision sessions").click()
    a11y(page)
    page.get_by_role("button", name="Record the session").click()  # empty: every problem
    a11y(page)
    main = page.inner_text("main")
    assert "Enter the date of the session" in main and "Choose the domains" in main
    page.get_by_label("Date of the session").fill(local_today().isoformat())
    page.get_by_label("Length in hours").fill("1.5")
    page.get_by_label("Individual").check()
    page.get_by_label("In person").check()
    page.get_by_label("Advocacy").check()
    page.get_by_label("Private notes").fill("Planning for the next group.")
    page.get_by_role("button", name="Record the session").click()
    a11y(page)
    assert "Waiting for the other to confirm" in page.inner_text("main")


def _sign_evaluation(page: Any, a11y: Any) -> None:
    page.get_by_role("link", name="Competency evaluations").click()
    a11y(page)
    page.get_by_label("Evaluation", exact=True).select_option("midpoint")
    page.get_by_label("3: Meets").first.check()  # engagement only
    page.get_by_label("Type your legal name to sign").fill("Sam Supervisor")
    page.get_by_role("button", name="Sign the evaluation").click()
    a11y(page)
    assert "Rate this competency." in page.inner_text("main")  # support is not rated
    page.locator("#level-support-2").check()
    page.locator("#comment-support").fill("Keep practising reflective listening.")
    page.get_by_role("button", name="Sign the evaluation").click()
    a11y(page)
    assert "Evaluation signed." in page.inner_text("main")


@pytest.mark.parametrize("width", [1280, 375])
def test_supervisor_records_and_signs_the_trainee_confirms_and_acknowledges(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path, width: int
) -> None:
    tree = write_tree(tmp_path)
    program = tree / "programs" / "test-prog.yaml"
    program.write_text(program.read_text() + EVALUATIONS)
    load(app, tree)
    trainee = make_user("trainee", name="Casey Candidate")
    sup, admin = make_user("supervisor", name="Sam Supervisor"), make_user("admin")
    enrolment = everything_but_hours(app, trainee, sup, admin)
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, a11y, sup.email)
    page.get_by_role("link", name="Casey Candidate").click()
    a11y(page)
    _record_session(page, a11y)
    page.get_by_role("link", name="Casey Candidate").click()
    a11y(page)
    _sign_evaluation(page, a11y)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sign_out(page, a11y)

    sign_in(page, a11y, trainee.email)
    page.goto(f"/hours/{enrolment}")
    a11y(page)
    page.get_by_role("link", name="Supervision sessions").click()
    a11y(page)
    assert "Planning for the next group." in page.inner_text("main")  # the two of them
    page.get_by_role("button", name=f"Confirm the session of {local_today():%-d %B %Y}").click()
    a11y(page)
    main = page.inner_text("main")
    assert "Session confirmed: it now counts." in main and "Confirmed" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(f"/hours/{enrolment}")
    a11y(page)
    page.get_by_role("link", name="Competency evaluations").click()
    a11y(page)
    main = page.inner_text("main")
    assert "Mid-point evaluation by Sam Supervisor" in main and "2: Developing" in main
    page.get_by_label("Your response (optional)").fill("Thank you; I will work on it.")
    page.get_by_role("button", name="I have read this evaluation").click()
    a11y(page)
    assert "You acknowledged it on" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
