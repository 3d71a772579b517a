"""An administrator, whose role requires two-factor sign-in, is sent to set it up right after
signing in, enrols an authenticator (the code computed from the key on the page, as an app
would from the QR code), keeps the recovery codes, then signs in again with a code. Axe on
every page, at 1280 and 375 px."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import sign_in, sign_out
from tests.conftest import PASSWORD
from trainer.clock import utcnow


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"TWO_FACTOR_REQUIRED_ROLES": ("admin", "board")}


def _both_widths(page: Any, a11y: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url
    a11y(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    a11y(page)


def test_an_admin_enrols_in_two_factor_sign_in(page: Any, a11y: Any, make_user: Any) -> None:
    admin = make_user("admin", email="avery@example.org")
    sign_in(page, a11y, admin.email)
    assert page.url.endswith("/account/two-factor/setup")
    assert page.get_by_text("Required for your role").is_visible()
    assert page.locator(".qr svg").is_visible()
    _both_widths(page, a11y)
    # anything else sends the admin back here
    page.goto("/admin/")
    assert page.url.endswith("/account/two-factor/setup")
    a11y(page)

    secret = page.locator("#totp-secret").get_attribute("data-secret")
    typed = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert typed == secret  # the key shown for typing is the one in the QR code
    # a wrong code first: the error beside the field
    page.get_by_label("Code from the app").fill(
        "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    )
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert page.get_by_text("That code is not right").first.is_visible()
    a11y(page)
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    _both_widths(page, a11y)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a text file").click()
    saved = download.value.path().read_text()
    assert all(code in saved for code in codes)
    page.get_by_role("link", name="I have saved them").click()
    assert (
        page.get_by_text("unused recovery codes").is_visible()
        or page.get_by_text("10 unused recovery codes").is_visible()
    )
    _both_widths(page, a11y)
    sign_out(page, a11y)

    # signing in again: the password, then a code (the next one: each code works once)
    page.goto("/login")
    a11y(page)
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/login/code")
    _both_widths(page, a11y)
    later = utcnow() + timedelta(seconds=30)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(later))
    page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/admin/")
    a11y(page)
    page.goto("/account/two-factor")
    assert page.get_by_role("heading", name="Turn off two-factor sign-in").is_visible()
    _both_widths(page, a11y)
