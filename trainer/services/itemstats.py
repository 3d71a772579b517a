"""Item statistics for the people who maintain the item bank (admins)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from defusedcsv import csv
from sqlalchemy import select

from trainer.domain.itemstats import FormStats, ItemStats, form_stats, item_stats
from trainer.domain.questions import TYPES
from trainer.domain.statuses import AttemptStatus
from trainer.extensions import db
from trainer.models import ExamAttempt, ExamItem, ItemRevision, QuizAttempt


@dataclass(frozen=True)
class ItemRow:
    stats: ItemStats
    stem: str
    domain: str
    source: str  # path:line of the revision in content/
    correct: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    title: str
    form: FormStats
    items: list[ItemRow]


def _rows(revisions: dict[str, ItemRevision], stats: list[ItemStats]) -> list[ItemRow]:
    out = []
    for s in stats:
        rev = revisions[s.item_id]
        out.append(
            ItemRow(
                s,
                rev.item.stem,
                rev.item.domain,
                f"{rev.source_path}:{rev.source_line}",
                rev.item.answer,
            )
        )
    return out


def _latest_revisions(item_ids: set[str]) -> dict[str, ItemRevision]:
    revs: dict[str, ItemRevision] = {}
    for rev in db.session.scalars(
        select(ItemRevision)
        .where(ItemRevision.item_id.in_(item_ids))
        .order_by(ItemRevision.revision)
    ):
        revs[rev.item_id] = rev
    return revs


def exam_report(program_id: str) -> Report:
    """Statistics over every scored attempt of a program's exam (one query for the answers)."""
    rows = db.session.execute(
        select(
            ExamItem.attempt_id,
            ExamItem.item_id,
            ExamItem.points,
            ExamItem.chosen,
            ExamAttempt.passed,
        )
        .join(ExamAttempt, ExamAttempt.id == ExamItem.attempt_id)
        .where(ExamAttempt.program_id == program_id, ExamAttempt.status != AttemptStatus.OPEN)
        .order_by(ExamItem.attempt_id)
    ).all()
    matrix: dict[int, dict[str, float]] = {}
    choices: dict[int, dict[str, list[str]]] = {}
    passed: dict[int, bool] = {}
    for r in rows:
        matrix.setdefault(r.attempt_id, {})[r.item_id] = r.points or 0.0
        choices.setdefault(r.attempt_id, {})[r.item_id] = r.chosen
        passed[r.attempt_id] = bool(r.passed)
    return _report(f"Exam: {program_id}", matrix, choices, passed)


def quiz_report(module_id: str) -> Report:
    attempts = db.session.scalars(
        select(QuizAttempt).where(
            QuizAttempt.module_id == module_id, QuizAttempt.submitted_at.is_not(None)
        )
    ).all()
    revs_needed = {(q.item_id, q.revision) for a in attempts for q in a.questions}
    content = {
        (r.item_id, r.revision): r.item
        for r in db.session.scalars(
            select(ItemRevision).where(ItemRevision.item_id.in_({i for i, _ in revs_needed}))
        )
    }
    matrix: dict[int, dict[str, float]] = {}
    choices: dict[int, dict[str, list[str]]] = {}
    passed: dict[int, bool] = {}
    for a in attempts:
        for n, q in enumerate(a.questions, start=1):
            item = content[(q.item_id, q.revision)]
            chosen = a.responses.get(str(n), [])
            matrix.setdefault(a.id, {})[q.item_id] = TYPES[item.type].grade(item.answer, chosen)
            choices.setdefault(a.id, {})[q.item_id] = chosen
        passed[a.id] = bool(a.passed)
    return _report(f"Module quiz: {module_id}", matrix, choices, passed)


def _report(
    title: str,
    matrix: dict[int, dict[str, float]],
    choices: dict[int, dict[str, list[str]]],
    passed: dict[int, bool],
) -> Report:
    ids = sorted(matrix)
    item_ids = {i for row in matrix.values() for i in row}
    revisions = _latest_revisions(item_ids)
    options = {i: [o.key for o in revisions[i].item.options] for i in item_ids}
    correct = {i: list(revisions[i].item.answer) for i in item_ids}
    per_form = form_stats([matrix[i] for i in ids], [passed[i] for i in ids])
    per_item = item_stats([matrix[i] for i in ids], [choices[i] for i in ids], options, correct)
    return Report(title, per_form, _rows(revisions, per_item))


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    f = report.form
    writer.writerow(["report", report.title])
    writer.writerow(
        [
            "attempts",
            f.attempts,
            "mean %",
            f.mean,
            "sd",
            f.sd,
            "kr20",
            f.kr20,
            "sem",
            f.sem,
            "pass rate",
            f.pass_rate,
        ]
    )
    writer.writerow(
        [
            "item",
            "domain",
            "responses",
            "difficulty (p)",
            "discrimination (r_pb)",
            "option shares",
            "correct",
            "flags",
            "source",
            "stem",
        ]
    )
    for row in report.items:
        s = row.stats
        writer.writerow(
            [
                s.item_id,
                row.domain,
                s.responses,
                s.difficulty,
                s.discrimination,
                " ".join(f"{k}={v}" for k, v in s.option_shares.items()),
                " ".join(row.correct),
                "; ".join(s.flags),
                row.source,
                row.stem,
            ]
        )
    return out.getvalue()


def choices_for_reports() -> dict[str, Any]:
    from trainer.models import Module, Program

    return {
        "programs": db.session.execute(
            select(Program.id, Program.title).order_by(Program.id)
        ).all(),
        "modules": db.session.execute(
            select(Module.id, Module.title)
            .where(Module.retired.is_(False))
            .order_by(Module.position)
        ).all(),
    }
