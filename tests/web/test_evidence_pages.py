"""Signing statements and uploading documents from the program page: bad input saves nothing."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.conftest import Auth
from tests.support.certificates import PNG
from tests.support.content import write_tree
from tests.support.exams import load
from trainer.extensions import db
from trainer.models import AttestationSignature, DocumentUpload


def _count(app: Any, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_sign_and_upload_from_the_program_page(app: Any, tmp_path: Path, make_user: Any) -> None:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee", name="Riley Reyes")
    client = app.test_client()
    Auth(client).login(trainee)
    client.post("/learn/programs/test-prog/enrol")
    page = client.get("/learn/programs/test-prog").text
    assert "Type your legal name to sign" in page and "PDF, PNG or JPEG" in page
    assert "Sign this statement." in page and "Upload 1 more approved document" in page

    wrong = client.post(
        "/learn/programs/test-prog/attestations/code-of-ethics",
        data={"typed_name": "Someone Else"},
        follow_redirects=True,
    )
    assert "Type your legal name exactly" in wrong.text
    assert _count(app, AttestationSignature) == 0
    ok = client.post(
        "/learn/programs/test-prog/attestations/code-of-ethics",
        data={"typed_name": "  riley   reyes "},
        follow_redirects=True,
    )
    assert "Signed." in ok.text
    twice = client.post(
        "/learn/programs/test-prog/attestations/code-of-ethics",
        data={"typed_name": "Riley Reyes"},
        follow_redirects=True,
    )
    assert "already signed" in twice.text and _count(app, AttestationSignature) == 1
    assert (
        client.post(
            "/learn/programs/test-prog/attestations/nope", data={"typed_name": "Riley Reyes"}
        ).status_code
        == 404
    )

    url = "/learn/programs/test-prog/documents/reference-letter"
    cases = [({"file": (BytesIO(b""), "empty.pdf")}, "Choose a file")]
    (tmp_path / "evil.pdf").write_bytes(b"<script>alert(1)</script>")  # named .pdf, is not
    (tmp_path / "big.png").write_bytes(PNG + b"\0" * (5 * 1024 * 1024))
    for name, message in (
        ("evil.pdf", "Upload a PDF, PNG or JPEG"),
        ("big.png", "larger than 5 MB"),
    ):
        with (tmp_path / name).open("rb") as fh:
            r = client.post(url, data={"file": (fh, name)}, follow_redirects=True)
        assert message in r.text, name
    for data, message in cases:
        r = client.post(url, data=data, follow_redirects=True)
        assert message in r.text
    assert _count(app, DocumentUpload) == 0
    (tmp_path / "letter.png").write_bytes(PNG)
    with (tmp_path / "letter.png").open("rb") as fh:
        r = client.post(url, data={"file": (fh, "letter.png")}, follow_redirects=True)
    assert "Uploaded. An administrator reviews it." in r.text and "letter.png: pending" in r.text
    with app.app_context():
        doc = db.session.scalar(select(DocumentUpload))
        doc_id = doc.id
    assert client.get(f"/learn/documents/{doc_id}").data == PNG
    stranger = app.test_client()
    Auth(stranger).login(make_user("trainee"))
    assert stranger.get(f"/learn/documents/{doc_id}").status_code == 403
    admin = app.test_client()
    Auth(admin).login(make_user("admin"))
    assert admin.get(f"/learn/documents/{doc_id}").data == PNG
    rejected = admin.post(
        f"/admin/documents/{doc_id}/decide", data={"decision": "reject"}, follow_redirects=True
    )
    assert "Give the reason" in rejected.text
