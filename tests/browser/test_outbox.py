"""An admin finds a message that could not be delivered, sees why, and sends it again."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import sign_in


@pytest.fixture
def app_config(smtp: Any) -> dict[str, Any]:
    return {"SMTP_URL": smtp.url, "SMTP_TIMEOUT": 1}


def test_admin_retries_a_failed_message(
    page: Any, a11y: Any, app: Any, make_user: Any, smtp: Any, run_worker: Any
) -> None:
    admin = make_user("admin", name="Ada Admin")
    person = make_user("trainee", email="typo@example.org")
    smtp.refused_recipients.add(person.email)
    page.goto("/forgot")
    a11y(page)
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_role("button", name="Send the link").click()
    a11y(page)
    run_worker()

    sign_in(page, a11y, admin.email)
    main = page.inner_text("main")
    assert "1 message could not be delivered." in main
    page.get_by_role("link", name="See why and retry").click()
    a11y(page)
    assert "No such user here" in page.inner_text("main")
    page.get_by_text("Message text").click()
    assert "Reset your trainer password" in page.inner_text("main")

    smtp.refused_recipients.clear()
    page.get_by_role("button", name="Retry this message").click()
    a11y(page)
    assert "The message to typo@example.org is queued again." in page.inner_text("main")
    run_worker()
    page.get_by_role("link", name="Sent").click()
    a11y(page)
    assert "delivered" in page.inner_text("main") and "by SMTP" in page.inner_text("main")
    assert [r.to for r in smtp.received] == [person.email]
    page.goto("/admin/")
    a11y(page)
    assert "could not be delivered" not in page.inner_text("main")
