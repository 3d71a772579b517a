"""A holder shares the certificate, in a real browser: the LinkedIn "Add to profile" link
carries the certificate's facts, the wallet file is the signed credential, and a third party
follows it to the public verify page, the issuer's key and the revocation list. axe on
every page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.support.certificates import certified
from tests.support.content import write_tree
from tests.support.exams import load
from trainer.extensions import db
from trainer.models import Certificate


def test_holder_adds_it_to_linkedin_and_downloads_it_for_a_wallet(
    page: Any, a11y: Any, app: Any, make_user: Any, tmp_path: Path
) -> None:
    load(app, write_tree(tmp_path))
    holder, _, _ = certified(app, make_user, "Rosa Parkinson")
    with app.app_context():
        cert = db.session.scalars(select(Certificate)).one()
        number, issued, expires = cert.number, cert.issued_at, cert.expires_at

    sign_in(page, a11y, holder.email)
    page.goto(page.url.split("/learn")[0] + "/learn/programs/test-prog")
    a11y(page)
    link = page.get_by_role("link", name="Add to LinkedIn profile (opens LinkedIn in a new tab)")
    href = link.get_attribute("href")
    assert href.startswith("https://www.linkedin.com/profile/add?")
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    query = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    assert query["startTask"] == "CERTIFICATION_NAME"
    assert query["name"] == "Test Peer Specialist"
    assert query["organizationName"] == app.config["ISSUER_NAME"]
    assert (query["issueYear"], query["issueMonth"]) == (str(issued.year), str(issued.month))
    assert query["expirationYear"] == str(expires.year)
    assert query["certId"] == number and query["certUrl"].endswith(f"/verify/{number}")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download for a digital wallet").click()
    assert info.value.suggested_filename == f"{number}.json"
    credential = json.loads(Path(info.value.path()).read_text())
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"

    # a third party follows the credential's own addresses
    page.goto(credential["id"])
    a11y(page)
    assert "Valid" in page.inner_text("main") and "Under the rules of" in page.inner_text("main")
    status_href = page.get_by_role("link", name="published status list").get_attribute("href")
    served = page.request.get(urljoin(page.url, status_href)).json()  # JSON, not a page
    assert served["id"] == credential["credentialStatus"]["statusListCredential"]
