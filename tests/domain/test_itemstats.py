"""Item statistics against values worked out by hand, and on a simulated population."""

from __future__ import annotations

import math
import random

import pytest

from trainer.domain.itemstats import form_stats, item_stats

# Four people, three items, one fixed form. Worked by hand:
#   totals 3, 2, 1, 0 -> mean 1.5, variance 1.25; p = .75, .50, .25 -> sum pq = .625
#   KR-20 = 3/2 * (1 - .625 / 1.25) = 0.75
#   percent scores 100, 66.7, 33.3, 0 -> mean 50, SD 37.27; SEM = 37.27 * sqrt(.25) = 18.63
#   item 1 against the rest (2, 1, 0, 0): r = .1875 / (.4330 * .8292) = 0.522
MATRIX = [
    {"i1": 1, "i2": 1, "i3": 1},
    {"i1": 1, "i2": 1, "i3": 0},
    {"i1": 1, "i2": 0, "i3": 0},
    {"i1": 0, "i2": 0, "i3": 0},
]
CHOICES = [
    {"i1": ["a"], "i2": ["a"], "i3": ["a"]},
    {"i1": ["a"], "i2": ["a"], "i3": ["b"]},
    {"i1": ["a"], "i2": ["b"], "i3": ["b"]},
    {"i1": ["b"], "i2": ["b"], "i3": ["b"]},
]
OPTIONS = {"i1": ["a", "b", "c"], "i2": ["a", "b"], "i3": ["a", "b"]}
CORRECT = {"i1": ["a"], "i2": ["a"], "i3": ["a"]}


def test_form_statistics_by_hand() -> None:
    stats = form_stats(MATRIX, [True, True, False, False])
    assert stats.attempts == 4
    assert stats.mean == pytest.approx(50.0)
    assert stats.sd == pytest.approx(37.27, abs=0.01)
    assert stats.kr20 == pytest.approx(0.75)
    assert stats.sem == pytest.approx(18.63, abs=0.01)
    assert stats.pass_rate == 0.5


def test_item_statistics_by_hand() -> None:
    items = {s.item_id: s for s in item_stats(MATRIX, CHOICES, OPTIONS, CORRECT)}
    assert [items[i].difficulty for i in ("i1", "i2", "i3")] == [0.75, 0.5, 0.25]
    assert items["i1"].discrimination == pytest.approx(0.522, abs=0.001)
    assert items["i1"].option_shares == {"a": 0.75, "b": 0.25, "c": 0.0}
    assert items["i1"].flags == ()  # too few responses to flag anything yet


def test_flags_on_a_simulated_population() -> None:
    """Simulated people of varying ability: the good item discriminates, the broken ones
    are flagged for what is wrong with them."""
    rng = random.Random(42)
    matrix, choices, passed = [], [], []
    for _ in range(400):
        ability = rng.gauss(0, 1)
        row, picks = {}, {}
        for n in range(20):  # ordinary items of spread difficulty
            difficulty = (n - 10) / 5
            right = rng.random() < 1 / (1 + math.exp(-(ability - difficulty) * 1.7))
            row[f"ok{n}"], picks[f"ok{n}"] = int(right), ["a"] if right else [rng.choice("bc")]
        row["easy"], picks["easy"] = 1, ["a"]  # everybody right; nobody picks b or c
        hard = rng.random() < 0.1
        row["hard"], picks["hard"] = int(hard), ["a"] if hard else ["b"]
        coin = rng.random() < 0.5  # unrelated to ability
        row["coin"], picks["coin"] = int(coin), ["a"] if coin else [rng.choice("bc")]
        matrix.append(row)
        choices.append(picks)
        passed.append(sum(row.values()) / len(row) >= 0.6)
    options = {i: ["a", "b", "c"] for i in matrix[0]}
    correct = {i: ["a"] for i in matrix[0]}
    stats = {s.item_id: s for s in item_stats(matrix, choices, options, correct)}
    assert "too easy" in stats["easy"].flags and "distractor nobody chooses" in stats["easy"].flags
    assert "too hard" in stats["hard"].flags
    assert "discriminates poorly" in stats["coin"].flags
    assert stats["ok10"].flags == () and stats["ok10"].discrimination > 0.3
    overall = form_stats(matrix, passed)
    assert 0.6 < overall.kr20 < 0.95  # a coherent 20-item test is reasonably reliable
