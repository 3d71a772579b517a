"""Content survives being stored: dataclass -> JSON -> dataclass is the identity, for every
program definition and every item of the curriculum."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from trainer.domain import stored
from trainer.domain.content import ContentTree

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def tree(curriculum: ContentTree) -> ContentTree:
    return curriculum


def _through_json(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data))  # as the database keeps it


def test_every_program_reads_back_as_it_was_written(tree: ContentTree) -> None:
    assert len(tree.programs) >= 3
    for program in tree.programs.values():
        back = stored.from_definition(_through_json(stored.to_definition(program)))
        assert back == replace(program, path="")
        assert isinstance(back.exam.wait_days, int) and isinstance(back.modules, tuple)
        assert back.attestations == program.attestations  # nested dataclasses, not dicts


def test_every_item_reads_back_as_it_was_written(tree: ContentTree) -> None:
    assert len(tree.items) > 100
    for item in tree.items.values():
        back = stored.item_from_content(_through_json(item.content()))
        assert back == replace(item, path="", line=1)
        assert isinstance(back.answer, tuple) and back.options[0].key == item.options[0].key


def test_older_and_newer_stored_shapes_still_read(tree: ContentTree) -> None:
    program = next(iter(tree.programs.values()))
    newer = {**stored.to_definition(program), "added_in_a_later_release": 1}
    assert stored.from_definition(newer).id == program.id
    item = next(i for i in tree.items.values() if i.vignette is None)
    older = item.content()
    del older["vignette"], older["scenario"]  # written before these fields existed
    assert stored.item_from_content(older) == replace(item, path="", line=1)


def test_a_drawn_quiz_reads_as_questions() -> None:
    form = [{"item_id": "x-1", "revision": 2, "order": ["b", "a"]}]
    (question,) = stored.drawn_questions(_through_json({"f": form})["f"])
    assert question == stored.DrawnQuestion("x-1", 2, ("b", "a"))
