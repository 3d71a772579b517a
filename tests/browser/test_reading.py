"""A trainee enrols, reads a module section by section, leaves, and resumes where they were."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import PASSWORD
from tests.support.content import REAL_CONTENT


def test_enrol_read_and_resume_a_real_module(
    page: Any, a11y: Any, app: Any, make_user: Any
) -> None:
    result = app.test_cli_runner().invoke(args=["content", "load", str(REAL_CONTENT)])
    assert result.exit_code == 0, result.output
    trainee = make_user("trainee", name="Robin Reader")
    page.goto("/login")
    a11y(page)
    page.get_by_label("E-mail address").fill(trainee.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    a11y(page)
    page.get_by_role("link", name="Choose a program").click()
    a11y(page)
    page.get_by_role("link", name="Details and enrolment: Kentucky Registered Alcohol").click()
    a11y(page)
    page.get_by_role("button", name="Enrol in this program").click()
    a11y(page)
    assert "You are enrolled" in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="Recovery and Wellness", exact=True).click()
    a11y(page)
    toc = page.get_by_role("navigation", name="Sections of this module")
    sections = toc.get_by_role("listitem").count()
    assert sections >= 8
    assert "Section 1 of" in page.inner_text("article")
    page.get_by_role("link", name="Next section").click()
    a11y(page)
    page.get_by_role("link", name="Next section").click()
    a11y(page)
    third_title = page.get_by_role("heading", level=1).inner_text()
    assert "Section 3 of" in page.inner_text("article")

    # Leave, come back later: the module reopens where the trainee stopped.
    page.get_by_role("link", name="My learning").first.click()
    a11y(page)
    page.get_by_role("link", name=re.compile("reading “Recovery and Wellness”")).click()
    a11y(page)
    assert page.get_by_role("heading", level=1).inner_text() == third_title
    # Clicking through in seconds counts nothing: this program asks for half of each
    # section's reading time before a section counts toward credit.
    assert "0 of" in toc.inner_text()

    # Keyboard: the skip link is the first stop and moves focus to the main content.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
