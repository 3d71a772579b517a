"""Getting a trainee to the exam through the real services (read every section, pass quizzes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from trainer.clock import utcnow
from trainer.domain.exam import option_tokens
from trainer.extensions import db
from trainer.models import ItemRevision, ModuleSection, User
from trainer.services import learning, quizzes


def load(app: Any, tree: Path) -> None:
    result = app.test_cli_runner().invoke(args=["content", "load", str(tree)])
    assert result.exit_code == 0, result.output


def right_tokens(form_entry: dict[str, Any], content: dict[str, Any]) -> list[str]:
    tokens = option_tokens(form_entry["order"])
    return [t for t, k in zip(tokens, form_entry["order"], strict=True) if k in content["answer"]]


def pass_quiz(user: User, module_id: str) -> None:
    attempt = quizzes.start(user, module_id, utcnow())
    answers = {}
    for n, entry in enumerate(attempt.form, start=1):
        content = db.session.scalar(
            select(ItemRevision.content).where(
                ItemRevision.item_id == entry["item_id"], ItemRevision.revision == entry["revision"]
            )
        )
        answers[f"q{n}"] = right_tokens(entry, content)
    assert quizzes.submit(user, attempt.id, answers, utcnow()).passed


def complete_program_modules(app: Any, user_id: int, program_id: str) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        learning.enrol(user, program_id, utcnow())
        program = learning.get_program(program_id)
        for module_id in program.spec.modules:
            anchors = db.session.scalars(
                select(ModuleSection.anchor).where(ModuleSection.module_id == module_id)
            ).all()
            for anchor in anchors:
                learning.mark_read(user, module_id, anchor, utcnow())
            pass_quiz(user, module_id)
        db.session.commit()
