"""A certificate as its holder, a stranger and an admin see it; the PDF, QR code and credential."""

from __future__ import annotations

import json
import re
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import Auth
from tests.support.certificates import TEST_PROG_HOURS, approve, everything_but_hours, log_hours
from tests.support.content import write_tree
from tests.support.exams import load


@pytest.fixture
def issued(app: Any, tmp_path: Path, make_user: Any) -> dict[str, Any]:
    load(app, write_tree(tmp_path))
    p = {
        "trainee": make_user("trainee", name="Jordan O'Neil"),
        "sup": make_user("supervisor"),
        "admin": make_user("admin"),
    }
    enrolment = everything_but_hours(app, p["trainee"], p["sup"], p["admin"])
    approve(app, p["sup"], log_hours(app, p["trainee"], p["sup"], enrolment, TEST_PROG_HOURS))
    client = app.test_client()
    Auth(client).login(p["trainee"])
    page = client.get("/learn/programs/test-prog").text
    assert "Download the certificate (PDF)" in page
    p["client"] = client
    p["pdf_url"] = re.search(r'href="([^"]+/certificate\.pdf)"', page).group(1)
    p["pdf"] = client.get(p["pdf_url"]).data
    p["number"] = PdfReader(BytesIO(p["pdf"])).metadata.subject.split()[1].rstrip(":")
    return p


def test_pdf_states_name_number_dates_and_metadata(app: Any, issued: dict[str, Any]) -> None:
    reader = PdfReader(BytesIO(issued["pdf"]))
    text = reader.pages[0].extract_text()
    assert "Jordan O'Neil" in text and issued["number"] in text
    assert "Issued" in text and "Valid until" in text and "Testland Board" in text
    assert reader.metadata.title == "Test Peer Specialist: Jordan O'Neil"
    assert reader.metadata.author == app.config["ISSUER_NAME"]  # the signer, not the board
    assert list(reader.attachments) == ["credential.json"]
    root = reader.trailer["/Root"]
    assert "/OutputIntents" in root  # PDF/A: a colour profile for archiving
    assert "pdfaid" in str(reader.xmp_metadata.rdf_root.toxml())  # PDF/A identification


def test_download_serves_the_stored_bytes(issued: dict[str, Any]) -> None:
    assert issued["client"].get(issued["pdf_url"]).data == issued["pdf"]


def test_qr_code_decodes_to_the_verify_page(issued: dict[str, Any], tmp_path: Path) -> None:
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(issued["pdf"])
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == f"http://localhost/verify/{issued['number']}"
    page = issued["client"].get(out.removeprefix("http://localhost"))
    assert page.status_code == 200 and "Valid" in page.text and "Jordan O&#39;Neil" in page.text


def test_public_verify_shows_only_what_the_certificate_states(
    app: Any, issued: dict[str, Any]
) -> None:
    anonymous = app.test_client()
    page = anonymous.get(f"/verify/{issued['number']}").text
    for private in ("hours", "supervis", "score", "%", "recovery", "exam"):
        assert private not in page.lower().split("<main")[1].split("</main>")[0], private
    api = anonymous.get(f"/api/v1/certificates/{issued['number']}")
    assert api.status_code == 200
    assert set(api.json) == {
        "number",
        "holder_name",
        "credential",
        "program",
        "issuing_authority",
        "jurisdiction",
        "issued_on",
        "expires_on",
        "status",
        "revoked_on",
        "issued_by",
        "suspended_on",
        "suspended_until",
        "conditions",
        "signing_key_retired_on",
    }
    assert api.json["status"] == "active" and api.json["conditions"] == []
    assert api.json["issued_by"] == app.config["ISSUER_NAME"]
    assert api.json["issuing_authority"] == "Testland Board"
    assert "Under the rules of" in page and "Testland Board" in page


@pytest.mark.parametrize(
    "number", ["NOPE", "TS-TPS-2026-000001-0", "x" * 300, "<script>", "TS-TPS-2099-999999-6"]
)
def test_unknown_or_malformed_numbers_are_clear_404s(app: Any, number: str) -> None:
    client = app.test_client()
    page = client.get(f"/verify/{number}")
    assert page.status_code == 404 and "No certificate has this number" in page.text
    api = client.get(f"/api/v1/certificates/{number}")
    assert api.status_code == 404 and api.json["error"]["status"] == 404


def test_another_trainee_cannot_download(app: Any, issued: dict[str, Any], make_user: Any) -> None:
    other = app.test_client()
    Auth(other).login(make_user("trainee"))
    assert other.get(issued["pdf_url"]).status_code == 403


def test_revoke_from_admin_page_changes_status_everywhere(app: Any, issued: dict[str, Any]) -> None:
    admin = app.test_client()
    Auth(admin).login(issued["admin"])
    r = admin.post(
        "/admin/certificates/revoke",
        data={"number": issued["number"], "reason": "Issued in error"},
        follow_redirects=True,
    )
    assert f"Certificate {issued['number']} is revoked." in r.text
    again = admin.post(
        "/admin/certificates/revoke",
        data={"number": issued["number"], "reason": "again"},
        follow_redirects=True,
    )
    assert "already revoked" in again.text
    assert (
        app.test_client().get(f"/api/v1/certificates/{issued['number']}").json["status"]
        == "revoked"
    )
    assert issued["client"].get(issued["pdf_url"]).data == issued["pdf"]


def test_cli_verifies_the_pdf_offline_and_catches_tampering(
    runner: Any, app: Any, issued: dict[str, Any], tmp_path: Path
) -> None:
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(issued["pdf"])
    key = tmp_path / "issuer.json"
    key.write_text(app.test_client().get("/.well-known/trainer-issuer.json").text)
    ok = runner.invoke(args=["certificate", "verify", str(pdf), "--key", str(key)])
    assert ok.exit_code == 0, ok.output
    assert "VALID signature" in ok.output and issued["number"] in ok.output
    credential = json.loads(PdfReader(BytesIO(issued["pdf"])).attachments["credential.json"][0])
    credential["validUntil"] = "2099-01-01T00:00:00+00:00"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(credential))
    result = runner.invoke(args=["certificate", "verify", str(bad), "--key", str(key)])
    assert result.exit_code == 1 and "INVALID" in result.output
    listing = runner.invoke(args=["certificate", "list", "--json"])
    assert json.loads(listing.output)[0]["number"] == issued["number"]
    out = tmp_path / "copy.pdf"
    assert (
        runner.invoke(args=["certificate", "pdf", issued["number"], "-o", str(out)]).exit_code == 0
    )
    assert out.read_bytes() == issued["pdf"]
    revoke = runner.invoke(args=["certificate", "revoke", issued["number"], "--reason", "test"])
    assert revoke.exit_code == 0
    twice = runner.invoke(args=["certificate", "revoke", issued["number"], "--reason", "test"])
    assert twice.exit_code == 1 and "already revoked" in twice.output
