"""Loading content: releases, idempotence, item revisions, retirement, refusal of bad trees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.content import write_tree
from trainer.extensions import db
from trainer.models import ContentRelease, Item, ItemRevision, Module, ModuleSection, Program
from trainer.services import quizzes


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path)


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_load_publishes_a_release_and_loading_again_changes_nothing(
    runner: Any, app: Any, tree: Path
) -> None:
    first = runner.invoke(args=["content", "load", str(tree)])
    assert first.exit_code == 0, first.output
    assert "10 modules" not in first.output and "2 modules added" in first.output
    with app.app_context():
        counts = (
            _count(ContentRelease),
            _count(Module),
            _count(ModuleSection),
            _count(Item),
            _count(ItemRevision),
            _count(Program),
        )
        assert counts == (1, 2, 4, 13, 13, 1)
        alpha = db.session.get(Module, "alpha")
        assert alpha.meta["credit"] == {"advocacy": 120}
        assert alpha.sections[0].anchor == "getting-started"
        assert 'href="../beta/second-part"' in alpha.sections[0].html
        assert 'class="admonition note"' in alpha.sections[0].html
    again = runner.invoke(args=["content", "load", str(tree)])
    assert again.exit_code == 0 and "content unchanged" in again.output
    with app.app_context():
        assert (
            _count(ContentRelease),
            _count(Module),
            _count(ModuleSection),
            _count(Item),
            _count(ItemRevision),
            _count(Program),
        ) == counts


def test_changed_item_gets_a_new_revision_and_the_old_one_stays(
    runner: Any, app: Any, tree: Path
) -> None:
    runner.invoke(args=["content", "load", str(tree)])
    bank = tree / "items" / "alpha.yaml"
    bank.write_text(
        bank.read_text().replace(
            "stem: Question alpha-002 about a situation?", "stem: Question alpha-002, reworded?"
        )
    )
    result = runner.invoke(args=["content", "load", str(tree)])
    assert "1 item revisions" in result.output, result.output
    with app.app_context():
        item = db.session.get(Item, "alpha-002")
        assert item.current_revision == 2
        stems = db.session.scalars(
            select(ItemRevision.content)
            .where(ItemRevision.item_id == "alpha-002")
            .order_by(ItemRevision.revision)
        ).all()
        assert [s["stem"] for s in stems] == [
            "Question alpha-002 about a situation?",
            "Question alpha-002, reworded?",
        ]
        assert _count(ContentRelease) == 2
        assert db.session.get(Item, "alpha-001").current_revision == 1


def test_removed_items_and_modules_are_retired_not_deleted(
    runner: Any, app: Any, tree: Path
) -> None:
    runner.invoke(args=["content", "load", str(tree)])
    bank = tree / "items" / "beta.yaml"
    text = bank.read_text()
    start = text.index("  - id: beta-005")
    bank.write_text(text[:start])
    result = runner.invoke(args=["content", "load", str(tree)])
    assert "1 items retired" in result.output, result.output
    with app.app_context():
        assert db.session.get(Item, "beta-005").retired is True
        assert _count(ItemRevision) == 13


def test_an_item_marked_draft_is_retired_and_leaves_the_pools(
    runner: Any, app: Any, tree: Path
) -> None:
    runner.invoke(args=["content", "load", str(tree)])
    bank = tree / "items" / "beta.yaml"
    bank.write_text(bank.read_text().replace("    rationale: Because beta-005.", "    draft: true"))
    result = runner.invoke(args=["content", "load", str(tree)])
    assert result.exit_code == 0 and "1 items retired" in result.stdout, result.output
    assert "warning: draft: item 'beta-005'" in result.stderr
    with app.app_context():
        assert db.session.get(Item, "beta-005").retired is True
        pool = {r.item_id for r in quizzes.current_revisions(Item.module_id == "beta")}
        assert pool == {f"beta-00{n}" for n in range(1, 5)}  # the quiz and the exam draw here


def test_load_refuses_a_tree_that_fails_the_check_and_writes_nothing(
    runner: Any, app: Any, tree: Path
) -> None:
    bank = tree / "items" / "alpha.yaml"
    bank.write_text(bank.read_text().replace("    answer: [a, b]", "    answer: [a, z]"))
    result = runner.invoke(args=["content", "load", str(tree)])
    assert result.exit_code == 1
    assert "content/items/alpha.yaml:" in result.output and "nothing was loaded" in result.output
    with app.app_context():
        assert _count(ContentRelease) == 0 and _count(Module) == 0


def test_check_command_exit_codes(runner: Any, tree: Path) -> None:
    ok = runner.invoke(args=["content", "check", str(tree)])
    lines = ok.output.splitlines()
    assert ok.exit_code == 0 and lines[-1].startswith("ok: 2 modules, 13 items, 1 programs")
    assert all(": warning: " in line for line in lines[:-1])  # warnings do not fail a check
    module = tree / "modules" / "01-alpha.md"
    module.write_text(module.read_text().replace("order: 1", "order: one"))
    bad = runner.invoke(args=["content", "check", str(tree)])
    assert bad.exit_code == 1
    assert "content/modules/01-alpha.md:4: 'order' must be a whole number" in bad.output


def test_stats_json(runner: Any, tree: Path) -> None:
    result = runner.invoke(args=["content", "stats", "--json", str(tree)])
    data = json.loads(result.output)
    assert [m["id"] for m in data["modules"]] == ["alpha", "beta"]
    assert data["modules"][0]["sections"] == 2 and data["modules"][0]["credited_minutes"] == 120
    assert data["items"]["per_module"] == {"alpha": 8, "beta": 5}
    assert data["items"]["per_type"] == {"multiple": 1, "single": 10, "truefalse": 2}
    assert data["programs"][0]["id"] == "test-prog"


def test_the_real_content_loads(runner: Any, app: Any) -> None:
    from tests.support.content import REAL_CONTENT

    result = runner.invoke(args=["content", "load", str(REAL_CONTENT)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _count(Module) >= 10 and _count(Item) >= 300 and _count(Program) == 3
