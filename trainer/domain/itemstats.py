"""Item and test statistics over response matrices (classical test theory).

A response matrix has one row per attempt and one column per item; a cell holds the item's
score in [0, 1], or None where the attempt's form did not include the item (random forms).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

TOO_HARD = 0.30  # fewer than 30% right
TOO_EASY = 0.90  # more than 90% right
POOR_DISCRIMINATION = 0.20  # corrected point-biserial below this
MIN_RESPONSES = 10  # flags wait for this many responses to an item


@dataclass(frozen=True)
class ItemStats:
    item_id: str
    responses: int
    difficulty: float | None  # p-value: mean score
    discrimination: float | None  # corrected point-biserial (item vs rest of the test)
    option_shares: dict[str, float] = field(default_factory=dict)
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormStats:
    attempts: int
    mean: float | None  # mean percent score
    sd: float | None  # standard deviation of percent scores
    kr20: float | None
    sem: float | None  # standard error of measurement, in percent points
    pass_rate: float | None


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _sd(xs: Sequence[float]) -> float:
    """Population standard deviation (as KR-20 uses)."""
    m = _mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


def _correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 2:
        return None
    sx, sy = _sd(xs), _sd(ys)
    if sx == 0 or sy == 0:
        return None
    mx, my = _mean(xs), _mean(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / len(xs)
    return cov / (sx * sy)


def form_stats(matrix: Sequence[Mapping[str, float]], passed: Sequence[bool]) -> FormStats:
    """Whole-test figures. Scores are percent of each attempt's own form.

    KR-20 = k/(k-1) * (1 - sum(p*q) / var(total)), on raw totals. With random forms, k is
    the mean form length and sum(p*q) the mean over attempts of their items' p*q, using each
    item's p over everyone who saw it; with one fixed form this is the textbook formula.
    SEM = SD * sqrt(1 - KR-20).
    """
    n = len(matrix)
    if n == 0:
        return FormStats(0, None, None, None, None, None)
    percents = [100 * sum(row.values()) / len(row) if row else 0.0 for row in matrix]
    mean, sd = _mean(percents), _sd(percents)
    pass_rate = sum(passed) / n
    p = {}
    for item in {i for row in matrix for i in row}:
        scores = [row[item] for row in matrix if item in row]
        p[item] = _mean(scores)
    totals = [sum(row.values()) for row in matrix]
    var_total = _sd(totals) ** 2
    k = _mean([len(row) for row in matrix])
    sum_pq = _mean([sum(p[i] * (1 - p[i]) for i in row) for row in matrix])
    kr20 = None
    if n >= 2 and k > 1 and var_total > 0:
        kr20 = (k / (k - 1)) * (1 - sum_pq / var_total)
    sem = sd * math.sqrt(max(0.0, 1 - kr20)) if kr20 is not None else None
    return FormStats(
        n,
        round(mean, 2),
        round(sd, 2),
        None if kr20 is None else round(kr20, 3),
        None if sem is None else round(sem, 2),
        round(pass_rate, 3),
    )


def item_stats(
    matrix: Sequence[Mapping[str, float]],
    choices: Sequence[Mapping[str, Sequence[str]]],
    options: Mapping[str, Sequence[str]],
    correct: Mapping[str, Sequence[str]],
) -> list[ItemStats]:
    """Per item: p-value, corrected point-biserial, share choosing each option, and flags.

    ``choices[r][item]`` are the option keys attempt r chose for the item; ``options[item]``
    lists the item's option keys and ``correct[item]`` the right ones (a distractor is a
    wrong option; one that nobody chooses is doing no work).
    """
    out = []
    for item in sorted(options):
        rows = [r for r, row in enumerate(matrix) if item in row]
        scores = [matrix[r][item] for r in rows]
        rest = [sum(matrix[r].values()) - matrix[r][item] for r in rows]
        n = len(rows)
        difficulty = round(_mean(scores), 3) if n else None
        disc = _correlation(scores, rest)
        discrimination = None if disc is None else round(disc, 3)
        shares: dict[str, float] = {}
        for key in options[item]:
            chosen = sum(1 for r in rows if key in choices[r].get(item, ()))
            shares[key] = round(chosen / n, 3) if n else 0.0
        flags: list[str] = []
        if n >= MIN_RESPONSES and difficulty is not None:
            if difficulty < TOO_HARD:
                flags.append("too hard")
            if difficulty > TOO_EASY:
                flags.append("too easy")
            if discrimination is not None and discrimination < POOR_DISCRIMINATION:
                flags.append("discriminates poorly")
            wrong = [k for k in options[item] if k not in correct.get(item, ())]
            if any(shares[k] == 0 for k in wrong):
                flags.append("distractor nobody chooses")
        out.append(ItemStats(item, n, difficulty, discrimination, shares, tuple(flags)))
    return out
