"""Browser tests: Playwright driving the system Chromium, with axe-core on every page.

Call ``a11y(page)`` after each page a test lands on; the ``page`` fixture fails the test if
any document it loaded was never checked, so no visited page escapes the accessibility check.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("TRAINER_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps.sh (apt-get install chromium)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci`")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


class A11y:
    def __init__(self) -> None:
        self.loaded: list[str] = []
        self.checked: set[int] = set()
        self.source = AXE.read_text()

    def __call__(self, page: Any) -> None:
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=self.source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        assert not violations, f"accessibility violations on {page.url}:\n" + json.dumps(
            violations, indent=2
        )
        self.checked.update(range(len(self.loaded)))


def sign_in(page: Any, a11y: Any, email: str) -> None:
    """Sign in through the form (axe on the form and on the page it lands on)."""
    from tests.conftest import PASSWORD

    page.goto("/login")
    a11y(page)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    a11y(page)


def sign_out(page: Any, a11y: Any) -> None:
    """Sign out from the header (axe on the page it lands on)."""
    page.get_by_role("button", name="Sign out").click()
    a11y(page)


@pytest.fixture
def a11y() -> A11y:
    return A11y()


@pytest.fixture
def page(browser: Any, live_server: str, a11y: A11y) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core; the app's own pages never need it.
    context = browser.new_context(
        base_url=live_server,
        bypass_csp=True,
        accept_downloads=True,
        viewport={"width": 1200, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("load", lambda p: a11y.loaded.append(p.url))
    yield page
    unchecked = [url for i, url in enumerate(a11y.loaded) if i not in a11y.checked]
    context.close()
    assert not unchecked, f"pages loaded but never checked with axe: {unchecked}"
