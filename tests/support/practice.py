"""A content tree whose practice pool fills test-prog's blueprint, and answering a practice
exam through the services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.support.content import write_tree
from tests.support.exams import right_tokens
from trainer.extensions import db
from trainer.models import ItemRevision
from trainer.models.assessment import PracticeItem

#: test-prog's blueprint is 3 advocacy, 2 ethical-responsibility. The plain tree's practice
#: pool is one item (alpha-tf, use: quiz); this one adds practice items to both banks.
PRACTICE_ALPHA = "".join(
    f"""  - id: alpha-p{n}
    type: single
    use: practice
    domain: advocacy
    competencies: [engagement]
    stem: Practice question {n} about advocacy?
    options: {{a: Advocacy answer {n}, b: Another advocacy answer {n}, c: A third one {n}}}
    answer: a
    rationale: Practice rationale alpha {n}.
"""
    for n in range(1, 4)
)
PRACTICE_SCENARIO = """  - id: alpha-ps
    domain: advocacy
    use: practice
    vignette: Rio asks a peer for help with a housing form.
    items:
      - id: alpha-ps-1
        type: truefalse
        competencies: [engagement]
        stem: Rio should fill in the form alone.
        answer: false
        rationale: Practice rationale, Rio's case, part one.
      - id: alpha-ps-2
        type: multiple
        competencies: [engagement]
        stem: Which help fits? Select all that apply.
        options: {a: Read it together, b: Call the office with Rio, c: Sign it for Rio}
        answer: [a, b]
        rationale: Practice rationale, Rio's case, part two.
"""
PRACTICE_BETA = "".join(
    f"""  - id: beta-p{n}
    type: single
    use: practice
    domain: ethical-responsibility
    competencies: [engagement]
    stem: Practice question {n} about ethics?
    options: {{a: Ethics answer {n}, b: Another ethics answer {n}, c: A third ethics one {n}}}
    answer: b
    rationale: Practice rationale beta {n}.
"""
    for n in range(1, 4)
)


def practice_tree(root: Path) -> Path:
    """The test tree with practice items added. test-prog's practice pool is then 6
    advocacy items (alpha-tf, three lone practice items, a practice scenario of two) and 3
    ethics items: enough for its whole blueprint."""
    content = write_tree(root)
    alpha = content / "items" / "alpha.yaml"
    text = alpha.read_text().replace("scenarios:\n", PRACTICE_ALPHA + "scenarios:\n", 1)
    alpha.write_text(text + PRACTICE_SCENARIO)
    beta = content / "items" / "beta.yaml"
    beta.write_text(beta.read_text() + PRACTICE_BETA)
    return content


def answer_all(attempt_id: int, right: bool = True) -> dict[int, list[str]]:
    """The option ids that answer each question of a practice form right (or, with
    ``right=False``, the first wrong one), by position."""
    out = {}
    rows = db.session.scalars(
        select(PracticeItem)
        .where(PracticeItem.attempt_id == attempt_id)
        .order_by(PracticeItem.position)
    )
    for row in rows:
        content = db.session.scalar(
            select(ItemRevision.content).where(
                ItemRevision.item_id == row.item_id, ItemRevision.revision == row.revision
            )
        )
        good = right_tokens({"order": row.option_order}, content)
        tokens = [f"o{n}" for n in range(1, len(row.option_order) + 1)]
        out[row.position] = good if right else [next(t for t in tokens if t not in good)]
    return out


def item_uses(app: Any) -> dict[str, str]:
    """Every loaded item's use in its current revision, by item id."""
    with app.app_context():
        rows = db.session.execute(select(ItemRevision.item_id, ItemRevision.content)).all()
        return {item_id: content["use"] for item_id, content in rows}
