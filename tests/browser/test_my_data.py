"""A certified trainee downloads their data from the account page, in a real browser."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from tests.browser.conftest import sign_in
from tests.support.certificates import certified
from tests.support.content import write_tree
from tests.support.exams import load


def test_a_trainee_downloads_everything_held_about_them(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    holder, _, _ = certified(app, make_user, "Dana Download")
    sign_in(page, a11y, holder.email)
    page.get_by_role("link", name="Account").click()
    a11y(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    a11y(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    assert download.value.suggested_filename.startswith("my-data-")
    archive = zipfile.ZipFile(download.value.path())
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["legal_name"] == "Dana Download"
    (cert,) = data["certificates"]
    assert archive.read(cert["file"]).startswith(b"%PDF")
