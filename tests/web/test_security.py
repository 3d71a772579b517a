"""The security baseline: headers, cookies, CSRF, rate limits, error pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD


def test_security_headers_on_every_page(client: Any) -> None:
    for path in ("/", "/login", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_pages_reference_no_outside_assets(client: Any) -> None:
    page = client.get("/").text
    assert "http://" not in page.replace("http://localhost", "")
    assert "https://" not in page and "//cdn" not in page


def test_session_cookie_is_httponly_and_samesite(auth: Any, make_user: Any) -> None:
    cookie = auth.login(make_user()).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "app_config", [{"BASE_URL": "https://trainer.example.org", "SESSION_COOKIE_SECURE": True}]
)
def test_session_cookie_is_secure_on_https(auth: Any, make_user: Any) -> None:
    cookie = auth.login(make_user()).headers["Set-Cookie"]
    assert "Secure" in cookie


def test_secure_cookie_defaults_follow_the_public_address(tmp_path: Any) -> None:
    from trainer import config

    for base, debug, secure in [
        ("https://x.org", False, True),
        ("https://x.org", True, False),
        ("http://127.0.0.1:5000", False, False),
    ]:
        cfg = {"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://", "BASE_URL": base}
        config.finalise(cfg, str(tmp_path), debug)
        assert cfg["SESSION_COOKIE_SECURE"] is secure


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_missing_or_forged_csrf_token_is_a_400_page(client: Any, make_user: Any) -> None:
    user = make_user()
    for data in (
        {"email": user.email, "password": PASSWORD},
        {"email": user.email, "password": PASSWORD, "csrf_token": "forged"},
    ):
        r = client.post("/login", data=data)
        assert r.status_code == 400
        assert "did not come from this site" in r.text
        assert "Set-Cookie" not in r.headers or "session=" not in r.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_real_forms_carry_a_csrf_token(client: Any) -> None:
    import re

    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post(
        "/login", data={"email": "x@example.org", "password": "nope nope nope", "csrf_token": token}
    )
    assert r.status_code == 200 and "do not match" in r.text


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "LOGIN_RATE_LIMIT_ADDRESS": "6 per minute",
        }
    ],
)
def test_sign_in_is_rate_limited_per_account_and_per_address(client: Any, make_user: Any) -> None:
    victim = make_user()
    for _ in range(3):
        assert (
            client.post(
                "/login", data={"email": victim.email, "password": "guess guess"}
            ).status_code
            == 200
        )
    blocked = client.post("/login", data={"email": victim.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text
    # other accounts from the same address still work until the address limit
    other = make_user()
    assert (
        client.post("/login", data={"email": other.email, "password": "x x x x x x"}).status_code
        == 200
    )
    assert (
        client.post("/login", data={"email": "a@example.org", "password": "y"}).status_code == 200
    )
    assert (
        client.post("/login", data={"email": "b@example.org", "password": "y"}).status_code == 429
    )


def test_unknown_url_is_a_friendly_404(client: Any) -> None:
    r = client.get("/this/does/not/exist")
    assert r.status_code == 404
    assert "There is no page at this address" in r.text


def test_nothing_typed_produces_a_500(client: Any, auth: Any, make_user: Any) -> None:
    nasty = [
        "",
        "\x00",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "é" * 5000,
        "%s%s%n",
        "../../etc/passwd",
    ]
    for value in nasty:
        for path in ("/login", "/register", "/forgot"):
            data = {
                "email": value,
                "password": value,
                "confirm": value,
                "legal_name": value,
                "timezone": value,
            }
            r = client.post(path, data=data)
            assert r.status_code < 500, (path, value)
            assert "<script>alert(1)</script>" not in r.text
    admin = make_user("admin")
    auth.login(admin)
    for value in nasty:
        assert (
            client.get("/admin/users", query_string={"q": value, "page": value}).status_code < 500
        )
        assert (
            client.get(
                "/admin/audit", query_string={"date_from": value, "actor": value, "action": value}
            ).status_code
            < 500
        )
        assert (
            client.post(
                "/admin/users/new", data={"email": value, "legal_name": value, "roles": value}
            ).status_code
            < 500
        )


def test_unexpected_errors_get_a_friendly_500_page(app: Any) -> None:
    from trainer.web.access import public

    @public
    def boom() -> str:
        raise RuntimeError("bug")

    app.add_url_rule("/boom", "boom", boom)
    r = app.test_client().get("/boom")
    assert r.status_code == 500
    assert "Nothing was saved" in r.text and "Traceback" not in r.text


def test_wrong_method_is_a_friendly_405(client: Any) -> None:
    """Typing /logout into the address bar (a GET) must not break the page."""
    r = client.get("/logout")
    assert r.status_code == 405 and "POST" in r.headers["Allow"]
    assert "cannot be used that way" in r.text
