"""The certification exam as pure functions: assembling a form, attempt rules, scoring.

Nothing here reads a clock: every function that needs "now" takes it as an argument.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from trainer.domain.errors import RuleError
from trainer.domain.questions import TYPES

# -- assembly -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolItem:
    """What assembly needs to know of an item."""

    id: str
    domain: str
    scenario: str | None
    option_keys: tuple[str, ...]
    type: str = "single"


@dataclass(frozen=True)
class FormItem:
    item_id: str
    option_order: tuple[str, ...]  # the bank's option keys, in the order shown


class BlueprintError(RuleError):
    """The pool cannot satisfy a blueprint."""


def _units(pool: Iterable[PoolItem]) -> dict[str, list[list[PoolItem]]]:
    """Group the pool by domain into units: a lone item, or a whole scenario set."""
    by_domain: dict[str, dict[str, list[PoolItem]]] = {}
    for item in pool:
        key = f"scenario:{item.scenario}" if item.scenario else f"item:{item.id}"
        by_domain.setdefault(item.domain, {}).setdefault(key, []).append(item)
    return {d: [units[k] for k in sorted(units)] for d, units in by_domain.items()}


def _exact_subset(units: list[list[PoolItem]], target: int) -> list[list[PoolItem]] | None:
    """Pick units (in the given order, skipping where needed) whose sizes add up to target."""
    n = len(units)
    reachable: list[set[int]] = [set() for _ in range(n + 1)]
    reachable[n] = {0}
    for i in range(n - 1, -1, -1):
        size = len(units[i])
        reachable[i] = reachable[i + 1] | {s + size for s in reachable[i + 1] if s + size <= target}
    if target not in reachable[0]:
        return None
    chosen, remaining = [], target
    for i in range(n):
        size = len(units[i])
        if remaining - size >= 0 and (remaining - size) in reachable[i + 1]:
            chosen.append(units[i])
            remaining -= size
        if remaining == 0:
            break
    return chosen


def assemble_form(
    pool: Sequence[PoolItem], blueprint: Mapping[str, int], seed: int
) -> list[FormItem]:
    """Build an exam form: exactly ``blueprint[d]`` items of each domain d, no item twice,
    scenario sets whole and in their own order, items and options shuffled.

    The same (pool, blueprint, seed) always gives the same form. Raises BlueprintError
    naming the domain when the pool cannot satisfy the blueprint.
    """
    rng = random.Random(seed)  # noqa: S311 (seeded to rebuild a form; the seed is from secrets)
    units_by_domain = _units(sorted(pool, key=lambda i: i.id))
    chosen_units: list[list[PoolItem]] = []
    for domain in sorted(blueprint):
        count = blueprint[domain]
        units = list(units_by_domain.get(domain, []))
        rng.shuffle(units)
        picked = _exact_subset(units, count)
        if picked is None:
            available = sum(len(u) for u in units)
            raise BlueprintError(
                None,
                f"The exam pool cannot supply {count} items of '{domain}' (it has "
                f"{available}, in sets that do not add up to {count}). Ask an "
                "administrator to check the item bank.",
            )
        chosen_units.extend(picked)
    rng.shuffle(chosen_units)
    return [_shown(item, rng) for unit in chosen_units for item in sorted(unit, key=_by_id)]


def largest_fill(pool: Sequence[PoolItem], blueprint: Mapping[str, int]) -> dict[str, int]:
    """The most of ``blueprint`` that ``pool`` can supply, domain by domain: the blueprint's
    count where whole scenario sets and lone items can add up to it, else the largest total
    below it that they can make. Domains the pool can give nothing are left out, so
    ``assemble_form(pool, largest_fill(pool, blueprint), seed)`` never raises."""
    units_by_domain = _units(pool)
    fill = {}
    for domain, count in sorted(blueprint.items()):
        totals = {0}
        for unit in units_by_domain.get(domain, []):
            totals |= {t + len(unit) for t in totals if t + len(unit) <= count}
        if max(totals):
            fill[domain] = max(totals)
    return fill


def _by_id(item: PoolItem) -> str:
    return item.id


def _shown(item: PoolItem, rng: random.Random) -> FormItem:
    """The item with its options in the order shown: shuffled, except true/false."""
    order = list(item.option_keys)
    if item.type != "truefalse":
        rng.shuffle(order)
    return FormItem(item.id, tuple(order))


def _quiz_units(pool: Sequence[PoolItem]) -> list[list[PoolItem]]:
    """A quiz's units: whole scenario sets and lone items, in the pool's order."""
    units: dict[str, list[PoolItem]] = {}
    for item in pool:
        units.setdefault(item.scenario or item.id, []).append(item)
    return list(units.values())


def quiz_length(pool: Sequence[PoolItem], wanted: int) -> int:
    """How many questions every quiz drawn from ``pool`` holds: ``wanted`` when whole
    scenario sets and lone items can add up to it, else the nearest total above it that
    they can make, or the whole pool when it holds fewer than ``wanted``."""
    totals = {0}
    for unit in _quiz_units(pool):
        totals |= {t + len(unit) for t in totals}
    enough = [t for t in totals if t >= wanted]
    return min(enough) if enough else max(totals)


def draw_quiz(pool: Sequence[PoolItem], wanted: int, seed: int) -> list[FormItem]:
    """A formative quiz: whole scenario sets (or lone items) in random order, options
    shuffled as on the exam. No blueprint: any domain will do. Every draw from the same
    pool has ``quiz_length(pool, wanted)`` items, so a quiz can say how long it is.

    ``pool`` in a stable order (by item id); the same pool and seed give the same quiz.
    """
    rng = random.Random(seed)  # noqa: S311 (seeded to rebuild a form; the seed is from secrets)
    groups = _quiz_units(pool)
    rng.shuffle(groups)
    picked = _exact_subset(groups, quiz_length(pool, wanted)) or []
    return [_shown(item, rng) for group in picked for item in sorted(group, key=_by_id)]


# -- attempt rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class PastAttempt:
    started_at: datetime
    finished_at: datetime | None
    passed: bool | None  # None while open


@dataclass(frozen=True)
class StartDecision:
    allowed: bool
    reason: str = ""
    next_allowed_at: datetime | None = None
    attempts_used: int = 0
    attempts_left: int | None = None  # None = unlimited


def may_start(
    attempts: Sequence[PastAttempt],
    attempts_allowed: int,
    wait_days: int,
    modules_complete: bool,
    now: datetime,
) -> StartDecision:
    """May a person start a new exam attempt now? Says why not, and from when they may."""
    used = len(attempts)
    left = None if attempts_allowed == 0 else max(0, attempts_allowed - used)
    if any(a.passed for a in attempts):
        return StartDecision(False, "You have passed this exam.", None, used, left)
    if any(a.finished_at is None for a in attempts):
        return StartDecision(False, "You have an exam attempt in progress.", None, used, left)
    if not modules_complete:
        return StartDecision(False, "Complete every required module first.", None, used, left)
    if left == 0:
        return StartDecision(
            False, f"You have used all {attempts_allowed} attempts allowed.", None, used, left
        )
    if attempts and wait_days:
        last = max(a.finished_at for a in attempts if a.finished_at is not None)
        next_at = last + timedelta(days=wait_days)
        if now < next_at:
            return StartDecision(
                False,
                "The waiting period after your last attempt is not over yet.",
                next_at,
                used,
                left,
            )
    return StartDecision(True, "", None, used, left)


def deadline(started_at: datetime, time_limit_minutes: int, multiplier: float = 1.0) -> datetime:
    """The server's deadline: the time limit stretched by any accommodation."""
    return started_at + timedelta(minutes=time_limit_minutes * multiplier)


