"""Competency evaluations: a supervisor rates each of the program's competencies on its scale,
with a comment, and signs. Pure: what a complete evaluation is, and when one is due.

A signed evaluation never changes; a correction is a new evaluation of the same form, and
the latest signed one of a form is the one that counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trainer.domain.content.model import EvaluationForm, EvaluationSpec
from trainer.domain.errors import RuleError, RuleErrors

MAX_COMMENT = 1000
MAX_RESPONSE = 2000


@dataclass(frozen=True)
class Rating:
    level: int
    comment: str


def check(
    spec: EvaluationSpec, form_id: str, typed: Mapping[str, tuple[str, str]]
) -> dict[str, Rating]:
    """``typed``: competency -> (level as typed, comment). Every competency of the spec must
    be rated on its scale; RuleErrors names each one that is not (field ``level-<id>``)."""
    problems: list[RuleError] = []
    if form_id not in {f.id for f in spec.forms}:
        problems.append(RuleError("form", "Choose which evaluation this is."))
    levels = {value for value, _ in spec.scale}
    out = {}
    for competency in spec.competencies:
        level_text, comment = typed.get(competency, ("", ""))
        level = int(level_text) if level_text.strip().isdigit() else None
        if level not in levels:
            problems.append(RuleError(f"level-{competency}", "Rate this competency."))
        elif len(comment) > MAX_COMMENT:
            problems.append(
                RuleError(f"comment-{competency}", f"At most {MAX_COMMENT} characters.")
            )
        else:
            assert level is not None
            out[competency] = Rating(level, comment.strip())
    if problems:
        raise RuleErrors(problems)
    return out


def lowest(ratings: Mapping[str, Rating]) -> int:
    return min((r.level for r in ratings.values()), default=0)


def due(form: EvaluationForm, approved_hours: float, required_hours: float) -> bool:
    """Whether the form is due: its share of the program's supervised hours is approved (a
    program without hour requirements: at once)."""
    if required_hours <= 0:
        return True
    return approved_hours + 1e-9 >= form.due_share * required_hours
