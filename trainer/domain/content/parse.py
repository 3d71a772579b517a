"""Read content/ into a ContentTree, reporting every mistake as ``path:line: message``.

``parse_tree`` never stops at the first mistake: it keeps going so an author sees them all in
one run. A tree with any problem is not returned (``None``), so nothing half-checked can load.
Each kind of file has its checker (modules, items, programs; their shared validators are in
``checker``); ``TreeChecker`` is all of them over one problem list.
"""

from __future__ import annotations

from pathlib import Path

from trainer.domain.content.checker import (
    ID_RE,
    OPTION_KEYS,
    RAW_HTML_RE,
    USES,
    content_files,
    tree_hash,
)
from trainer.domain.content.items import ItemChecker
from trainer.domain.content.model import ContentTree, Item, Module, Problem
from trainer.domain.content.modules import ModuleChecker, slugify
from trainer.domain.content.programs import ProgramChecker

__all__ = [
    "ID_RE",
    "OPTION_KEYS",
    "RAW_HTML_RE",
    "USES",
    "TreeChecker",
    "check_tree",
    "content_files",
    "parse_tree",
    "slugify",
    "tree_hash",
]


class TreeChecker(ModuleChecker, ItemChecker, ProgramChecker):
    """Every file kind's checks, reporting into one list."""


def parse_tree(root: Path | str) -> tuple[ContentTree | None, list[Problem]]:
    """Parse and check a content tree. Returns (tree, []) or (None, problems sorted by place).

    Items marked ``draft: true`` are checked like the others (all but a rationale) but kept in
    ``tree.drafts``, out of ``tree.items``, so no quiz, exam or release holds them;
    ``tree.warnings()`` names them.
    """
    root = Path(root).resolve()
    checker = TreeChecker(root)
    if not root.is_dir():
        return None, [Problem(str(root), 1, "no such content folder")]
    checker.parse_taxonomy()
    modules = checker.parse_modules()
    checker.check_links(modules)
    checked = checker.parse_items(modules)
    # Drafts are checked like any item but kept apart here, once: every pool, count and load
    # below sees only the published items.
    items = {k: i for k, i in checked.items() if not i.draft}
    drafts = {k: i for k, i in checked.items() if i.draft}
    for module in modules.values():
        _check_quiz_pool(checker, module, items, drafts)
    programs = checker.parse_programs(modules, items)
    problems = sorted(set(checker.problems), key=lambda p: (p.path, p.line, p.message))
    if problems:
        return None, problems
    files = tuple(p.relative_to(root).as_posix() for p in content_files(root))
    tree = ContentTree(checker.taxonomy, modules, items, programs, tree_hash(root), files, drafts)
    return tree, []


def _check_quiz_pool(
    checker: TreeChecker, module: Module, items: dict[str, Item], drafts: dict[str, Item]
) -> None:
    """A module's quiz must be drawable from its published quiz items (drafts do not count)."""
    pool = sum(1 for i in items.values() if i.module == module.id and i.in_quiz)
    if pool >= module.quiz_items:
        return
    waiting = sum(1 for i in drafts.values() if i.module == module.id and i.in_quiz)
    checker.add(
        module.path,
        1,
        f"the quiz draws {module.quiz_items} items but the bank holds only {pool} quiz items "
        "for this module"
        + (f" ({waiting} more are drafts, which count once they are published)" if waiting else ""),
    )


def check_tree(root: Path | str) -> list[Problem]:
    return parse_tree(root)[1]
