"""Admins see item statistics for exams and quizzes, flagged and traced to the source line."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import Auth
from tests.support.content import write_tree
from tests.support.exams import complete_program_modules, load
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Accommodation, User
from trainer.services import exams


def test_exam_statistics_page_and_csv(
    app: Any, client: Any, tmp_path: Path, make_user: Any
) -> None:
    load(app, write_tree(tmp_path))
    for _ in range(3):
        user = make_user("trainee")
        complete_program_modules(app, user.id, "test-prog")
        with app.app_context():
            person = db.session.get(User, user.id)
            attempt = exams.start(person, "test-prog", utcnow())
            for item in attempt.items:
                exams.save_answer(person, attempt.id, item.position, ["o1"], False, utcnow())
            exams.submit(person, attempt.id, utcnow())
            db.session.commit()
    Auth(client).login(make_user("admin"))
    page = client.get("/admin/item-statistics", query_string={"program": "test-prog"}).text
    assert "Exam: test-prog" in page and "KR-20" in page
    assert re.search(r"<strong>3</strong> attempts", page)
    assert "content/items/alpha.yaml:" in page or "content/items/beta.yaml:" in page
    response = client.get("/admin/item-statistics.csv", query_string={"program": "test-prog"})
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[1][:2] == ["attempts", "3"]
    header = rows[2]
    assert header[:5] == ["item", "domain", "responses", "difficulty (p)", "discrimination (r_pb)"]
    assert len(rows) > 3 and all(r[8].startswith("content/items/") for r in rows[3:])
    quiz = client.get("/admin/item-statistics", query_string={"module": "alpha"}).text
    assert "Module quiz: alpha" in quiz
    assert client.get("/admin/item-statistics", query_string={"program": "nope"}).status_code == 404
    assert client.get("/admin/item-statistics.csv").status_code == 400


def test_admin_grants_extended_time(app: Any, client: Any, tmp_path: Path, make_user: Any) -> None:
    load(app, write_tree(tmp_path))
    trainee = make_user("trainee")
    Auth(client).login(make_user("admin"))
    page = client.get(f"/admin/users/{trainee.id}").text
    assert "Exam accommodations" in page and "None granted" in page
    title = page.split("<title>")[1].split("</title>")[0]
    assert title.startswith(trainee.legal_name) and "<" not in title
    bad = client.post(
        f"/admin/users/{trainee.id}/accommodation",
        data={"program": "test-prog", "multiplier": "9", "reason": "x"},
    )
    assert bad.status_code == 200 and "Between 1 and 4" in bad.text
    ok = client.post(
        f"/admin/users/{trainee.id}/accommodation",
        data={"program": "test-prog", "multiplier": "1.5", "reason": "Approved request on file"},
    )
    assert ok.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(Accommodation))
        assert (row.user_id, row.program_id, row.time_multiplier) == (trainee.id, "test-prog", 1.5)
    assert "1.5 × the time limit" in client.get(f"/admin/users/{trainee.id}").text
