"""The exam and quiz as pages: what a trainee sees, and what the browser is never sent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import Auth
from tests.support.content import write_tree
from tests.support.exams import complete_program_modules, load
from trainer.extensions import db
from trainer.models import ExamAttempt, ExamItem, ItemRevision, QuizAttempt


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path)


@pytest.fixture
def ready(app: Any, client: Any, tree: Path, make_user: Any) -> Any:
    load(app, tree)
    user = make_user("trainee")
    complete_program_modules(app, user.id, "test-prog")
    Auth(client).login(user)
    return user


def _start(client: Any) -> int:
    r = client.post("/exam/programs/test-prog/start")
    assert r.status_code == 302, r.text
    return int(re.search(r"/exam/(\d+)/q/1", r.headers["Location"]).group(1))


def _secrets(app: Any) -> list[str]:
    """Everything that would give an answer away: rationales and option feedback."""
    with app.app_context():
        revs = db.session.scalars(select(ItemRevision)).all()
        out = []
        for r in revs:
            out.append(r.content["rationale"])
            out += [o["feedback"] for o in r.content["options"] if o.get("feedback")]
        return out


def test_no_exam_page_reveals_the_answer_key(app: Any, client: Any, ready: Any) -> None:
    attempt_id = _start(client)
    pages = [client.get(f"/exam/{attempt_id}/q/{n}").text for n in range(1, 6)]
    pages.append(client.get(f"/exam/{attempt_id}/review").text)
    for n in range(1, 6):  # answer everything with the first option, then submit
        r = client.post(f"/exam/{attempt_id}/q/{n}", data={"answer": "o1", "go": "next"})
        pages.append(r.text)
    client.post(f"/exam/{attempt_id}/submit", data={"confirm": "yes"})
    pages.append(client.get(f"/exam/{attempt_id}/result").text)
    pages.append(client.get("/learn/programs/test-prog").text)
    secrets = _secrets(app)
    for page in pages:
        for secret in secrets:
            assert secret not in page, secret
        assert not re.search(r'value="[a-f]"', page)  # bank option keys never reach a page
        assert not re.search(r'="(alpha|beta)-[\w-]+"', page)  # nor bank item ids
        assert "correct" not in page.lower() or "correct answers are not shown" in page
    result = pages[-2]
    assert "Score by domain" in result and "Advocacy" in result


def test_option_ids_are_per_attempt(app: Any, client: Any, ready: Any) -> None:
    attempt_id = _start(client)
    page = client.get(f"/exam/{attempt_id}/q/1").text
    assert re.findall(r'name="answer" id="(o\d)"', page)[:3] == ["o1", "o2", "o3"]
    with app.app_context():
        item = db.session.scalar(
            select(ExamItem).where(ExamItem.attempt_id == attempt_id, ExamItem.position == 1)
        )
        assert sorted(item.option_order) == sorted(set(item.option_order))


def test_bad_exam_input_gets_4xx_and_changes_nothing(
    app: Any, client: Any, ready: Any, make_user: Any
) -> None:
    attempt_id = _start(client)
    client.post(f"/exam/{attempt_id}/q/1", data={"answer": "o2", "flag": "1", "go": "next"})
    bad = client.post(f"/exam/{attempt_id}/q/1", data={"answer": "o9"})
    assert bad.status_code == 422 and "not one of this question" in bad.text
    assert "Your saved answer is unchanged" in bad.text
    assert client.post(f"/exam/{attempt_id}/q/77", data={"answer": "o1"}).status_code == 404
    assert client.get(f"/exam/{attempt_id}/q/0").status_code == 404
    again = client.post("/exam/programs/test-prog/start", follow_redirects=True)
    assert "You have an exam attempt in progress" in again.text
    with app.app_context():
        assert len(db.session.scalars(select(ExamAttempt)).all()) == 1
        saved = db.session.scalar(
            select(ExamItem).where(ExamItem.attempt_id == attempt_id, ExamItem.position == 1)
        )
        chosen = (saved.chosen, saved.flagged)
    assert chosen == ([saved.option_order[1]], True)
    intruder = app.test_client()
    Auth(intruder).login(make_user("trainee"))
    assert intruder.get(f"/exam/{attempt_id}/q/1").status_code == 404
    assert intruder.post(f"/exam/{attempt_id}/q/1", data={"answer": "o1"}).status_code == 404
    assert intruder.post(f"/exam/{attempt_id}/submit").status_code == 404
    assert intruder.get(f"/exam/{attempt_id}/result").status_code == 404


def test_result_page_says_when_the_next_attempt_is_allowed(client: Any, ready: Any) -> None:
    attempt_id = _start(client)
    client.post(f"/exam/{attempt_id}/submit", data={"confirm": "yes"})
    result = client.get(f"/exam/{attempt_id}/result").text
    assert "not passed" in result and "Your next attempt is allowed from" in result
    assert "You have 2 attempts left" in result
    program = client.get("/learn/programs/test-prog").text
    assert "waiting period" in program and "Start the exam" not in program
    # submitting again changes nothing
    assert client.post(f"/exam/{attempt_id}/submit").status_code == 302


def test_question_page_runs_a_constant_number_of_queries(
    app: Any, client: Any, make_user: Any, tmp_path: Path, count_queries: Any
) -> None:
    def measure(extra_items: int, blueprint: int) -> int:
        root = tmp_path / f"t{extra_items}"
        tree = write_tree(root)
        bank = tree / "items" / "alpha.yaml"
        lines = bank.read_text().split("scenarios:")
        extra = "".join(
            f"  - id: alpha-x{n:03}\n    type: single\n    use: exam\n    domain: advocacy\n"
            f"    competencies: [engagement]\n    stem: Extra question {n}?\n"
            f"    options: {{a: Yes {n}, b: No {n}, c: Maybe {n}}}\n    answer: a\n"
            f"    rationale: Because {n}.\n"
            for n in range(extra_items)
        )
        bank.write_text(lines[0] + extra + "scenarios:" + lines[1])
        program = tree / "programs" / "test-prog.yaml"
        program.write_text(
            program.read_text().replace("{advocacy: 3,", f"{{advocacy: {blueprint},")
        )
        load(app, tree)
        user = make_user("trainee")
        complete_program_modules(app, user.id, "test-prog")
        c = app.test_client()
        Auth(c).login(user)
        attempt_id = _start(c)
        c.get(f"/exam/{attempt_id}/q/2")
        with count_queries() as q:
            assert c.get(f"/exam/{attempt_id}/q/2").status_code == 200
        with count_queries() as save:
            c.post(f"/exam/{attempt_id}/q/2", data={"answer": "o1", "go": "next"})
        return q.count + 100 * save.count

    short = measure(0, 3)
    long = measure(60, 60)
    assert short == long, (short, long)


def test_module_quiz_feedback_retake_and_best_score(
    app: Any, client: Any, tree: Path, make_user: Any
) -> None:
    load(app, tree)
    user = make_user("trainee")
    Auth(client).login(user)
    client.post("/learn/programs/test-prog/enrol")
    intro = client.get("/learn/modules/alpha/quiz")
    assert "Pass mark: 50%" in intro.text
    r = client.post("/learn/modules/alpha/quiz")
    quiz_url = r.headers["Location"]
    page = client.get(quiz_url).text
    assert page.count('class="quiz-item"') >= 2 and "Submit answers" in page
    assert "(correct answer)" not in page
    bad = client.post(quiz_url, data={"q1": ["o1", "o2", "o9"]})
    assert bad.status_code == 422 and "Nothing was saved" in bad.text
    client.post(quiz_url, data={})  # nothing answered: 0%
    result = client.get(quiz_url).text
    assert "0.0%" in result and "not passed yet" in result and "(correct answer)" in result
    with app.app_context():
        first = db.session.scalar(select(QuizAttempt))
        rationale = db.session.scalar(
            select(ItemRevision.content).where(ItemRevision.item_id == first.form[0]["item_id"])
        )["rationale"]
    assert rationale in result
    assert client.post(quiz_url, data={}).status_code == 302  # resubmitting changes nothing
    r = client.post("/learn/modules/alpha/quiz")  # a new draw
    assert r.headers["Location"] != quiz_url
    assert client.get("/learn/modules/nope/quiz").status_code == 404


def test_a_page_that_finds_the_deadline_passed_scores_the_attempt(
    app: Any, client: Any, ready: Any
) -> None:
    """Opening a question (a GET) after the deadline closes and scores the attempt in a short
    write of its own; the program page then shows the result."""
    from datetime import timedelta

    from sqlalchemy import update

    from trainer.clock import utcnow
    from trainer.extensions import db
    from trainer.models import ExamAttempt

    attempt_id = _start(client)
    with app.app_context():
        db.session.execute(
            update(ExamAttempt)
            .where(ExamAttempt.id == attempt_id)
            .values(deadline=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    page = client.get(f"/exam/{attempt_id}/q/1")
    assert page.status_code == 302 and f"/exam/{attempt_id}/result" in page.headers["Location"]
    with app.app_context():
        attempt = db.session.get(ExamAttempt, attempt_id)
        assert attempt is not None and attempt.status == "expired" and attempt.percent == 0
    assert "0%, not passed" in client.get("/learn/programs/test-prog").text
