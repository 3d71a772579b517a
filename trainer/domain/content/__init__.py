"""Content: parsing and checking content/ into frozen dataclasses (see content/README.md)."""

from trainer.domain.content.model import (
    ContentTree,
    ExamSpec,
    Item,
    Module,
    Option,
    Problem,
    Program,
    Reference,
    Section,
)
from trainer.domain.content.parse import check_tree, parse_tree

__all__ = [
    "ContentTree",
    "ExamSpec",
    "Item",
    "Module",
    "Option",
    "Problem",
    "Program",
    "Reference",
    "Section",
    "check_tree",
    "parse_tree",
]
