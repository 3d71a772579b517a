"""Layout at 375 px (a phone) and 1280 px: the header keeps "Sign out" on the row of the other
links, hour tables keep their Status column on screen, quiz questions are set as text rather
than huge headings, and the module's contents show two-digit numbers whole. Axe checks each
page at both widths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import sign_in
from tests.support.content import REAL_CONTENT, write_tree
from tests.support.exams import load
from tests.support.hours import local_today, supervised_trainee

PHONE = {"width": 375, "height": 800}
DESK = {"width": 1280, "height": 800}


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _right_edge(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["x"] + box["width"])


def test_hours_header_and_quiz_on_a_phone(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee", name="Pat Peer")
    enrolment = supervised_trainee(app, trainee, make_user("supervisor"), make_user("admin"))
    page.set_viewport_size(PHONE)
    sign_in(page, a11y, trainee.email)

    # the header: every link on one row, "Sign out" included
    tops = page.evaluate(
        "[...document.querySelectorAll('.nav li')].map(li => li.getBoundingClientRect().top)"
    )
    assert len(tops) >= 3 and max(tops) - min(tops) < 4, tops

    # an entry, then the hours page: Status is on screen without scrolling sideways
    page.goto(f"/hours/{enrolment}/new")
    page.get_by_label("Hours").fill("1.5")
    page.get_by_label("Category").select_option("advocacy")
    page.get_by_label("Setting").select_option("peer-group")
    page.get_by_label("What you did").fill("Co-facilitated a peer recovery group.")
    page.get_by_role("button", name="Save").click()
    a11y(page)
    _fits(page)
    entries = page.get_by_role("region", name="Entries table, scrolls sideways on small screens")
    assert "Pending" in entries.inner_text()
    assert _right_edge(page, "table:last-of-type .badge-warn") <= PHONE["width"]
    assert local_today().strftime("%-d %b %Y") in entries.inner_text()  # dated today

    # a quiz: the question stems are body-sized text on a phone
    page.goto("/learn/modules/alpha/quiz")
    page.get_by_role("button", name="Start the quiz").click()
    a11y(page)
    _fits(page)
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.question-stem')).fontSize)"
    )
    assert size <= 17, size
    page.set_viewport_size(DESK)
    a11y(page)


def test_the_module_contents_show_two_digit_numbers_whole(
    page: Any, a11y: Any, app: Any, make_user: Any
) -> None:
    load(app, REAL_CONTENT)
    trainee = make_user("trainee")
    page.set_viewport_size(DESK)
    sign_in(page, a11y, trainee.email)
    page.goto("/learn/programs/ky-apss")
    page.get_by_role("button", name="Enrol").first.click()
    page.goto("/learn/modules/recovery")
    a11y(page)
    # the list's left padding holds a "10." marker (outside markers are clipped by the
    # scrolling contents box); measured against the width of "10." in the list's font
    room, marker = page.evaluate(
        """() => {
          const ol = document.querySelector('.reader-toc ol');
          const probe = document.createElement('span');
          probe.textContent = '10.\u00a0';
          probe.style.font = getComputedStyle(ol).font;
          document.body.appendChild(probe);
          const w = probe.getBoundingClientRect().width;
          probe.remove();
          return [parseFloat(getComputedStyle(ol).paddingLeft), w];
        }"""
    )
    assert page.locator(".reader-toc li").count() >= 10
    assert room >= marker, (room, marker)
    page.set_viewport_size(PHONE)
    a11y(page)
    _fits(page)
