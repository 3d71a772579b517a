"""A broken rule reaches the person as a message and leaves nothing behind, whether a form
catches it (web.forms.save: beside the field) or not (the registered handler: a 422 page)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from trainer.domain.errors import RuleError
from trainer.extensions import db
from trainer.models import AuditEvent
from trainer.services import audit
from trainer.web.access import public


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.fixture
def breaking_app(app: Flask) -> Flask:
    @public
    def breaks_a_rule() -> str:
        audit.record("test.half_written")  # written, then the rule fails: must not stay
        raise RuleError("hours", "Hours must be a number.")

    app.add_url_rule("/_test/rule", "breaks_a_rule", breaks_a_rule, methods=["POST"])
    app.add_url_rule("/api/_test/rule", "api_breaks_a_rule", breaks_a_rule, methods=["POST"])
    return app


def test_an_uncaught_rule_error_is_a_422_page_and_nothing_is_saved(breaking_app: Flask) -> None:
    client = breaking_app.test_client()
    page = client.post("/_test/rule")
    assert page.status_code == 422
    assert "Hours must be a number. Nothing was saved." in page.text
    answer = client.post("/api/_test/rule")
    assert answer.status_code == 422
    assert answer.json["error"]["message"] == "Hours must be a number. Nothing was saved."
    with breaking_app.app_context():
        assert _events() == 0


def test_a_form_shows_the_rule_beside_its_field_and_saves_nothing(
    client: Any, auth: Any, make_user: Any, app: Flask
) -> None:
    me = make_user("trainee")
    auth.login(me)
    with app.app_context():
        before = _events()
    page = client.post(
        "/account",
        data={
            "pw-current_password": "not my password",
            "pw-new_password": "a brand new passphrase",
            "pw-confirm": "a brand new passphrase",
        },
    )
    assert page.status_code == 200  # the form again, not a redirect
    # beside its field, and linked from the summary at the top
    assert (
        '<p class="error-message" id="pw-current_password-error">'
        "That is not your current password.</p>" in page.text
    )
    assert '<a href="#pw-current_password">Current password: That is not' in page.text
    with app.app_context():
        assert _events() == before  # no audit event, no change
    auth.logout()
    assert auth.login(me, "a brand new passphrase").status_code == 200  # refused, form again
    assert auth.login(me).status_code == 302  # the old password still signs in
