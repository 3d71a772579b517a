"""The practice exam's pool and length: pure rules, over made-up pools and the real content.

The property that matters most: whatever the pool, the blueprint and the seed, no item of
the live exam pool (use exam or both) is ever on a practice form.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.content import REAL_CONTENT, write_tree
from tests.support.practice import practice_tree
from trainer.domain import exam
from trainer.domain.content import Item, Option, parse_tree
from trainer.domain.content.checker import USES
from trainer.domain.content.practice import practice_warnings
from trainer.domain.practice import (
    LIVE_USES,
    in_practice_pool,
    practice_blueprint,
    practice_pool,
)

DOMAINS = ["advocacy", "ethics", "mentoring", "recovery"]
OPTIONS = (Option("a", "One"), Option("b", "Two"), Option("c", "Three"))


def _item(iid: str, use: str, domain: str, module: str = "m1", scenario: str | None = None) -> Item:
    return Item(
        iid, module, "single", use, domain, (), f"Stem {iid}?", OPTIONS, ("a",), "Why.", scenario
    )


def test_only_quiz_and_practice_items_are_practice_items() -> None:
    assert set(USES) == {"quiz", "exam", "both", "practice"}
    assert [u for u in USES if in_practice_pool(u)] == ["quiz", "practice"]
    assert not any(in_practice_pool(u) for u in LIVE_USES)  # "both" is live: never practice
    only_practice = _item("p", "practice", "advocacy")
    assert not only_practice.in_quiz and not only_practice.in_exam  # practice only


def test_the_pool_is_the_programs_modules_practice_items_by_id() -> None:
    items = [
        _item("c", "practice", "ethics"),
        _item("a", "quiz", "advocacy"),
        _item("b", "both", "advocacy"),
        _item("d", "exam", "ethics"),
        _item("e", "quiz", "advocacy", module="elsewhere"),
    ]
    assert [p.id for p in practice_pool(items, ["m1"])] == ["a", "c"]


def test_the_blueprint_is_cut_down_to_what_the_pool_holds() -> None:
    lone = [exam.PoolItem(f"a{n}", "advocacy", None, ("a", "b", "c")) for n in range(5)]
    trio = [exam.PoolItem(f"s{n}", "ethics", "s", ("a", "b", "c")) for n in range(3)]
    pool = lone + trio
    assert practice_blueprint(pool, {"advocacy": 3, "ethics": 3}) == {"advocacy": 3, "ethics": 3}
    # five advocacy items for a blueprint of eight: all five
    assert practice_blueprint(pool, {"advocacy": 8}) == {"advocacy": 5}
    # a set of three never splits: two ethics places cannot be filled from it
    assert practice_blueprint(pool, {"ethics": 2, "advocacy": 1}) == {"advocacy": 1}
    # a domain the pool has nothing of is left out
    assert practice_blueprint(pool, {"recovery": 4, "advocacy": 2}) == {"advocacy": 2}
    assert practice_blueprint([], {"advocacy": 2}) == {}


@st.composite
def banks(draw: st.DrawFn) -> list[Item]:
    """Lone items and scenario sets of every use, in every domain."""
    items: list[Item] = []
    for d in DOMAINS:
        for n in range(draw(st.integers(0, 10))):
            items.append(_item(f"{d}-{n}", draw(st.sampled_from(USES)), d))
        for s in range(draw(st.integers(0, 3))):
            use = draw(st.sampled_from(USES))  # a set shares its use
            for n in range(draw(st.integers(2, 3))):
                items.append(_item(f"{d}-s{s}-{n}", use, d, scenario=f"{d}-s{s}"))
    return items


@settings(max_examples=300, deadline=None)
@given(bank=banks(), data=st.data(), seed=st.integers(0, 2**31))
def test_no_live_item_is_ever_on_a_practice_form(
    bank: list[Item], data: st.DataObject, seed: int
) -> None:
    blueprint = {d: data.draw(st.integers(1, 12)) for d in DOMAINS}
    pool = practice_pool(bank, ["m1"])
    fill = practice_blueprint(pool, blueprint)
    form = exam.assemble_form(pool, fill, seed)  # never raises: the fill is reachable
    use = {i.id: i.use for i in bank}
    domain = {i.id: i.domain for i in bank}
    assert not [f.item_id for f in form if use[f.item_id] in LIVE_USES]
    assert Counter(domain[f.item_id] for f in form) == Counter(fill)
    assert all(fill[d] <= blueprint[d] for d in fill)
    assert len({f.item_id for f in form}) == len(form)


def test_the_real_programs_never_draw_a_live_item() -> None:
    tree, problems = parse_tree(REAL_CONTENT)
    assert tree is not None, problems
    for program in tree.programs.values():
        pool = practice_pool(tree.items.values(), program.modules)
        fill = practice_blueprint(pool, program.exam.blueprint)
        assert fill, program.id  # every real program has a practice exam
        for seed in range(200):
            form = exam.assemble_form(pool, fill, seed)
            assert len(form) == sum(fill.values())
            assert not [f.item_id for f in form if tree.items[f.item_id].in_exam], program.id


def test_content_check_warns_when_the_practice_pool_is_short(tmp_path: Path) -> None:
    short, _ = parse_tree(write_tree(tmp_path / "short"))
    assert short is not None
    [warning] = practice_warnings(short)
    assert warning.path == "content/programs/test-prog.yaml"
    assert warning.message == (
        "warning: practice: the quiz and practice items of this program's modules fill 1 of "
        "the blueprint's 5 questions (advocacy 1 of 3, ethical-responsibility 0 of 2); the "
        "practice exam has 1 question"
    )
    full, problems = parse_tree(practice_tree(tmp_path / "full"))
    assert full is not None, problems
    assert practice_warnings(full) == []
