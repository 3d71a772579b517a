"""Question types: one registry, each with a pure ``grade``.

A response is the set of option keys the person chose. Every type stores its options and its
correct keys the same way (true/false has the options ``true`` and ``false``), so a form, a
quiz and the statistics treat them alike.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionType:
    name: str
    label: str
    multiple: bool  # may the person choose more than one option?

    def grade(
        self, correct: Collection[str], chosen: Collection[str], partial: bool = False
    ) -> float:
        """Score in [0, 1] for choosing ``chosen`` when ``correct`` are the right keys."""
        chosen_set, correct_set = set(chosen), set(correct)
        if not self.multiple:
            return 1.0 if len(chosen_set) == 1 and chosen_set == correct_set else 0.0
        if not partial:
            return 1.0 if chosen_set == correct_set else 0.0
        # Partial credit: right picks minus wrong picks, over the number of right options.
        right = len(chosen_set & correct_set)
        wrong = len(chosen_set - correct_set)
        return max(0.0, (right - wrong) / len(correct_set)) if correct_set else 0.0


SINGLE = QuestionType("single", "Single choice", multiple=False)
MULTIPLE = QuestionType("multiple", "Multiple response", multiple=True)
TRUEFALSE = QuestionType("truefalse", "True/false", multiple=False)

TYPES: dict[str, QuestionType] = {t.name: t for t in (SINGLE, MULTIPLE, TRUEFALSE)}
TRUEFALSE_OPTIONS = (("true", "True"), ("false", "False"))


def grade(
    type_name: str, correct: Collection[str], chosen: Collection[str], partial: bool = False
) -> float:
    return TYPES[type_name].grade(correct, chosen, partial)
