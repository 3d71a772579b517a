"""A trainee takes a practice exam from the program page to its answers, on a desk screen and
on a phone: rationales and domain scores at the end, axe on every page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.support.exams import load
from tests.support.practice import answer_all, practice_tree
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import User
from trainer.services import learning

WIDTHS = {"desk": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 800}}


def _fits(page: Any) -> None:
    """Nothing sticks out sideways: the page never needs scrolling left and right."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_practice_exam_to_the_answers(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path, width: str
) -> None:
    load(app, practice_tree(tmp_path))
    user = make_user("trainee")
    with app.app_context():
        learning.enrol(db.session.get(User, user.id), "test-prog", utcnow())
        db.session.commit()
    page.set_viewport_size(WIDTHS[width])
    sign_in(page, a11y, user.email)

    page.goto("/learn/programs/test-prog")
    a11y(page)
    page.get_by_role("link", name="Practice exam", exact=True).click()
    a11y(page)
    _fits(page)
    assert "5 questions" in page.inner_text("main")
    page.get_by_role("button", name="Start a practice exam").click()
    page.wait_for_url("**/q/1")
    a11y(page)
    attempt_id = int(re.search(r"/exam/practice/(\d+)/q/1", page.url).group(1))
    with app.app_context():
        answers = answer_all(attempt_id)
    for position in range(1, 6):
        assert f"Question {position} of 5" in page.inner_text(".exam-bar")
        _fits(page)
        if position != 4:  # one question left unanswered
            for token in answers[position]:
                page.check(f"#{token}")
        button = "Save and next" if position < 5 else "Save and finish"
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state("load")
        a11y(page)

    assert page.inner_text("h1") == "Finish the practice exam?"
    assert "4 of 5 questions answered" in page.inner_text("main")
    _fits(page)
    page.get_by_role("button", name="Finish and see the answers").click()
    page.wait_for_url("**/result")
    a11y(page)
    _fits(page)
    main = page.inner_text("main")
    assert "80.0%" in main and "Score by domain" in main
    domains = page.locator("table tbody th").all_inner_texts()
    assert domains == ["Advocacy", "Ethical Responsibility"]
    assert main.count("Right.") == 4 and "You did not answer this question." in main
    rationales = page.locator(".quiz-item .verdict + p").all_inner_texts()
    assert len(rationales) == 5 and all(rationales)  # every question says why
    page.get_by_role("link", name="Take another practice exam").click()
    a11y(page)
    assert "80.0%" in page.inner_text("main")  # the attempt is listed on the start page
