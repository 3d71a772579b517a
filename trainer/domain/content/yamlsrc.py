"""YAML that remembers where every value came from, so errors can say ``file:line``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[Any, ...]


class YamlError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Located:
    """A loaded YAML document plus the line of every value (1-based), by key path."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    offset: int = 0

    def line(self, *path: Any) -> int:
        """The line of the value at ``path``, or of its nearest ancestor."""
        p = tuple(path)
        while p and p not in self.lines:
            p = p[:-1]
        return self.lines.get(p, 1) + self.offset


def load(text: str, offset: int = 0) -> Located:
    """Parse one YAML document; raise YamlError with the line of a syntax error or duplicate key.

    ``offset`` is added to every line (for YAML embedded further down a file).
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + 1 if mark else 1) + offset
        raise YamlError(line, f"YAML syntax: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise YamlError(1 + offset, f"YAML syntax: {error}") from None
    located = Located(None, {}, offset)
    if node is None:
        return located
    constructor = SafeConstructor()
    located.data = _build(node, (), located, constructor, offset)
    return located


def _build(node: Node, path: Path, out: Located, c: SafeConstructor, offset: int) -> Any:
    out.lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlError(key_node.start_mark.line + 1 + offset, "a key must be plain text")
            key = c.construct_object(key_node)
            if key in result:
                raise YamlError(key_node.start_mark.line + 1 + offset, f"duplicate key '{key}'")
            result[key] = _build(value_node, (*path, key), out, c, offset)
        return result
    if isinstance(node, SequenceNode):
        return [_build(v, (*path, i), out, c, offset) for i, v in enumerate(node.value)]
    return c.construct_object(node)
