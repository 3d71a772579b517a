"""What the quiz, exam and programs pages say: the quiz intro promises the number of
questions the trainee then gets, a case is printed once above its questions, "Select all
that apply" once per question, a final exam submission needs a confirmation, and links that
say the same thing say which program they lead to."""

from __future__ import annotations

import re
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.content import write_tree
from tests.support.exams import complete_program_modules, load
from trainer.domain.statuses import AttemptStatus
from trainer.extensions import db
from trainer.models import ExamAttempt
from trainer.services import quizzes


# A case of three questions and four lone items, one of them "select all that apply" with
# the instruction in its stem, as authors write it. A quiz of 2 drawn by whole units until
# "at least 2" could hold 2, 3 or 4 questions.
def _single(iid: str, stem: str) -> str:
    return (
        f"  - id: {iid}\n    type: single\n    use: both\n    domain: advocacy\n"
        f"    competencies: [engagement]\n    stem: {stem}\n"
        "    options: {a: One, b: Two, c: Three}\n    answer: a\n    rationale: Because.\n"
    )


ALPHA_ITEMS = (
    "module: alpha\nitems:\n"
    + _single("alpha-001", "First lone question?")
    + _single("alpha-002", "Second lone question?")
    + _single("alpha-003", "Third lone question?")
    + """  - id: alpha-multi
    type: multiple
    use: both
    domain: advocacy
    competencies: [support]
    stem: Which are letters? Select all that apply.
    options: {a: A, b: B, c: "3"}
    answer: [a, b]
    rationale: A and B are letters.
scenarios:
  - id: alpha-s01
    domain: advocacy
    use: both
    vignette: Sam, a newcomer, arrives at the drop-in centre on a rainy Monday.
    items:
      - id: alpha-s01-1
        type: single
        competencies: [engagement]
        stem: What first?
        options: {a: Greet Sam, b: Ignore Sam, c: Leave}
        answer: a
        rationale: Greeting builds trust.
      - id: alpha-s01-2
        type: truefalse
        competencies: [engagement]
        stem: Sam should be welcomed.
        answer: true
        rationale: Welcome matters.
      - id: alpha-s01-3
        type: multiple
        competencies: [engagement]
        stem: Which help Sam settle in?
        options: {a: A tour, b: A cup of tea, c: A test}
        answer: [a, b]
        rationale: Kindness helps.
"""
)
CASE = "Sam, a newcomer, arrives at the drop-in centre on a rainy Monday."


def _tree(tmp_path: Path, quiz_items: int) -> Path:
    tree = write_tree(tmp_path)
    (tree / "items" / "alpha.yaml").write_text(ALPHA_ITEMS)
    module = tree / "modules" / "01-alpha.md"
    module.write_text(module.read_text().replace("items: 2", f"items: {quiz_items}"))
    return tree


class _Seeds:
    """Stands in for ``secrets`` in services.quizzes: the draws use seeds 0, 1, 2..."""

    def __init__(self) -> None:
        self.next = count()

    def randbelow(self, _: int) -> int:
        return next(self.next)


@pytest.fixture
def trainee(app: Any, client: Any, make_user: Any) -> Any:
    user = make_user("trainee")
    Auth(client).login(user)
    return user


def _quiz(client: Any) -> str:
    started = client.post("/learn/modules/alpha/quiz")
    assert started.status_code == 302, started.text
    return client.get(started.headers["Location"]).text


def _promised(intro: str) -> int:
    found = re.search(r"(\d+) questions?\b", intro)
    assert found, intro
    return int(found.group(1))


@pytest.mark.parametrize("quiz_items", [2, 4, 7])
def test_the_intro_promises_the_number_of_questions_shown(
    app: Any, client: Any, trainee: Any, tmp_path: Path, monkeypatch: Any, quiz_items: int
) -> None:
    load(app, _tree(tmp_path, quiz_items))
    client.post("/learn/programs/test-prog/enrol")
    monkeypatch.setattr(quizzes, "secrets", _Seeds())
    intro = client.get("/learn/modules/alpha/quiz").text
    promised = _promised(intro)
    assert promised == quiz_items
    for _ in range(12):  # twelve draws, twelve seeds: every one the promised length
        page = _quiz(client)
        assert page.count('class="quiz-item"') == promised


