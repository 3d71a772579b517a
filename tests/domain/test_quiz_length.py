"""A quiz's length (domain.exam.quiz_length) is fixed by its pool, so the quiz's intro can
state it: every draw has exactly that many items, scenario sets still whole."""

from __future__ import annotations

from typing import Any

from trainer.domain.exam import PoolItem, draw_quiz, quiz_length


def _lone(n: int) -> list[PoolItem]:
    return [PoolItem(f"a{i}", "ethics", None, ("a", "b", "c")) for i in range(n)]


def _case(name: str, size: int) -> list[PoolItem]:
    return [PoolItem(f"{name}-{i}", "recovery", name, ("a", "b", "c")) for i in range(size)]


def test_every_draw_has_the_stated_length() -> None:
    pool = sorted(_lone(4) + _case("c1", 3) + _case("c2", 2), key=lambda p: p.id)
    for wanted in range(1, 11):
        length = quiz_length(pool, wanted)
        assert length == min(wanted, 9)
        drawn = {len(draw_quiz(pool, wanted, seed)) for seed in range(40)}
        assert drawn == {length}, (wanted, drawn)


def test_cases_still_come_whole_and_sometimes_at_all() -> None:
    pool = sorted(_lone(4) + _case("c1", 3), key=lambda p: p.id)
    with_case = 0
    for seed in range(60):
        ids = [f.item_id for f in draw_quiz(pool, 4, seed)]
        assert len(ids) == 4
        if "c1-0" in ids:
            with_case += 1
            start = ids.index("c1-0")
            assert ids[start : start + 3] == ["c1-0", "c1-1", "c1-2"]
        else:
            assert not {"c1-1", "c1-2"} & set(ids)
    assert 0 < with_case < 60


def test_sets_that_cannot_make_the_number_give_the_nearest_above() -> None:
    pool = sorted(_case("c1", 3) + _case("c2", 3) + _case("c3", 2), key=lambda p: p.id)
    assert quiz_length(pool, 4) == 5
    assert quiz_length(pool, 7) == 8
    assert {len(draw_quiz(pool, 4, seed)) for seed in range(30)} == {5}
    assert quiz_length(pool, 20) == 8 and quiz_length([], 5) == 0


def test_every_real_module_quiz_is_as_long_as_it_says(curriculum: Any) -> None:
    for module in curriculum.modules.values():
        pool = [
            PoolItem(i.id, i.domain, i.scenario, tuple(o.key for o in i.options), i.type)
            for i in sorted(curriculum.items.values(), key=lambda i: i.id)
            if i.module == module.id and i.in_quiz
        ]
        assert quiz_length(pool, module.quiz_items) == module.quiz_items, module.id
