"""A new trainee registers, finds the link in the e-mail, confirms, and lands on their home."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from trainer.extensions import db
from trainer.models import OutboxMessage


def test_register_and_confirm(page: Any, a11y: Any, app: Any, live_server: str) -> None:
    page.goto("/")
    a11y(page)
    page.get_by_role("link", name="Register").first.click()
    a11y(page)
    page.get_by_label("Legal name").fill("Casey Morgan")
    page.get_by_label("E-mail address").fill("casey@example.org")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    a11y(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Check your e-mail"
    assert "casey@example.org" in page.inner_text("main")

    with app.app_context():
        body = db.session.scalar(
            select(OutboxMessage.body).where(OutboxMessage.kind == "account_confirm")
        )
    link = re.search(r"(/confirm/\S+)", body).group(1)
    page.goto(link)
    a11y(page)
    page.get_by_role("button", name="Confirm my address").click()
    a11y(page)
    assert page.url.endswith("/learn/")
    assert "Your address is confirmed" in page.get_by_role("status").inner_text()
