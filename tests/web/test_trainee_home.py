"""The trainee home leads: one next-step card per enrolment, progress at a glance, and the
program page's fixes (an error next to the field it is about, no zero requirements)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.support.certificates import (
    TEST_PROG_HOURS,
    approve,
    everything_but_hours,
    log_hours,
)
from tests.support.content import REAL_CONTENT
from tests.support.exams import complete_program_modules, load
from tests.support.hours import supervised_trainee
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import SectionRead, SectionTime, User
from trainer.services import learning


def _card(html: str) -> str:
    found = re.search(r'<section class="card step-card.*?</section>', html, re.S)
    assert found, "no next-step card on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_a_new_trainee_is_led_to_choose_a_program(loaded: Any, make_user: Any, client_for: Any):
    page = client_for(make_user("trainee")).get("/learn/").get_data(as_text=True)
    assert "You are not enrolled in a program yet" in page
    assert 'class="button" href="/learn/programs"' in page


def test_the_card_follows_the_trainee_from_first_module_to_the_exam(
    loaded: Any, make_user: Any, client_for: Any
):
    trainee = make_user("trainee", name="Terry Trainee")
    client = client_for(trainee)
    client.post("/learn/programs/test-prog/enrol")
    card = _card(client.get("/learn/").get_data(as_text=True))
    assert "Your next step" in card and "Start the module “Alpha Module”" in card
    assert "0 of 2 sections read" in card
    assert "Modules 0 of 2" in card and "Education 0 of 3 hours" in card
    assert "Supervised work 0 of 10 hours" in card and "Exam Not yet" in card

    complete_program_modules(loaded, trainee.id, "test-prog")
    home = client.get("/learn/").get_data(as_text=True)
    card = _card(home)
    assert "Sign a statement" in card and "I will follow the code of ethics." in card
    assert "Modules 2 of 2" in card
    assert 'href="/learn/programs/test-prog#statement-code-of-ethics"' in home


def test_after_the_evidence_the_card_asks_for_hours_then_waits_then_certifies(
    loaded: Any, make_user: Any, client_for: Any
):
    trainee, sup, admin = make_user("trainee"), make_user("supervisor"), make_user("admin")
    eid = everything_but_hours(loaded, trainee, sup, admin)
    client = client_for(trainee)
    home = client.get("/learn/").get_data(as_text=True)
    assert "Log your supervised hours" in _card(home)
    assert f'href="/hours/{eid}/new"' in home
    ids = log_hours(loaded, trainee, sup, eid, TEST_PROG_HOURS)
    card = _card(client.get("/learn/").get_data(as_text=True))
    assert "Waiting for your supervisor to sign off hours" in card
    assert "10 hours are waiting" in card
    approve(loaded, sup, ids)
    home = client.get("/learn/").get_data(as_text=True)
    card = _card(home)
    assert "Certified" in card and "Your certificate TS-TPS-" in card
    assert "Download the certificate (PDF)" in card and "Public verification page" in card
    assert re.search(r'href="/learn/certificates/\d+/certificate.pdf"', home)


def test_a_document_waiting_for_review_shows_its_date_and_the_target(
    loaded: Any, make_user: Any, client_for: Any
):
    trainee = make_user("trainee")
    sup, admin = make_user("supervisor"), make_user("admin")
    supervised_trainee(loaded, trainee, sup, admin)
    complete_program_modules(loaded, trainee.id, "test-prog")
    client = client_for(trainee)
    page = client.get("/learn/programs/test-prog").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = {"csrf_token": token.group(1)} if token else {}
    client.post(
        "/learn/programs/test-prog/attestations/code-of-ethics",
        data={**form, "typed_name": trainee.legal_name},
    )
    from tests.support.certificates import PNG

    client.post(
        "/learn/programs/test-prog/documents/reference-letter",
        data={**form, "file": (__import__("io").BytesIO(PNG), "letter.png")},
        content_type="multipart/form-data",
    )
    card = _card(client.get("/learn/").get_data(as_text=True))
    # what can be done comes first; the wait is said below it, with the dates
    assert "Log your supervised hours" in card
    today = utcnow().date()
    assert f"Waiting for review: Reference letter, uploaded on {today:%-d %B %Y}" in card
    assert f"expected by {today + timedelta(days=5):%-d %B %Y}" in card


def test_a_wrong_name_re_renders_with_the_error_at_the_field(
    loaded: Any, make_user: Any, client_for: Any
):
    trainee = make_user("trainee", name="Terry Trainee")
    client = client_for(trainee)
    client.post("/learn/programs/test-prog/enrol")
    response = client.post(
        "/learn/programs/test-prog/attestations/code-of-ethics", data={"typed_name": "Terry T"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = re.search(r'<div class="field field-error">.*?</div>', page, re.S)
    assert field, "the name field is not marked as in error"
    assert "Type your legal name exactly as in your profile (Terry Trainee)" in field.group(0)
    assert 'aria-invalid="true"' in field.group(0) and "autofocus" in field.group(0)
    assert 'value="Terry T"' in field.group(0)  # what was typed is kept
    ok = client.post(
        "/learn/programs/test-prog/attestations/code-of-ethics",
        data={"typed_name": "Terry Trainee"},
    )
    assert ok.status_code == 302


def test_sign_and_upload_buttons_say_what_they_act_on(loaded: Any, make_user: Any, client_for: Any):
    client = client_for(make_user("trainee"))
    client.post("/learn/programs/test-prog/enrol")
    page = client.get("/learn/programs/test-prog").get_data(as_text=True)
    assert 'aria-label="Sign the statement: I will follow the code of ethics."' in page
    assert 'aria-label="Upload: Reference letter"' in page


def test_zero_requirements_are_not_shown_as_requirements(app: Any, make_user: Any, client_for: Any):
    load(app, REAL_CONTENT)
    client = client_for(make_user("trainee"))
    apss = client.get("/learn/programs/ky-apss").get_data(as_text=True)
    assert not re.search(r"\b0(\.0)? h", apss)
    assert "No supervised work is required before the credential." in apss
    client.post("/learn/programs/ky-apss/enrol")
    card = _card(client.get("/learn/").get_data(as_text=True))
    assert "Supervised work" not in card and "Supervision" not in card
    pr = client.get("/learn/programs/icrc-pr").get_data(as_text=True)
    assert "Supervised work: 500 hours, with 25 hours of supervision." in pr
    assert "16 in Ethical responsibility" in pr or "16 in ethical" in pr.lower()


def test_time_on_a_section_decides_when_it_counts(app: Any, make_user: Any, tmp_path: Path):
    """Real content asks for half of each section's reading time: clicking through does
    not count, and the time is recorded when the trainee moves on."""
    load(app, REAL_CONTENT)
    trainee = make_user("trainee")
    now = utcnow()
    with app.app_context():
        user = db.session.get(User, trainee.id)
        learning.enrol(user, "ky-apss", now)
        module = learning.get_module("recovery")
        first, second = module.anchors[:2]
        need = learning.needed_seconds(module, first, 0.5)
        assert need > 6
        page = learning.read_section(user, "recovery", first, now)
        assert page.read_count == 0 and page.needed_minutes >= 1
        learning.read_section(user, "recovery", second, now + timedelta(seconds=5))
        learning.read_section(user, "recovery", first, now + timedelta(seconds=6))
        # back on the first: five seconds were credited, not enough
        spent = dict(
            db.session.execute(
                db.select(SectionTime.anchor, SectionTime.seconds).where(
                    SectionTime.user_id == trainee.id
                )
            ).all()
        )
        assert spent == {first: 5, second: 1}
        later = now + timedelta(seconds=6 + need)
        learning.read_section(user, "recovery", second, later)
        read = set(db.session.scalars(db.select(SectionRead.anchor)))
        assert read == {first}
        # a tab left open all night credits at most a few times the reading time
        learning.settle(user, "recovery", later + timedelta(hours=9))
        seconds = db.session.scalar(
            db.select(SectionTime.seconds).where(SectionTime.anchor == second)
        )
        assert seconds is not None and seconds <= max(600, 3 * need * 2) + 1
        assert set(db.session.scalars(db.select(SectionRead.anchor))) == {first, second}
        db.session.commit()


def test_a_section_says_how_long_until_it_counts(app: Any, client_for: Any, make_user: Any) -> None:
    load(app, REAL_CONTENT)
    client = client_for(make_user("trainee"))
    client.post("/learn/programs/ky-apss/enrol")
    with app.app_context():
        first = learning.get_module("recovery").anchors[0]
    page = client.get(f"/learn/modules/recovery/{first}").get_data(as_text=True)
    text = " ".join(page.split())
    assert "This section counts as read for your training hours after about" in text
