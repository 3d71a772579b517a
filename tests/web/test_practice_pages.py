"""The practice exam as pages: taking one to the end, whose attempt it is, bad input, and
the statements each page runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.content import write_tree
from tests.support.exams import load
from tests.support.practice import answer_all, practice_tree
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import ItemRevision, User
from trainer.models.assessment import PracticeItem
from trainer.services import learning

BUDGET = 8


@pytest.fixture
def trainee(app: Any, client: Any, tmp_path: Path, make_user: Any) -> Any:
    """An enrolled trainee, signed in; test-prog's practice pool fills its blueprint."""
    load(app, practice_tree(tmp_path))
    user = make_user("trainee")
    with app.app_context():
        learning.enrol(db.session.get(User, user.id), "test-prog", utcnow())
        db.session.commit()
    Auth(client).login(user)
    return user


def _start(client: Any) -> int:
    r = client.post("/exam/practice/programs/test-prog/start")
    assert r.status_code == 302, r.text
    return int(re.search(r"/exam/practice/(\d+)/q/1$", r.headers["Location"]).group(1))


def _secrets(app: Any) -> list[str]:
    """What would give an answer away: rationales and option feedback, HTML-escaped."""
    with app.app_context():
        out = []
        for r in db.session.scalars(select(ItemRevision)):
            out.append(r.content["rationale"])
            out += [o["feedback"] for o in r.content["options"] if o.get("feedback")]
        return [str(escape(text)) for text in out]  # as a page would carry them


def _answers(app: Any, attempt_id: int, right: bool = True) -> dict[int, list[str]]:
    with app.app_context():
        return answer_all(attempt_id, right)


def test_a_practice_exam_from_the_program_page_to_the_answers(
    app: Any, client: Any, trainee: Any
) -> None:
    program = client.get("/learn/programs/test-prog").text
    assert 'href="/exam/practice/programs/test-prog">Practice exam</a>' in program
    intro = client.get("/exam/practice/programs/test-prog").text
    assert "<strong>5 questions</strong>" in intro and "never from the certification exam" in intro
    attempt_id = _start(client)
    secrets = _secrets(app)
    answers = _answers(app, attempt_id)
    for position in range(1, 6):
        page = client.get(f"/exam/practice/{attempt_id}/q/{position}").text
        assert f"Question {position} of 5" in page and "No time limit" in page
        assert not [s for s in secrets if s in page]  # no answer shown before the end
        assert not re.search(r'value="[a-f]"', page)  # nor a bank option key
        tokens = answers[position] if position != 2 else []  # question 2 left unanswered
        r = client.post(
            f"/exam/practice/{attempt_id}/q/{position}", data={"answer": tokens, "go": "next"}
        )
        assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/exam/practice/{attempt_id}/finish")
    finish = client.get(r.headers["Location"]).text
    assert "4 of 5 questions answered" in finish and "Question 2</a>: not answered" in finish
    assert client.get(f"/exam/practice/{attempt_id}/result").status_code == 302  # not yet
    done = client.post(f"/exam/practice/{attempt_id}/finish")
    assert done.headers["Location"].endswith(f"/exam/practice/{attempt_id}/result")
    result = client.get(done.headers["Location"]).text
    assert "<strong>80.0%</strong> (4 of 5 points)" in result
    assert "Score by domain" in result and "Advocacy" in result
    verdicts = re.findall(r'<p class="verdict \w+">([^<]*)</p>', result)
    assert sorted(verdicts) == ["Not right. You did not answer this question."] + ["Right."] * 4
    assert "(your answer, correct)" in result and "(correct answer)</strong>" in result
    with app.app_context():
        form = db.session.scalars(
            select(ItemRevision.content)
            .join(
                PracticeItem,
                (PracticeItem.item_id == ItemRevision.item_id)
                & (PracticeItem.revision == ItemRevision.revision),
            )
            .where(PracticeItem.attempt_id == attempt_id)
        ).all()
    assert len(form) == 5
    for content in form:  # every question's rationale is on the page
        assert str(escape(content["rationale"])) in result
    # a finished attempt's questions lead to its answers; another one may start at once
    assert client.get(f"/exam/practice/{attempt_id}/q/1").status_code == 302
    assert _start(client) != attempt_id
    assert "80.0%" in client.get("/exam/practice/programs/test-prog").text


