"""The employer's pages: the roster with each certificate's standing, adding one number or a
CSV file (errors beside the field, or per row, nothing half-saved), removing, and who may
see what."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, Auth
from tests.support.registry import make_certificates
from trainer.clock import utcnow
from trainer.domain.certnumbers import format_number
from trainer.domain.rosters import MAX_FILE, NO_SUCH
from trainer.extensions import db
from trainer.models import User
from trainer.models.employers import RosterEntry
from trainer.services import accounts, employers

BUDGET = 8


@pytest.fixture
def make_employer(app: Any) -> Callable[..., Any]:
    """An employer signed in on its own client; returns (client, user id)."""
    counter = iter(range(1, 1000))

    def make(organisation: str = "Bluegrass Recovery Center") -> tuple[Any, int]:
        email = f"hr{next(counter)}@example.org"
        with app.app_context():
            user = accounts.create_user(
                None, email, "Erin Employer", {"employer"}, password=PASSWORD, now=utcnow(),
                organisation=organisation,
            )  # fmt: skip
            db.session.commit()
            user_id = user.id
        client = app.test_client()
        assert Auth(client).login(email).status_code == 302
        return client, user_id

    return make


def _entries(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(RosterEntry)) or 0


def _upload(client: Any, text: str | bytes, name: str = "staff.csv") -> Any:
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/employer/upload",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_employer_lands_on_the_roster_and_adds_a_number(loaded: Any, make_employer: Any) -> None:
    (number,) = make_certificates(loaded, 1, "TS", names=["Ada Lovelace"])
    client, _ = make_employer()
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200 and "Your roster is empty" in home.text
    assert "Staff certificates" in home.text and "Bluegrass Recovery Center" in home.text
    added = client.post("/employer/numbers", data={"number": number, "label": "Ada, nights"})
    assert added.status_code == 302
    page = client.get("/employer/").text
    assert "Ada Lovelace" in page and number in page and "Valid" in page
    assert "Ada, nights" in page and "2028-02-29" in page
    # only the public facts: nothing of the evidence or the holder's account
    for private in ("advocacy", "Sam Supervisor", "supervision", "holder1", "@example.org"):
        assert private not in page.split("<main", 1)[1].split("</main>")[0], private


@pytest.mark.parametrize("kind", ["unknown", "malformed", "review", "bad check digit"])
def test_a_number_not_issued_gets_one_message_beside_the_field(
    loaded: Any, make_employer: Any, kind: str
) -> None:
    (review,) = make_certificates(loaded, 1, "TS", status="review")
    unknown = format_number("TS-TPS", 2026, 999_999)
    typed = {
        "unknown": unknown,
        "malformed": "KY 123",
        "review": review,
        "bad check digit": unknown[:-1] + str((int(unknown[-1]) + 1) % 10),
    }[kind]
    client, _ = make_employer()
    r = client.post("/employer/numbers", data={"number": typed})
    assert r.status_code == 400
    assert f'<p class="error-message" id="number-error">{NO_SUCH}</p>' in r.text
    assert _entries(loaded) == 0


def test_empty_and_long_input_is_refused_beside_the_field(loaded: Any, make_employer: Any) -> None:
    client, _ = make_employer()
    assert "Enter a certificate number." in client.post("/employer/numbers", data={}).text
    r = client.post("/employer/numbers", data={"number": "K" * 100})
    assert r.status_code == 400 and "No issued certificate has this number" in r.text


def test_a_csv_file_is_added_whole_or_not_at_all(loaded: Any, make_employer: Any) -> None:
    numbers = make_certificates(loaded, 3, "TS")
    client, _ = make_employer()
    bad = f"Certificate number,Name\n{numbers[0]},Ada\nKY-NOPE,Bo\n{numbers[1]}\n{numbers[0]}\n"
    r = _upload(client, bad)
    assert r.status_code == 400
    assert "Nothing was added" in r.text
    assert "row 3 (KY-NOPE): No issued certificate has this number" in r.text
    assert "row 5: the same certificate as row 2." in r.text
    assert _entries(loaded) == 0
    good = f"Certificate number,Name\n{numbers[0]},Ada\n{numbers[1]},Bo\n"
    r = _upload(client, good)
    assert r.status_code == 302
    page = client.get("/employer/").text
    assert "Added 2 numbers to your roster." in page and "Bo" in page
    r = _upload(client, "\n".join(numbers))
    assert "Added 1 number to your roster. 2 were on it already." in client.get("/employer/").text
    assert _entries(loaded) == 3


def test_oversized_empty_and_missing_files_are_refused(loaded: Any, make_employer: Any) -> None:
    client, _ = make_employer()
    r = _upload(client, b"KY-APSS-2026-000001-8\n" * (MAX_FILE // 20))
    assert r.status_code == 400 and "larger than 256 KB" in r.text
    assert "no certificate numbers" in _upload(client, b"").text
    r = client.post("/employer/upload", data={}, content_type="multipart/form-data")
    assert r.status_code == 400 and "Choose a CSV file to upload." in r.text
    assert _entries(loaded) == 0


def test_another_employers_entry_is_not_there(loaded: Any, make_employer: Any) -> None:
    (number,) = make_certificates(loaded, 1, "TS", names=["Ada Lovelace"])
    mine, _ = make_employer()
    theirs, theirs_id = make_employer("Other Org")
    theirs.post("/employer/numbers", data={"number": number})
    with loaded.app_context():
        entry_id = db.session.scalar(select(RosterEntry.id))
    assert "Ada Lovelace" not in mine.get("/employer/").text
    assert mine.post(f"/employer/numbers/{entry_id}/remove").status_code == 404
    assert _entries(loaded) == 1
    r = theirs.post(f"/employer/numbers/{entry_id}/remove", follow_redirects=True)
    assert f"{number} is off your roster" in r.text and _entries(loaded) == 0


def test_the_attention_filter(loaded: Any, make_employer: Any) -> None:
    fine, revoked = make_certificates(loaded, 2, "TS", names=["Fay Fine", "Rex Revoked"])
    client, boss = make_employer()
    for n in (fine, revoked):
        client.post("/employer/numbers", data={"number": n})
    with loaded.app_context():
        from trainer.services import certificates

        certificates.revoke(None, revoked, "Reason", utcnow())
        db.session.commit()
    page = client.get("/employer/?show=attention").text
    assert "Rex Revoked" in page and "Revoked" in page and "Fay Fine" not in page
    assert "Needs attention (1)" in page and "All (2)" in page


def test_other_roles_cannot_see_the_roster(loaded: Any, make_user: Any) -> None:
    for role in ("board", "trainee", "supervisor", "admin"):
        client = loaded.test_client()
        Auth(client).login(make_user(role))
        assert client.get("/employer/").status_code == 403
        assert client.post("/employer/numbers", data={"number": "x"}).status_code == 403
    assert loaded.test_client().get("/employer/").status_code == 302  # to sign in


def test_the_roster_page_stays_within_the_statement_budget(
    loaded: Any, make_employer: Any, count_queries: Any
) -> None:
    client, boss = make_employer()

    def measure() -> int:
        client.get("/employer/")
        with count_queries() as q:
            assert client.get("/employer/").status_code == 200
        with count_queries() as attention:
            assert client.get("/employer/?show=attention&page=1").status_code == 200
        assert attention.count <= BUDGET
        return q.count

    def watch(count: int) -> None:
        numbers = make_certificates(loaded, count, "TS")
        with loaded.app_context():
            me = db.session.get(User, boss)
            employers.import_csv(me, "\n".join(numbers).encode(), utcnow())
            db.session.commit()

    watch(3)
    small = measure()
    assert small <= BUDGET
    watch(27)
    assert measure() == small


def test_an_admin_creates_an_employer_with_its_organisation(app: Any, make_user: Any) -> None:
    client = app.test_client()
    Auth(client).login(make_user("admin"))
    person = {"legal_name": "Erin Employer", "email": "erin@example.org", "roles": "employer"}
    r = client.post("/admin/users/new", data=person)
    assert "An employer needs an organisation" in r.text
    r = client.post("/admin/users/new", data={**person, "organisation": "Bluegrass Recovery"})
    assert r.status_code == 302
    with app.app_context():
        erin = accounts.find_by_email("erin@example.org")
        assert erin is not None and erin.organisation == "Bluegrass Recovery"
        erin_id = erin.id
    page = client.get(f"/admin/users/{erin_id}").text
    assert 'value="Bluegrass Recovery"' in page
    r = client.post(
        f"/admin/users/{erin_id}",
        data={"roles": "employer", "organisation": "Bluegrass Recovery Inc.", "active": "y"},
    )
    assert r.status_code == 302
    with app.app_context():
        assert accounts.find_by_email("erin@example.org").organisation == "Bluegrass Recovery Inc."
