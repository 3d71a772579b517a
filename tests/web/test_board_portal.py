"""The board portal: registry search, records, downloads, exports, activity, tokens.

A board member sees the certificates of their own jurisdiction only; every record view,
download and export is an audit event.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.certificates import TEST_PROG_HOURS, approve, everything_but_hours, log_hours
from tests.support.registry import make_certificates
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import ApiToken, AuditEvent, Certificate, User
from trainer.services import learning


def _board(app: Any, make_user: Any, jurisdiction: str = "KY", **kw: Any) -> Any:
    client = app.test_client()
    Auth(client).login(make_user("board", jurisdiction=jurisdiction, **kw))
    return client


def _actions(app: Any) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_search_finds_by_name_number_status_and_dates(loaded: Any, make_user: Any) -> None:
    ky = make_certificates(loaded, 3, "KY", names=["Ada Lovelace", "Grace Hopper", "Alan Ada"])
    tn = make_certificates(loaded, 1, "TN", names=["Ada Tennessee"])
    board = _board(loaded, make_user)
    r = board.get("/board/registry?q=ada")
    assert r.status_code == 200
    assert "2 certificates found" in r.text
    assert "Ada Lovelace" in r.text and "Alan Ada" in r.text
    assert "Grace Hopper" not in r.text and "Ada Tennessee" not in r.text  # TN is not ours
    r = board.get(f"/board/registry?q={ky[1].lower()}")  # a number, typed in lower case
    assert "1 certificate found" in r.text and "Grace Hopper" in r.text
    assert "0 certificates found" in board.get(f"/board/registry?q={tn[0]}").text
    # dates: the helper issues one an hour from 1 March 2026 12:00 UTC
    r = board.get("/board/registry?issued_from=2026-03-01&issued_to=2026-03-01&status=active")
    assert "3 certificates found" in r.text
    assert "0 certificates found" in board.get("/board/registry?issued_from=2026-03-02").text
    r = board.get("/board/registry?sort=name_asc")
    assert r.text.index("Ada Lovelace") < r.text.index("Alan Ada") < r.text.index("Grace Hopper")
    r = board.get("/board/registry?sort=name_desc")
    assert r.text.index("Grace Hopper") < r.text.index("Alan Ada")


def test_search_pages_through_results(loaded: Any, make_user: Any) -> None:
    numbers = make_certificates(loaded, 30, "KY")
    board = _board(loaded, make_user)
    first = board.get("/board/registry?sort=issued_asc").text
    assert "30 certificates found" in first and "Page 1 of 2" in first
    assert numbers[0] in first and numbers[24] in first and numbers[25] not in first
    second = board.get("/board/registry?sort=issued_asc&page=2").text
    assert numbers[25] in second and numbers[29] in second and numbers[0] not in second


def test_status_filter_knows_expired_and_revoked(loaded: Any, make_user: Any) -> None:
    make_certificates(loaded, 2, "KY", names=["Active One", "Active Two"])
    make_certificates(loaded, 1, "KY", names=["Long Gone"], validity=timedelta(days=1))
    make_certificates(loaded, 1, "KY", names=["Struck Off"], status="revoked")
    board = _board(loaded, make_user)
    r = board.get("/board/registry?status=expired")
    assert "1 certificate found" in r.text and "Long Gone" in r.text
    r = board.get("/board/registry?status=revoked")
    assert "Struck Off" in r.text and "Active One" not in r.text
    r = board.get("/board/registry?status=active")
    assert "2 certificates found" in r.text
    home = board.get("/board/").text
    assert "<strong>2</strong> Active" in home and "<strong>1</strong> Expired" in home
    assert "<strong>1</strong> Revoked" in home
    assert "<svg" in home and "Certificates issued per month" in home


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("issued_from=31-01-2026", "issued_from", "Enter a date as YYYY-MM-DD"),
        ("issued_from=2026-02-01&issued_to=2026-01-01", "issued_to", "before the start"),
        ("status=lapsed", "status", "Choose one of active"),
        ("program=nope", "program", "No such program"),
        ("sort=salary", "sort", "Choose one of issued_desc"),
        ("page=0", None, "page: Enter a number from 1"),
        ("colour=blue", None, "colour: Unknown parameter"),
        ("q=" + "x" * 201, "q", "at most 200 characters"),
    ],
)
def test_bad_filters_re_render_with_the_fields_error(
    loaded: Any, make_user: Any, query: str, field: str | None, message: str
) -> None:
    make_certificates(loaded, 1, "KY")
    r = _board(loaded, make_user).get(f"/board/registry?{query}")
    assert r.status_code == (200 if query.startswith("page") else 400)
    assert message in r.text
    assert "There is a problem" in r.text
    if field:
        assert f'id="{field}-error"' in r.text
    assert "certificates found" not in r.text or query.startswith("page")


def test_metacharacters_are_taken_literally(loaded: Any, make_user: Any) -> None:
    names = ["Zoe 100% Real", "Zed_Underscore", "O'Brien <b>Bold</b>", "Plain Name"]
    make_certificates(loaded, 4, "KY", names=names)
    board = _board(loaded, make_user)
    assert "1 certificate found" in board.get("/board/registry?q=%25").text  # "%"
    assert "1 certificate found" in board.get("/board/registry?q=_").text
    r = board.get("/board/registry?q=o'brien <b>")
    assert "1 certificate found" in r.text
    assert "<b>Bold</b>" not in r.text and "&lt;b&gt;Bold&lt;/b&gt;" in r.text
    assert "0 certificates found" in board.get("/board/registry?q=' OR '1'='1").text
    assert "0 certificates found" in board.get("/board/registry?q=%25%27%3B--").text


def test_record_shows_evidence_and_history_not_hour_descriptions(
    loaded: Any, make_user: Any
) -> None:
    trainee, sup, admin = make_user("trainee"), make_user("supervisor"), make_user("admin")
    enrolment = everything_but_hours(loaded, trainee, sup, admin)
    with loaded.app_context():  # seven minutes on a section, recorded as the reader does
        user = db.session.get(User, trainee.id)
        module = learning.get_module(learning.get_program("test-prog").spec.modules[0])
        first, second = module.anchors[:2]
        learning.read_section(user, module.id, first, utcnow())
        learning.read_section(user, module.id, second, utcnow() + timedelta(minutes=7))
        db.session.commit()
        title, estimate = module.title, module.meta["reading_minutes"]
    approve(loaded, sup, log_hours(loaded, trainee, sup, enrolment, TEST_PROG_HOURS))
    with loaded.app_context():
        number = db.session.scalars(select(Certificate.number)).one()
    board = _board(loaded, make_user, "TS", name="Bea Board")
    r = board.get(f"/board/registry/{number}")
    assert r.status_code == 200
    assert trainee.legal_name in r.text
    assert "Passed on" in r.text and sup.legal_name in r.text
    assert "Issued" in r.text
    # in words a clerk reads, not the content's codes or hashes
    text = " ".join(re.sub(r"<[^>]+>", " ", r.text).split())
    assert "I will follow the code of ethics." in text and "Reference letter" in text
    for code in ("code-of-ethics", "reference-letter", "(test-prog)", "Content release"):
        assert code not in text, code
    assert re.search(r"Passed on \d+ \w+ \d{4} with [\d.]+% \(pass mark \d+%\)", text), text
    assert f"{title}: 7 min (estimated reading time {estimate} min)" in text
    assert "Supported a peer." not in r.text  # the hours' free-text description
    assert trainee.email not in r.text
    r = board.post(
        "/board/revoke",
        data={"number": number, "reason": "Board order 2026-14"},
        follow_redirects=True,
    )
    assert f"Certificate {number} is revoked." in r.text
    assert "Board order 2026-14" in r.text and "Bea Board" in r.text  # history: who and why
    assert "Revoke this certificate" not in r.text
    assert _actions(loaded).count("board.record_viewed") == 2
    activity = board.get("/board/activity").text
    assert "Revoked a certificate" in activity and "Board order 2026-14" in activity


def test_other_jurisdictions_do_not_exist_for_a_board(loaded: Any, make_user: Any) -> None:
    (tn,) = make_certificates(loaded, 1, "TN", names=["Tennessee Holder"])
    ky_board = _board(loaded, make_user, "KY")
    assert ky_board.get(f"/board/registry/{tn}").status_code == 404
    assert ky_board.get(f"/board/registry/{tn}/certificate.pdf").status_code == 404
    assert "Tennessee Holder" not in ky_board.get("/board/registry").text
    r = ky_board.post("/board/revoke", data={"number": tn, "reason": "x"}, follow_redirects=True)
    assert "No certificate of your jurisdiction" in r.text
    r = ky_board.get("/board/exports/roster.csv", follow_redirects=True)
    assert "nothing to export" in r.text
    tn_board = _board(loaded, make_user, "TN")
    assert tn_board.get(f"/board/registry/{tn}").status_code == 200
    pdf = tn_board.get(f"/board/registry/{tn}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="{tn}.pdf"'
    with loaded.app_context():
        cert = db.session.scalars(select(Certificate)).one()
        assert hashlib.sha256(pdf.data).hexdigest() == cert.pdf_sha256
        assert cert.status == "active"
    assert "board.pdf_downloaded" in _actions(loaded)


def test_zip_export_of_500_matches_its_manifest(loaded: Any, make_user: Any) -> None:
    ky = make_certificates(loaded, 500, "KY")
    make_certificates(loaded, 5, "TN")
    board = _board(loaded, make_user)
    r = board.get("/board/exports/certificates.zip")
    assert r.status_code == 200
    assert r.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(r.data))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert len(manifest) == 500
    assert {row["number"] for row in manifest} == set(ky)  # and nothing from TN
    for row in manifest:
        data = archive.read(row["file"])
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert row["status"] == "active" and row["holder_name"].startswith("Holder KY")
    with loaded.app_context():
        stored = dict(db.session.execute(select(Certificate.number, Certificate.pdf_sha256)).all())
    assert all(stored[row["number"]] == row["sha256"] for row in manifest)
    with loaded.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "board.export_zip")
        ).one()
        assert event.details["count"] == 500


def test_exports_follow_the_search_and_are_streamed(loaded: Any, make_user: Any) -> None:
    make_certificates(loaded, 3, "KY", names=['=HYPERLINK("http://x")', "Ann Smith", "Bo Smith"])
    board = _board(loaded, make_user)
    r = board.get("/board/exports/roster.csv?q=smith&sort=name_asc", buffered=False)
    assert r.is_streamed
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0][:3] == ["number", "holder_name", "credential"]
    assert [row[1] for row in rows[1:]] == ["Ann Smith", "Bo Smith"]
    r = board.get("/board/exports/roster.csv")
    names = [row[1] for row in csv.reader(io.StringIO(r.get_data(as_text=True)))]
    assert '\'=HYPERLINK("http://x")' in names  # a formula is defused for spreadsheets
    r = board.get("/board/exports/certificates.zip?q=smith", buffered=False)
    assert r.is_streamed
    assert len(zipfile.ZipFile(io.BytesIO(r.get_data())).namelist()) == 3  # 2 PDFs + manifest
    r = board.get("/board/exports/roster.csv?issued_from=bad", follow_redirects=True)
    assert r.status_code == 400 and "Enter a date as YYYY-MM-DD" in r.text
    assert _actions(loaded).count("board.export_csv") == 2


def test_api_tokens_are_shown_once_and_stored_hashed(loaded: Any, make_user: Any) -> None:
    board = _board(loaded, make_user)
    r = board.post("/board/tokens", data={"name": "", "days": "90"})
    assert r.status_code == 400 and "Name the token" in r.text
    r = board.post("/board/tokens", data={"name": "State sync", "days": "7"})
    assert r.status_code == 400 and "Not a valid choice" in r.text
    r = board.post("/board/tokens", data={"name": "State sync", "days": "90"})
    assert r.status_code == 200 and "Copy it now" in r.text
    secret = r.text.split('id="new-token" class="token" value="')[1].split('"')[0]
    assert secret.startswith("trn_") and len(secret) > 40
    listing = board.get("/board/tokens").text
    assert secret not in listing and secret[:12] in listing and "State sync" in listing
    with loaded.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        assert token.token_sha256 == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in str(db.session.scalars(select(AuditEvent.details)).all())
    api = loaded.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/registry/certificates", headers=headers).status_code == 200
    r = board.post(f"/board/tokens/{token.id}/revoke", follow_redirects=True)
    assert "is revoked" in r.text
    r = api.get("/api/v1/registry/certificates", headers=headers)
    assert r.status_code == 401 and "revoked" in r.json["error"]["message"]
    other = _board(loaded, make_user)
    assert other.post(f"/board/tokens/{token.id}/revoke").status_code == 404


def test_program_filter_offers_only_programs_seen_here(loaded: Any, make_user: Any) -> None:
    ky_board = _board(loaded, make_user, "KY")
    assert "test-prog" not in ky_board.get("/board/registry").text  # a TS program
    assert "No such program" in ky_board.get("/board/registry?program=test-prog").text
    make_certificates(loaded, 1, "KY", names=["Moved Here"])  # test-prog, issued for KY
    r = ky_board.get("/board/registry?program=test-prog")
    assert r.status_code == 200 and "Moved Here" in r.text
    assert "test-prog" in _board(loaded, make_user, "TS").get("/board/registry").text