def test_someone_elses_attempt_is_not_found(
    app: Any, client: Any, trainee: Any, make_user: Any
) -> None:
    attempt_id = _start(client)
    other = app.test_client()
    stranger = make_user("trainee")
    with app.app_context():
        learning.enrol(db.session.get(User, stranger.id), "test-prog", utcnow())
        db.session.commit()
    Auth(other).login(stranger)
    base = f"/exam/practice/{attempt_id}"
    for method, path in [
        ("GET", f"{base}/q/1"),
        ("POST", f"{base}/q/1"),
        ("GET", f"{base}/finish"),
        ("POST", f"{base}/finish"),
        ("GET", f"{base}/result"),
    ]:
        assert other.open(path, method=method, data={"answer": "o1"}).status_code == 404, path
    # nothing happened to the owner's attempt
    assert "Question 1 of 5" in client.get(f"{base}/q/1").text
    outsider = app.test_client()
    Auth(outsider).login(make_user("trainee"))  # not enrolled
    for ask in (outsider.get, outsider.post):  # the start page, and starting
        path = "/exam/practice/programs/test-prog" + ("/start" if ask == outsider.post else "")
        r = ask(path, follow_redirects=True)
        assert r.request.path == "/learn/programs/test-prog"
        assert "Enrol in this program before taking its practice exam." in r.text


def test_bad_answers_are_refused_with_a_message(app: Any, client: Any, trainee: Any) -> None:
    attempt_id = _start(client)
    url = f"/exam/practice/{attempt_id}/q/1"
    r = client.post(url, data={"answer": "o9", "go": "next"})
    assert r.status_code == 422
    assert "That answer is not one of this question&#39;s options." in r.text
    assert 'class="error-summary"' in r.text
    r = client.post(url, data={"answer": "b", "go": "next"})  # a bank key is not an option id
    assert r.status_code == 422
    assert client.post(url, data={"answer": "o1", "go": "<script>"}).status_code == 302
    assert client.get(f"/exam/practice/{attempt_id}/q/6").status_code == 404
    assert client.post("/exam/practice/programs/nope/start").status_code == 404
    client.post(f"/exam/practice/{attempt_id}/finish")
    r = client.post(url, data={"answer": "o2", "go": "next"})
    assert r.status_code == 409
    assert "This practice exam is finished, so its answers can no longer be changed." in r.text


def _pages(finished: int, current: int) -> dict[str, tuple[str, str, dict[str, str] | None]]:
    """name -> (method, path, form), for a finished and an unfinished attempt."""
    return {
        "start page": ("GET", "/exam/practice/programs/test-prog", None),
        "start (resumes)": ("POST", "/exam/practice/programs/test-prog/start", None),
        "question": ("GET", f"/exam/practice/{current}/q/3", None),
        "save": ("POST", f"/exam/practice/{current}/q/3", {"answer": "o1", "go": "next"}),
        "finish page": ("GET", f"/exam/practice/{current}/finish", None),
        "result": ("GET", f"/exam/practice/{finished}/result", None),
        "finish, done before": ("POST", f"/exam/practice/{finished}/finish", None),
    }


def _measure(
    client: Any, pages: dict[str, tuple[str, str, dict[str, str] | None]], count_queries: Any
) -> dict[str, int]:
    counts = {}
    for name, (method, path, form) in pages.items():
        ask = client.get if method == "GET" else client.post
        ask(path, data=form)  # warm: first reads, caches
        with count_queries() as q:
            response = ask(path, data=form)
        assert response.status_code in (200, 302), (name, response.status_code)
        counts[name] = q.count
    return counts


def test_each_page_stays_within_the_budget_whatever_the_history(
    app: Any, client: Any, trainee: Any, count_queries: Any
) -> None:
    finished = _start(client)
    client.post(f"/exam/practice/{finished}/finish")
    current = _start(client)
    small = _measure(client, _pages(finished, current), count_queries)
    over = {name: n for name, n in small.items() if n > BUDGET}
    assert not over, f"over {BUDGET} statements: {over}"
    for _ in range(10):  # ten more finished attempts
        client.post(f"/exam/practice/{current}/finish")
        current = _start(client)
    assert _measure(client, _pages(finished, current), count_queries) == small
    with count_queries() as q:  # finishing: a handful of statements, whatever the length
        assert client.post(f"/exam/practice/{current}/finish").status_code == 302
    assert q.count <= BUDGET


def test_a_short_practice_pool_says_how_long_the_practice_exam_is(
    app: Any, client: Any, tmp_path: Path, make_user: Any
) -> None:
    load(app, write_tree(tmp_path))  # the practice pool is one quiz item
    user = make_user("trainee")
    with app.app_context():
        learning.enrol(db.session.get(User, user.id), "test-prog", utcnow())
        db.session.commit()
    Auth(client).login(user)
    intro = client.get("/exam/practice/programs/test-prog").text
    assert "<strong>1 question</strong>" in intro
    assert "The certification exam has 5: there are not yet enough practice questions" in intro
    assert re.search(r"Ethical Responsibility</th><td>0</td><td>2</td>", intro)
    attempt_id = _start(client)
    assert "Question 1 of 1" in client.get(f"/exam/practice/{attempt_id}/q/1").text
