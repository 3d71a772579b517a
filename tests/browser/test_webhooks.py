"""A board member, in a real browser, adds a webhook, copies its secret (shown once), sends a
test event and sees it delivered to a real receiver that verifies the signature with that
secret, then makes a new secret and changes which events it hears. axe checks every page,
at 1280 and 375 px."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.support.webhooks import receiving


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WEBHOOKS_ALLOW_LOOPBACK": True}


def _both_widths(page: Any, a11y: Any) -> None:
    """axe at 1280 px and at 375 px, where nothing may scroll the page sideways."""
    a11y(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    a11y(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_board_member_adds_a_webhook_and_sees_the_secret_once(
    page: Any, a11y: Any, make_user: Any, run_worker: Any
) -> None:
    sign_in(page, a11y, make_user("board", jurisdiction="KY").email)
    with receiving() as receiver:
        page.goto("/webhooks/")
        _both_widths(page, a11y)
        assert "You have no webhooks." in page.inner_text("main")
        page.get_by_label("Address (URL)").fill(receiver.url)
        page.get_by_label("Description (optional)").fill("Licensing database sync")
        page.get_by_label("Condition added to a certificate").uncheck()
        page.get_by_role("button", name="Add webhook").click()
        _both_widths(page, a11y)
        secret = page.get_by_label("Signing secret").input_value()
        assert secret.startswith("whsec_")
        assert "shown only this once" in page.inner_text("main")
        receiver.secret = secret

        page.goto("/webhooks/")
        a11y(page)
        assert secret not in page.content()  # once means once
        page.get_by_role("link", name=receiver.url).click()
        _both_widths(page, a11y)
        facts = page.inner_text("dl.facts-list")
        assert "Licensing database sync" in facts and "Condition added" not in facts

        page.get_by_role("button", name="Send a test event").click()
        a11y(page)
        assert "A test event is queued" in page.inner_text("main")
        run_worker()
        [got] = receiver.received
        assert got.verified  # the secret as copied from the page signs the delivery
    page.reload()
    _both_widths(page, a11y)
    main = page.inner_text("main")
    assert "webhook.test" in main and "HTTP 200" in main and "Sent" in main
    assert page.get_by_role("button", name="Replay delivery").count() == 1

    page.get_by_role("button", name="Make a new secret").click()
    _both_widths(page, a11y)
    renewed = page.get_by_label("Signing secret").input_value()
    assert renewed.startswith("whsec_") and renewed != secret
    assert "shown only this once" in page.inner_text("main")
    page.get_by_role("link", name="All your webhooks").click()
    a11y(page)
    page.get_by_role("link", name=receiver.url).click()
    a11y(page)
    assert renewed not in page.content()
    assert "The previous secret still signs until" in page.inner_text("main")

    form = page.locator("form", has=page.get_by_role("button", name="Save changes"))
    for box in form.get_by_role("checkbox").all():
        box.uncheck()
    form.get_by_role("button", name="Save changes").click()
    _both_widths(page, a11y)  # the refusal, beside the field
    assert "Choose at least one of the listed events." in page.inner_text("main")
    form = page.locator("form", has=page.get_by_role("button", name="Save changes"))
    form.get_by_label("Certificate revoked").check()
    form.get_by_label("Description (optional)").fill("Revocations only")
    form.get_by_role("button", name="Save changes").click()
    a11y(page)
    assert "Saved. New deliveries use these settings." in page.inner_text("main")
    facts = page.inner_text("dl.facts-list")
    assert "Revocations only" in facts and "Certificate suspended" not in facts