def test_a_case_is_printed_once_above_its_questions(
    app: Any, client: Any, trainee: Any, tmp_path: Path
) -> None:
    load(app, _tree(tmp_path, 7))  # the whole pool: the case and its three questions
    client.post("/learn/programs/test-prog/enrol")
    page = _quiz(client)
    assert page.count(CASE) == 1
    section = re.search(r'<section class="scenario".*?</section>', page, re.S)
    assert section, "the case and its questions are not grouped"
    group = section.group(0)
    assert group.index(CASE) < group.index("What first?")
    for stem in ("What first?", "Sam should be welcomed.", "Which help Sam settle in?"):
        assert stem in group
    assert "First lone question?" not in group


def test_select_all_that_apply_once_per_question(
    app: Any, client: Any, trainee: Any, tmp_path: Path
) -> None:
    load(app, _tree(tmp_path, 7))
    client.post("/learn/programs/test-prog/enrol")
    page = _quiz(client)
    items = re.findall(r'<div class="quiz-item">.*?</fieldset>', page, re.S)
    assert len(items) == 7
    multiple = [i for i in items if 'type="checkbox"' in i]
    assert len(multiple) == 2  # one says it in its stem, one does not
    for item in multiple:
        assert item.count("Select all that apply") == 1, item
    for item in items:
        if item not in multiple:
            assert "Select all that apply" not in item


@pytest.fixture
def exam(app: Any, client: Any, make_user: Any, tmp_path: Path) -> int:
    load(app, write_tree(tmp_path))
    user = make_user("trainee")
    complete_program_modules(app, user.id, "test-prog")
    Auth(client).login(user)
    started = client.post("/exam/programs/test-prog/start")
    return int(re.search(r"/exam/(\d+)/q/1", started.headers["Location"]).group(1))


def _status(app: Any, attempt_id: int) -> str:
    with app.app_context():
        attempt = db.session.get(ExamAttempt, attempt_id)
        assert attempt is not None
        return attempt.status


def test_the_exam_is_not_submitted_without_confirmation(app: Any, client: Any, exam: int) -> None:
    client.post(f"/exam/{exam}/q/1", data={"answer": "o1", "flag": "1", "go": "next"})
    client.post(f"/exam/{exam}/q/2", data={"answer": "o2", "go": "review"})
    review = client.get(f"/exam/{exam}/review").text
    assert f'href="/exam/{exam}/submit"' in review  # the way on is to the confirmation

    refused = client.post(f"/exam/{exam}/submit")
    assert refused.status_code == 422
    assert "not been submitted" in refused.text
    assert _status(app, exam) == AttemptStatus.OPEN
    assert client.post(f"/exam/{exam}/submit", data={"confirm": "no"}).status_code == 422
    assert _status(app, exam) == AttemptStatus.OPEN

    confirm = client.get(f"/exam/{exam}/submit")
    assert confirm.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", confirm.text))
    assert "3 questions are not answered" in text
    assert "1 question is flagged" in text
    assert "final" in text
    assert 'name="confirm" value="yes"' in confirm.text

    done = client.post(f"/exam/{exam}/submit", data={"confirm": "yes"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/exam/{exam}/result")
    assert _status(app, exam) == AttemptStatus.SUBMITTED
    # once closed, the confirmation page and a repeated submission lead to the result
    assert client.get(f"/exam/{exam}/submit").status_code == 302
    assert client.post(f"/exam/{exam}/submit").status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(ExamAttempt)).all()) == 1


def test_program_links_name_their_program(app: Any, client: Any, trainee: Any) -> None:
    from tests.support.content import REAL_CONTENT

    load(app, REAL_CONTENT)
    page = client.get("/learn/programs").text
    links = re.findall(r'<a href="/learn/programs/[^"]+"[^>]*>(.*?)</a>', page, re.S)
    assert len(links) >= 3
    names = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", link)).strip() for link in links]
    assert len(set(names)) == len(names), names
    assert all(name.startswith("Details and enrolment") for name in names), names
