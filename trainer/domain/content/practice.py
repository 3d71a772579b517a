"""What ``trainer content check`` says of each program's practice exam: a warning, not a
problem, when the practice pool (quiz and practice items of the program's modules) cannot
fill the exam blueprint, because the practice exam then simply has fewer questions."""

from __future__ import annotations

from pathlib import Path

from trainer.domain.content import yamlsrc
from trainer.domain.content.model import ContentTree, Problem, Program
from trainer.domain.practice import practice_blueprint, practice_pool


def practice_warnings(tree: ContentTree, root: Path | None = None) -> list[Problem]:
    """One warning per program whose practice exam is shorter than its certification exam,
    naming each domain that falls short. With ``root`` (the content folder the tree was
    read from) the warning points at the program's blueprint line."""
    warnings = []
    for program in sorted(tree.programs.values(), key=lambda p: p.id):
        blueprint = program.exam.blueprint
        fill = practice_blueprint(practice_pool(tree.items.values(), program.modules), blueprint)
        got, wanted = sum(fill.values()), program.exam.length
        if got >= wanted:
            continue
        short = ", ".join(
            f"{domain} {fill.get(domain, 0)} of {count}"
            for domain, count in sorted(blueprint.items())
            if fill.get(domain, 0) < count
        )
        outcome = (
            f"the practice exam has {got} question{'s' if got != 1 else ''}"
            if got
            else "the program has no practice exam until some are added"
        )
        warnings.append(
            Problem(
                program.path,
                _blueprint_line(program, root),
                f"warning: practice: the quiz and practice items of this program's modules "
                f"fill {got} of the blueprint's {wanted} questions ({short}); {outcome}",
            )
        )
    return warnings


def _blueprint_line(program: Program, root: Path | None) -> int:
    """The line of ``exam: blueprint:`` in the program's file (1 when it cannot be read)."""
    if root is None:
        return 1
    try:
        text = (root.resolve().parent / program.path).read_text(encoding="utf-8")
        return yamlsrc.load(text).line("exam", "blueprint")
    except (OSError, UnicodeDecodeError, yamlsrc.YamlError):
        return 1
