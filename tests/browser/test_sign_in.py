"""A person signs in, lands on their home page, and signs out, in a real browser."""

from __future__ import annotations

from typing import Any

from tests.conftest import PASSWORD


def test_sign_in_and_out(page: Any, a11y: Any, make_user: Any) -> None:
    admin = make_user("admin", name="Ada Admin")
    page.goto("/")
    a11y(page)
    page.get_by_role("link", name="Sign in").first.click()
    a11y(page)

    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    a11y(page)
    assert page.get_by_role("alert").is_visible()
    assert "do not match an active account" in page.get_by_role("alert").inner_text()

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    a11y(page)
    assert page.url.endswith("/admin/")
    assert page.get_by_role("heading", level=1).inner_text() == "Program administration"
    assert "Welcome, Ada Admin" in page.get_by_role("status").inner_text()

    page.get_by_role("button", name="Sign out").click()
    a11y(page)
    assert "You are signed out" in page.inner_text("main")
    page.goto("/admin/")
    a11y(page)
    assert "/login" in page.url


def test_narrow_screen_keeps_navigation_usable(page: Any, a11y: Any, make_user: Any) -> None:
    trainee = make_user("trainee")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/login")
    page.get_by_label("E-mail address").fill(trainee.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    a11y(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page scrolls sideways at 375px ({width}px wide)"
    assert page.get_by_role("button", name="Sign out").is_visible()
