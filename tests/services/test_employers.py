"""Employer rosters: adding numbers (one, or a CSV file all or nothing), reading the roster
(public facts only), and being told of changes exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.support.registry import make_certificates
from trainer.clock import utcnow
from trainer.domain.certnumbers import format_number
from trainer.domain.errors import NotFound, RuleError, RuleErrors
from trainer.domain.rosters import MAX_FILE, MAX_ROWS, NO_SUCH
from trainer.domain.statuses import CertificateEventKind
from trainer.extensions import db
from trainer.models import AuditEvent, Certificate, CertificateEvent, OutboxMessage, User
from trainer.models.employers import RosterEntry, RosterNotice
from trainer.services import accounts, certificates, employers
from trainer.services.certificates import events, standing

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_employer(app: Any) -> Callable[..., int]:
    """An employer account with an organisation; returns its id."""
    counter = iter(range(1, 1000))

    def make(organisation: str = "Bluegrass Recovery Center") -> int:
        with app.app_context():
            user = accounts.create_user(
                None,
                f"hr{next(counter)}@example.org",
                "Erin Employer",
                {"employer"},
                password=PASSWORD,
                now=utcnow(),
                organisation=organisation,
            )
            db.session.commit()
            return user.id

    return make


def _me(employer_id: int) -> User:
    user = db.session.get(User, employer_id)
    assert user is not None
    return user


def _mail_to(employer_id: int) -> list[OutboxMessage]:
    email = _me(employer_id).email
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == email)))


def _rule(action: Callable[[], Any]) -> RuleError:
    with pytest.raises(RuleError) as caught:
        action()
    db.session.rollback()
    return caught.value


# -- adding -----------------------------------------------------------------------------------


def test_an_issued_number_is_added_and_shown_with_public_facts_only(
    loaded: Any, make_employer: Any
) -> None:
    (number,) = make_certificates(loaded, 1, "TS", names=["Ada Lovelace"])
    boss = make_employer()
    with loaded.app_context():
        entry = employers.add_number(_me(boss), f" {number.lower()} ", "Ada (night shift)", NOW)
        db.session.commit()
        assert entry.number == number and entry.told_status == "active"
        data = employers.roster(_me(boss), NOW)
        (row,) = data.rows
        assert (data.total, data.attention) == (1, 0)
        assert (row.number, row.holder_name, row.status_words) == (number, "Ada Lovelace", "Valid")
        assert row.label == "Ada (night shift)" and row.expires_on == "2028-02-29"
        # exactly the public facts: nothing of the evidence, hours or the holder's account
        assert set(row.__dataclass_fields__) == {
            "id", "number", "label", "holder_name", "credential", "status", "issued_on",
            "expires_on", "days_left", "conditions", "renewed_from", "suspended_until",
        }  # fmt: skip
        assert "employer.roster_added" in db.session.scalars(select(AuditEvent.action)).all()
        # the same number again is refused beside the field
        again = _rule(lambda: employers.add_number(_me(boss), number, None, NOW))
        assert again.field == "number" and "already on your roster" in again.message


def test_unknown_malformed_and_unissued_numbers_get_the_same_answer(
    loaded: Any, make_employer: Any
) -> None:
    (review,) = make_certificates(loaded, 1, "TS", status="review")
    (elsewhere,) = make_certificates(loaded, 1, "KY")
    boss = make_employer()
    unknown = format_number("TS-TPS", 2026, 999_999)
    bad_check = unknown[:-1] + str((int(unknown[-1]) + 1) % 10)
    with loaded.app_context():
        answers = {
            text: _rule(lambda text=text: employers.add_number(_me(boss), text, None, NOW))
            for text in (unknown, bad_check, "hello", review, "x" * 500)
        }
        assert {(e.field, e.message) for e in answers.values()} == {("number", NO_SUCH)}
        # an issued number of any jurisdiction is public, so it may be watched
        employers.add_number(_me(boss), elsewhere, None, NOW)
        db.session.commit()
        assert employers.roster(_me(boss), NOW).total == 1


def test_a_renewed_number_brings_its_successor(loaded: Any, make_employer: Any) -> None:
    old, new = make_certificates(loaded, 2, "TS", names=["Rae Renewed", "Rae Renewed"])
    boss = make_employer()
    with loaded.app_context():
        first = db.session.scalar(select(Certificate).where(Certificate.number == old))
        second = db.session.scalar(select(Certificate).where(Certificate.number == new))
        first.status, first.superseded_by_id = "superseded", second.id
        db.session.commit()
        entry = employers.add_number(_me(boss), old, None, NOW)
        assert (entry.number, entry.renewed_from) == (new, old)


def test_someone_elses_entry_cannot_be_removed(loaded: Any, make_employer: Any) -> None:
    (number,) = make_certificates(loaded, 1, "TS")
    mine, theirs = make_employer(), make_employer("Other Org")
    with loaded.app_context():
        entry = employers.add_number(_me(theirs), number, None, NOW)
        db.session.commit()
        with pytest.raises(NotFound):
            employers.remove(_me(mine), entry.id, NOW)
        assert employers.roster(_me(mine), NOW).total == 0
        assert employers.remove(_me(theirs), entry.id, NOW) == number
        db.session.commit()
        assert employers.roster(_me(theirs), NOW).total == 0


# -- roster files -----------------------------------------------------------------------------


def _count(employer_id: int) -> int:
    return (
        db.session.scalar(select(func.count()).where(RosterEntry.employer_id == employer_id)) or 0
    )


def test_a_file_with_a_header_and_names_is_added(loaded: Any, make_employer: Any) -> None:
    numbers = make_certificates(loaded, 3, "TS")
    boss = make_employer()
    data = (
        "Staff name,Certificate number\r\n"
        f"Ada,{numbers[0]}\r\n\r\n"
        f'"Grace, H.",{numbers[1].lower()}\r\n'
    ).encode()
    with loaded.app_context():
        employers.add_number(_me(boss), numbers[2], None, NOW)
        result = employers.import_csv(_me(boss), data, NOW)
        db.session.commit()
        assert (result.added, result.already) == (2, 0)
        labels = dict(db.session.execute(select(RosterEntry.number, RosterEntry.label)).all())
        assert labels == {numbers[0]: "Ada", numbers[1]: "Grace, H.", numbers[2]: None}
        # without a header, a number per row; semicolons as some spreadsheets save; again
        again = employers.import_csv(_me(boss), f"{numbers[0]};Ada\n{numbers[2]}\n".encode(), NOW)
        assert (again.added, again.already) == (0, 2)


def test_a_file_with_any_bad_row_adds_nothing_and_names_each_row(
    loaded: Any, make_employer: Any
) -> None:
    numbers = make_certificates(loaded, 2, "TS")
    (review,) = make_certificates(loaded, 1, "TS", status="review")
    boss = make_employer()
    data = "\n".join(
        ["Certificate number", numbers[0], "not-a-number", numbers[1], review, numbers[0]]
    ).encode()
    with loaded.app_context():
        with pytest.raises(RuleErrors) as caught:
            employers.import_csv(_me(boss), data, NOW)
        db.session.rollback()
        messages = [p.message for p in caught.value.problems]
        assert messages == [
            f"row 3 (NOT-A-NUMBER): {NO_SUCH}",
            f"row 5 ({review}): {NO_SUCH}",
            "row 6: the same certificate as row 2.",
        ]
        assert {p.field for p in caught.value.problems} == {"file"}
        assert _count(boss) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no certificate numbers"),
        (b"Certificate number\n", "header row but no certificate numbers"),
        (b"x" * (MAX_FILE + 1), "larger than 256 KB"),
        (b"\x00\x01PK", "not a CSV file"),
        (b"\xff\xfe\x00K\x00Y", "not a CSV file"),
        (b"\n \n,,\n", "no certificate numbers"),
    ],
)
def test_files_refused_as_a_whole(
    loaded: Any, make_employer: Any, data: bytes, message: str
) -> None:
    boss = make_employer()
    with loaded.app_context():
        error = _rule(lambda: employers.import_csv(_me(boss), data, NOW))
        assert error.field == "file" and message in error.message
        assert _count(boss) == 0


def test_too_many_rows_and_too_many_problems(loaded: Any, make_employer: Any) -> None:
    boss = make_employer()
    unknown = [format_number("TS-TPS", 2026, 500_000 + i) for i in range(MAX_ROWS + 1)]
    with loaded.app_context():
        error = _rule(lambda: employers.import_csv(_me(boss), "\n".join(unknown).encode(), NOW))
        assert "2,001 rows; upload at most 2,000" in error.message
        many = "\n".join(unknown[:120]).encode()
        with pytest.raises(RuleErrors) as caught:
            employers.import_csv(_me(boss), many, NOW)
        problems = [p.message for p in caught.value.problems]
        assert len(problems) == 51 and problems[-1] == "… and 70 more rows."


# -- being told -------------------------------------------------------------------------------


def test_a_suspension_is_told_once_to_each_watching_employer(
    loaded: Any, make_employer: Any
) -> None:
    (number,) = make_certificates(loaded, 1, "TS", names=["Sol Suspended"])
    boss, other, bystander = make_employer(), make_employer("Second Org"), make_employer("None")
    with loaded.app_context():
        employers.add_number(_me(boss), number, None, NOW)
        employers.add_number(_me(other), number, None, NOW)
        db.session.commit()
        standing.suspend(None, number, "Private reason about the holder", None, NOW)
        db.session.commit()
        event = db.session.scalars(select(CertificateEvent)).all()[-1]
        assert employers.watchers(event) == {boss, other}
        assert events.dispatch(NOW) >= 1
        db.session.commit()
        (mail,) = _mail_to(boss)
        assert len(_mail_to(other)) == 1 and _mail_to(bystander) == []
        assert number in mail.subject and "suspended" in mail.subject
        assert "Sol Suspended" in mail.body and "not valid" in mail.body
        assert "Private reason" not in mail.body  # the reason is not public
        assert events.dispatch(NOW + timedelta(minutes=1)) == 0
        assert employers.on_event(event, NOW) == 0  # told already: the same status
        db.session.commit()
        assert len(_mail_to(boss)) == 1
        (row,) = employers.roster(_me(boss), NOW, attention_only=True).rows
        assert row.status_words == "Suspended"
        # reinstated, then revoked: each told once
        standing.reinstate(None, number, NOW + timedelta(days=1))
        certificates.revoke(None, number, "Another private reason", NOW + timedelta(days=2))
        events.dispatch(NOW + timedelta(days=2))
        events.dispatch(NOW + timedelta(days=2))
        db.session.commit()
        kinds = sorted(m.kind for m in _mail_to(boss))
        assert kinds == ["employer_reinstated", "employer_revoked", "employer_suspended"]
        assert not any("Another private reason" in m.body for m in _mail_to(boss))


def test_a_deactivated_employer_is_told_nothing(loaded: Any, make_employer: Any) -> None:
    (number,) = make_certificates(loaded, 1, "TS")
    boss = make_employer()
    with loaded.app_context():
        employers.add_number(_me(boss), number, None, NOW)
        _me(boss).active = False
        db.session.commit()
        certificates.revoke(None, number, "Reason", NOW)
        events.dispatch(NOW)
        db.session.commit()
        assert _mail_to(boss) == []


def test_a_condition_is_told_and_needs_attention(loaded: Any, make_employer: Any) -> None:
    (number,) = make_certificates(loaded, 1, "TS")
    boss = make_employer()
    with loaded.app_context():
        employers.add_number(_me(boss), number, None, NOW)
        standing.add_condition(None, number, "Practice under supervision", None, NOW)
        events.dispatch(NOW)
        db.session.commit()
        (mail,) = _mail_to(boss)
        assert "Practice under supervision" in mail.body
        (row,) = employers.roster(_me(boss), NOW, attention_only=True).rows
        assert [c.text for c in row.conditions] == ["Practice under supervision"]


def test_expiring_within_60_days_is_told_once_per_certificate(
    loaded: Any, make_employer: Any
) -> None:
    # issued from 1 March 2026 12:00, one an hour, valid 730 days: expire from 29 February 2028
    numbers = make_certificates(loaded, 3, "TS", names=["A One", "B Two", "C Three"])
    boss, other = make_employer(), make_employer("Other")
    expiry = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
    with loaded.app_context():
        for n in numbers:
            employers.add_number(_me(boss), n, None, NOW)
        employers.add_number(_me(other), numbers[0], None, NOW)
        db.session.commit()
        assert employers.expiry_watch(expiry - timedelta(days=61)) == 0
        soon = expiry - timedelta(days=59)
        assert employers.expiry_watch(soon) == 2  # one message per employer
        assert employers.expiry_watch(soon + timedelta(hours=1)) == 0  # once
        db.session.commit()
        (mail,) = _mail_to(boss)
        assert all(n in mail.body for n in numbers) and "3 staff certificates" in mail.subject
        assert len(_mail_to(other)) == 1
        assert db.session.scalar(select(func.count()).select_from(RosterNotice)) == 4
        data = employers.roster(_me(boss), soon, attention_only=True)
        assert data.attention == 3 and data.rows[0].days_left == 59


def test_a_renewal_is_followed_and_monitoring_goes_on(loaded: Any, make_employer: Any) -> None:
    old, new = make_certificates(loaded, 2, "TS", names=["Rae Renewed", "Rae Renewed"])
    boss = make_employer()
    with loaded.app_context():
        entry = employers.add_number(_me(boss), old, "Rae", NOW)
        first = db.session.scalar(select(Certificate).where(Certificate.number == old))
        second = db.session.scalar(select(Certificate).where(Certificate.number == new))
        # what certificates.renewal does: the old one superseded, an event naming the new
        first.status, first.superseded_by_id = "superseded", second.id
        events.record(first, CertificateEventKind.RENEWED, NOW, renewed_by=new)
        db.session.commit()
        events.dispatch(NOW)
        db.session.commit()
        db.session.refresh(entry)
        assert (entry.number, entry.renewed_from, entry.label) == (new, old, "Rae")
        (mail,) = _mail_to(boss)
        assert "renewed" in mail.subject and new in mail.body and old in mail.body
        (row,) = employers.roster(_me(boss), NOW).rows
        assert (row.number, row.renewed_from, row.status) == (new, old, "active")
        # the new certificate is watched: its suspension is told
        standing.suspend(None, new, "Reason", None, NOW)
        events.dispatch(NOW)
        db.session.commit()
        assert len(_mail_to(boss)) == 2


def test_a_renewal_onto_a_number_already_watched_keeps_one_entry(
    loaded: Any, make_employer: Any
) -> None:
    old, new = make_certificates(loaded, 2, "TS")
    boss = make_employer()
    with loaded.app_context():
        employers.add_number(_me(boss), old, None, NOW)
        employers.add_number(_me(boss), new, "kept", NOW)
        first = db.session.scalar(select(Certificate).where(Certificate.number == old))
        second = db.session.scalar(select(Certificate).where(Certificate.number == new))
        first.status, first.superseded_by_id = "superseded", second.id
        events.record(first, CertificateEventKind.RENEWED, NOW, renewed_by=new)
        events.dispatch(NOW)
        db.session.commit()
        (row,) = employers.roster(_me(boss), NOW).rows
        assert (row.number, row.label, row.renewed_from) == (new, "kept", old)


def test_an_employer_needs_an_organisation(app: Any) -> None:
    with app.app_context():
        error = _rule(
            lambda: accounts.create_user(
                None, "hr@example.org", "Erin", {"employer"}, password=PASSWORD, now=utcnow()
            )
        )
        assert error.field == "organisation"
        user = accounts.create_user(
            None, "hr@example.org", "Erin", {"employer"}, password=PASSWORD, now=utcnow(),
            organisation="  Bluegrass   Recovery ",
        )  # fmt: skip
        assert user.organisation == "Bluegrass Recovery"
        admin = accounts.create_user(
            None, "a@example.org", "Avery", {"admin"}, password=PASSWORD, now=utcnow()
        )
        accounts.update_user(admin, user, {"employer"}, None, True)  # None: kept
        assert user.organisation == "Bluegrass Recovery"
        error = _rule(lambda: accounts.update_user(admin, user, {"employer"}, None, True, ""))
        assert error.field == "organisation"


def test_the_cli_creates_an_employer_with_an_organisation(runner: Any, app: Any) -> None:
    args = ["user", "create", "hr@example.org", "--name", "Erin", "--role", "employer"]
    refused = runner.invoke(args=[*args, "--password-stdin"], input="erins password 1\n")
    assert refused.exit_code == 1 and "organisation: An employer needs" in refused.output
    made = runner.invoke(
        args=[*args, "--organisation", "Bluegrass Recovery", "--password-stdin"],
        input="erins password 1\n",
    )
    assert made.exit_code == 0, made.output
    with app.app_context():
        erin = accounts.find_by_email("hr@example.org")
        assert erin is not None and erin.organisation == "Bluegrass Recovery"


def test_a_real_renewal_is_followed(loaded: Any, make_employer: Any, make_user: Any) -> None:
    """Through certificates.renewal: continuing education approved renews the certificate,
    and the next dispatch moves the roster to the new number."""
    from tests.support.certificates import certified

    holder, _, admin = certified(loaded, make_user, "Rae Renewing")
    boss = make_employer()
    with loaded.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == holder.id))
        old = cert.number
        employers.add_number(_me(boss), old, None, utcnow())
        me = db.session.get(User, holder.id)
        today = utcnow().date()
        ids = [
            certificates.log_ce(me, cert.id, today, hours, topic, "Refresher", utcnow()).id
            for hours, topic in ((4, None), (2, "ethical-responsibility"))
        ]
        for entry_id in ids:
            certificates.decide_ce(db.session.get(User, admin.id), entry_id, True, utcnow())
        db.session.commit()
        new = db.session.scalar(select(Certificate.number).where(Certificate.cycle == 2))
        assert new is not None and new != old
        events.dispatch(utcnow())
        db.session.commit()
        (row,) = employers.roster(_me(boss), utcnow()).rows
        assert (row.number, row.renewed_from, row.status) == (new, old, "active")
        (mail,) = _mail_to(boss)
        assert "renewed" in mail.subject and new in mail.body


def test_an_expiry_is_told_once(loaded: Any, make_employer: Any) -> None:
    (number,) = make_certificates(loaded, 1, "TS")
    boss = make_employer()
    after = datetime(2028, 2, 29, 13, 0, tzinfo=UTC)
    with loaded.app_context():
        employers.add_number(_me(boss), number, None, NOW)
        events.expire(after)
        events.dispatch(after)
        events.expire(after + timedelta(hours=1))
        events.dispatch(after + timedelta(hours=1))
        db.session.commit()
        (mail,) = _mail_to(boss)
        assert mail.kind == "employer_expired" and "It expired on 2028-02-29" in mail.body
        (row,) = employers.roster(_me(boss), after, attention_only=True).rows
        assert row.status_words == "Expired"


def test_a_mistyped_number_on_the_first_row_is_a_row_not_a_header(
    loaded: Any, make_employer: Any
) -> None:
    (number,) = make_certificates(loaded, 1, "TS")
    boss = make_employer()
    with loaded.app_context():
        with pytest.raises(RuleErrors) as caught:
            employers.import_csv(_me(boss), f"CERT-2026-12\n{number}\n".encode(), NOW)
        assert [p.message for p in caught.value.problems] == [f"row 1 (CERT-2026-12): {NO_SUCH}"]
