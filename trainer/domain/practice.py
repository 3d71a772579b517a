"""The practice exam's rules: which items it may draw, and how long its form is.

A practice exam is drawn like the certification exam (``exam.assemble_form`` over the
program's blueprint) but from a separate pool: the items of the program's modules that can
never appear on the certification exam. Being pure, the same rule serves ``trainer content
check`` (over the parsed tree) and the service that starts an attempt (over the current
revisions).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from trainer.domain.content.model import Item
from trainer.domain.exam import PoolItem, largest_fill

#: The uses an item may have to be drawn for practice: a module quiz's items and
#: practice-only items.
PRACTICE_USES = ("quiz", "practice")
#: The uses that put an item in the certification exam's (live) pool. ``both`` is live: an
#: item a trainee could meet on the exam is never shown with its answer in practice.
LIVE_USES = ("exam", "both")


def in_practice_pool(use: str) -> bool:
    """May an item with this ``use`` be drawn for practice? Never a live item."""
    return use in PRACTICE_USES and use not in LIVE_USES


def pool_item(item: Item) -> PoolItem:
    """What form assembly needs to know of an item."""
    return PoolItem(
        item.id, item.domain, item.scenario, tuple(o.key for o in item.options), item.type
    )


def practice_pool(items: Iterable[Item], modules: Collection[str]) -> list[PoolItem]:
    """The practice pool of a program with these modules, by item id: the modules' items
    whose use is quiz or practice."""
    return sorted(
        (pool_item(i) for i in items if i.module in modules and in_practice_pool(i.use)),
        key=lambda p: p.id,
    )


def practice_blueprint(pool: list[PoolItem], blueprint: Mapping[str, int]) -> dict[str, int]:
    """The blueprint the practice form follows: the exam's, domain by domain, cut down to
    what the practice pool can supply (whole scenario sets; a domain it has nothing of is
    left out). Every practice form of the same pool has this many questions a domain."""
    return largest_fill(pool, blueprint)
