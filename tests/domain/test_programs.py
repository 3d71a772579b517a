"""A program definition survives being stored: dataclass -> JSON -> dataclass is the identity."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from trainer.domain import programs
from trainer.domain.content import parse_tree

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_every_program_reads_back_as_it_was_written() -> None:
    tree, problems = parse_tree(CONTENT)
    assert tree is not None, problems
    assert len(tree.programs) >= 3
    for program in tree.programs.values():
        stored = json.loads(json.dumps(programs.to_definition(program)))  # as the database does
        back = programs.from_definition(stored)
        assert back == replace(program, path="")
        assert isinstance(back.exam.wait_days, int) and isinstance(back.modules, tuple)
        assert back.attestations == program.attestations  # nested dataclasses, not dicts


def test_unknown_stored_keys_are_ignored() -> None:
    tree, _ = parse_tree(CONTENT)
    assert tree is not None
    program = next(iter(tree.programs.values()))
    stored = {**programs.to_definition(program), "added_in_a_later_release": 1}
    assert programs.from_definition(stored).id == program.id
