"""A competency evaluation in a real browser: the supervisor rates every competency and
signs (an unrated one is said beside it), the trainee reads and acknowledges it with a
response. axe on every page, at desktop and phone width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in, sign_out
from tests.support.certificates import everything_but_hours
from tests.support.content import write_tree
from tests.support.exams import load
from tests.web.test_competency_evaluations import EVALUATIONS


@pytest.mark.parametrize("width", [1280, 375])
def test_supervisor_signs_an_evaluation_and_the_trainee_acknowledges_it(
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
    page.get_by_role("link", name="Competency evaluations").click()
    a11y(page)
    page.get_by_label("Evaluation", exact=True).select_option("midpoint")
    page.get_by_label("3: Meets").first.check()  # engagement only
    page.get_by_label("Type your legal name to sign").fill("Sam Supervisor")
    page.get_by_role("button", name="Sign the evaluation").click()
    a11y(page)
    assert "Rate this competency." in page.inner_text("main")
    page.locator("#level-support-2").check()
    page.locator("#comment-support").fill("Keep practising reflective listening.")
    page.get_by_role("button", name="Sign the evaluation").click()
    a11y(page)
    assert "Evaluation signed." in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sign_out(page, a11y)

    sign_in(page, a11y, trainee.email)
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
