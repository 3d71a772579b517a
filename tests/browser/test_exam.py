"""A trainee takes a module quiz and the whole certification exam with the keyboard only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.support.content import write_tree
from tests.support.exams import complete_program_modules, load, right_tokens
from trainer.extensions import db
from trainer.models import ItemRevision, QuizAttempt


def focus(page: Any, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(limit):
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def submit_with(page: Any, key: str = "Enter") -> None:
    """Press a key that submits a form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def sign_in(page: Any, a11y: Any, email: str) -> None:
    page.goto("/login")
    a11y(page)
    focus(page, "#email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/learn/")
    a11y(page)


def test_quiz_and_exam_by_keyboard(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    user = make_user("trainee")
    complete_program_modules(app, user.id, "test-prog")  # modules read, quizzes passed
    sign_in(page, a11y, user.email)

    # -- a module quiz, answered right by keyboard --------------------------------------
    page.goto("/learn/modules/beta/quiz")
    a11y(page)
    focus(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/learn/quiz/*")
    a11y(page)
    with app.app_context():
        attempt = db.session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == user.id)
            .order_by(QuizAttempt.id.desc())
        ).first()
        form = attempt.form
        contents = [
            db.session.scalar(
                select(ItemRevision.content).where(
                    ItemRevision.item_id == e["item_id"], ItemRevision.revision == e["revision"]
                )
            )
            for e in form
        ]
    for n, (entry, content) in enumerate(zip(form, contents, strict=True), start=1):
        right = right_tokens(entry, content)
        if content["type"] == "multiple":
            for token in right:
                focus(page, f"#q{n}-{token}")
                page.keyboard.press("Space")
        else:
            focus(page, f"input[name=q{n}]")
            index = int(right[0][1:]) - 1
            for _ in range(index):
                page.keyboard.press("ArrowDown")
            if index == 0:
                page.keyboard.press("Space")
    focus(page, "main button[type=submit]")
    submit_with(page)
    a11y(page)
    assert "100.0%" in page.inner_text("main") and "passed" in page.inner_text("main")

    # -- the certification exam -------------------------------------------------------
    page.goto("/learn/programs/test-prog")
    a11y(page)
    focus(page, "form[action$='/start'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/q/1")
    a11y(page)
    total = int(page.inner_text(".exam-bar .meta").split(" of ")[-1])
    for n in range(1, total + 1):
        assert f"Question {n} of {total}" in page.inner_text(".exam-bar")
        focus(page, "input[name=answer]")
        page.keyboard.press("Space")
        if n == 2:
            focus(page, "#flag")
            page.keyboard.press("Space")
        target = "next" if n < total else "review"  # "Save and next" / "Save and review"
        focus(page, f"button[name=go][value={target}]")
        submit_with(page)
        a11y(page)
    assert "Review your answers" in page.inner_text("h1")
    assert f"{total} of {total} answered, 1 flagged" in page.inner_text("main")
    focus(page, "a[href$='/submit']")  # "Go on to submit": a confirmation comes first
    page.keyboard.press("Enter")
    page.wait_for_url("**/submit")
    a11y(page)
    assert "Submit your answers?" in page.inner_text("h1")
    assert "1 question is flagged" in page.inner_text("main")
    focus(page, "#submit-form button[name=confirm]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/result")
    a11y(page)
    assert page.inner_text("h1").startswith("Exam result:")
    assert "Score by domain" in page.inner_text("main")
