"""Drawing a formative quiz (domain.exam.draw_quiz): whole scenario sets, enough items,
options shuffled except true/false, and the same quiz again from the same seed."""

from __future__ import annotations

from trainer.domain.exam import PoolItem, draw_quiz

POOL = [
    PoolItem("a1", "ethics", None, ("a", "b", "c", "d")),
    PoolItem("a2", "ethics", None, ("a", "b", "c", "d")),
    PoolItem("s1", "recovery", "case-1", ("a", "b", "c")),
    PoolItem("s2", "recovery", "case-1", ("a", "b", "c")),
    PoolItem("s3", "recovery", "case-1", ("a", "b", "c")),
    PoolItem("t1", "ethics", None, ("true", "false"), type="truefalse"),
]


def test_same_seed_same_quiz_and_seeds_differ() -> None:
    assert draw_quiz(POOL, 3, 7) == draw_quiz(POOL, 3, 7)
    assert len({tuple(draw_quiz(POOL, 3, seed)) for seed in range(20)}) > 1


def test_scenario_sets_stay_whole_and_in_order() -> None:
    for seed in range(50):
        ids = [f.item_id for f in draw_quiz(POOL, 2, seed)]
        assert len(ids) >= 2
        if "s1" in ids:
            start = ids.index("s1")
            assert ids[start : start + 3] == ["s1", "s2", "s3"]
        else:
            assert not {"s2", "s3"} & set(ids)


def test_options_shuffled_except_true_false() -> None:
    orders = {
        f.option_order for seed in range(30) for f in draw_quiz(POOL, 6, seed) if f.item_id == "a1"
    }
    assert len(orders) > 1 and all(sorted(o) == ["a", "b", "c", "d"] for o in orders)
    assert all(
        f.option_order == ("true", "false")
        for seed in range(30)
        for f in draw_quiz(POOL, 6, seed)
        if f.item_id == "t1"
    )


def test_a_small_pool_gives_what_it_has() -> None:
    assert {f.item_id for f in draw_quiz(POOL, 50, 1)} == {p.id for p in POOL}
    assert draw_quiz([], 5, 1) == []
