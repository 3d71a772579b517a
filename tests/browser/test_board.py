"""A board member, in a real browser: search, open a record, download a PDF and exports,
create an API token, see the board's own activity. axe checks every page."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.support.certificates import certified
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.registry import make_certificates
from trainer.extensions import db
from trainer.models import Certificate


def test_board_member_searches_reads_downloads_and_exports(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    trainee, sup, _ = certified(app, make_user, "Rosa Parkinson")
    make_certificates(app, 30, "TS")
    make_certificates(app, 2, "TS", names=["Rosa Other", "Rosalind Third"], status="revoked")
    make_certificates(app, 3, "KY", names=["Rosa Kentucky", "Rosa K2", "Rosa K3"])
    with app.app_context():
        number, sha = db.session.execute(
            select(Certificate.number, Certificate.pdf_sha256).where(
                Certificate.user_id == trainee.id
            )
        ).one()

    sign_in(page, a11y, make_user("board", jurisdiction="TS").email)
    main = page.inner_text("main")
    assert "Certificates today" in main and "31\nActive" in main.replace(" Active", "\nActive")
    assert page.locator("svg[role=img]").count() == 1

    page.get_by_role("link", name="Registry search").click()
    a11y(page)
    page.get_by_label("Name or certificate number").fill("rosa")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Search").click()
    a11y(page)
    results = page.inner_text("main")
    assert "1 certificate found" in results and "Rosa Parkinson" in results
    assert "Rosa Kentucky" not in results and "Rosa Other" not in results

    page.get_by_role("link", name=number).click()
    a11y(page)
    record = page.inner_text("main")
    assert "Evidence when it was earned" in record and sup.legal_name in record
    # on a phone the record fits the screen: nothing scrolls sideways but the history table
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    a11y(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    assert "Supported a peer." not in record
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    data = Path(pdf_download.value.path()).read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == sha

    page.goto("/board/registry?q=holder&sort=issued_asc")
    a11y(page)
    assert "30 certificates found" in page.inner_text("main")
    with page.expect_download() as zip_download:
        page.get_by_role("link", name="Download PDFs and manifest (ZIP)").click()
    archive = zipfile.ZipFile(zip_download.value.path())
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert len(manifest) == 30
    assert all(
        hashlib.sha256(archive.read(row["file"])).hexdigest() == row["sha256"] for row in manifest
    )
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download roster (CSV)").click()
    assert Path(csv_download.value.path()).read_text().count("\n") == 31

    page.get_by_role("link", name="API tokens").click()
    a11y(page)
    page.get_by_label("Name").fill("State licensing sync")
    page.get_by_role("button", name="Create token").click()
    a11y(page)
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("trn_")
    response = page.request.get(
        "/api/v1/registry/certificates?q=rosa", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status == 200
    assert {i["holder_name"] for i in response.json()["items"]} == {
        "Rosa Parkinson",
        "Rosa Other",
        "Rosalind Third",
    }

    page.get_by_role("link", name="Our activity").click()
    a11y(page)
    activity = page.inner_text("main")
    for what in (
        "Downloaded a certificate PDF",
        "Exported certificates (ZIP)",
        "Exported a roster (CSV)",
        "Created an API token",
        "API: searched the registry",
    ):
        assert what in activity