def accepts_answers(status: str, deadline_at: datetime, now: datetime) -> bool:
    return status == "open" and now < deadline_at


# -- scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    item_id: str
    type: str
    domain: str
    correct: tuple[str, ...]
    chosen: tuple[str, ...]


@dataclass(frozen=True)
class ScoreReport:
    points: float
    max_points: int
    percent: float
    passed: bool
    domains: dict[str, tuple[float, int]] = field(default_factory=dict)  # domain -> (pts, max)
    item_scores: dict[str, float] = field(default_factory=dict)

    def domain_percent(self, domain: str) -> float:
        pts, mx = self.domains[domain]
        return round(100 * pts / mx, 1) if mx else 0.0


def score(answers: Sequence[Answered], passing_percent: int, partial: bool = False) -> ScoreReport:
    """Score a form: one point an item (partial credit for multiple response if asked)."""
    domains: dict[str, list[float]] = {}
    items: dict[str, float] = {}
    for a in answers:
        points = TYPES[a.type].grade(a.correct, a.chosen, partial)
        items[a.item_id] = points
        pts_max = domains.setdefault(a.domain, [0.0, 0])
        pts_max[0] += points
        pts_max[1] += 1
    total = sum(items.values())
    max_points = len(answers)
    percent = round(100 * total / max_points, 1) if max_points else 0.0
    return ScoreReport(
        total,
        max_points,
        percent,
        percent >= passing_percent,
        {d: (v[0], int(v[1])) for d, v in sorted(domains.items())},
        items,
    )


# -- reading a submitted answer ------------------------------------------------------------


def option_tokens(order: Sequence[str]) -> list[str]:
    """The per-attempt option ids shown in a page: o1, o2, ... (never the bank's keys)."""
    return [f"o{n}" for n in range(1, len(order) + 1)]


def decode_choice(type_name: str, order: Sequence[str], tokens: Sequence[str]) -> list[str]:
    """Turn the option ids a page sent back into bank keys.

    Raises RuleError for an option id that is not the item's, or for several answers to an
    item that takes one.
    """
    lookup = dict(zip(option_tokens(order), order, strict=True))
    keys = []
    for token in tokens:
        if token not in lookup:
            raise RuleError("answer", "That answer is not one of this question's options.")
        if lookup[token] not in keys:
            keys.append(lookup[token])
    if len(keys) > 1 and not TYPES[type_name].multiple:
        raise RuleError("answer", "This question takes one answer.")
    return keys
