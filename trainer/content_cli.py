"""``trainer content``: check, load and inspect the content tree (see content/README.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from trainer.domain.content import ContentTree, Problem, parse_tree
from trainer.domain.content.checker import USES
from trainer.domain.content.practice import practice_warnings


@click.group()
def content() -> None:
    """Check, load and inspect content/."""


def _root(directory: str | None) -> Path:
    return Path(directory or current_app.config["CONTENT_DIR"])


def _parse_or_exit(directory: str | None):
    tree, problems = parse_tree(_root(directory))
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; "
            "nothing was loaded.",
            err=True,
        )
        sys.exit(1)
    return tree


def _warn(tree: ContentTree, directory: str | None) -> None:
    for warning in [*tree.warnings(), *practice_warnings(tree, _root(directory))]:
        click.echo(str(warning), err=True)


@content.command("check")
@click.argument("directory", required=False)
@with_appcontext
def check(directory: str | None) -> None:
    """Check every file in DIRECTORY (default: content/); print each problem as path:line.

    Drafts are warnings (path:line: warning: draft: ...): they do not fail the check. So is
    a program whose practice pool (quiz and practice items) cannot fill its blueprint
    (path:line: warning: practice: ...): its practice exam is shorter.
    """
    tree = _parse_or_exit(directory)
    _warn(tree, directory)
    drafts = f", {len(tree.drafts)} drafts left out" if tree.drafts else ""
    click.echo(
        f"ok: {len(tree.modules)} modules, {len(tree.items)} items, "
        f"{len(tree.programs)} programs{drafts} (release {tree.hash[:12]})"
    )


@content.command("stats")
@click.argument("directory", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def stats(directory: str | None, as_json: bool) -> None:
    """Count modules, words, sections, credited minutes, items and programs."""
    data = _parse_or_exit(directory).stats()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for m in data["modules"]:
        click.echo(
            f"{m['order']:>3} {m['id']:<28} {m['words']:>6} words {m['sections']:>3} "
            f"sections {m['credited_minutes']:>4} min {m['items']:>4} items"
        )
    click.echo(f"items: {data['items']['total']}  per domain: {data['items']['per_domain']}")
    click.echo(f"types: {data['items']['per_type']}")
    for p in data["programs"]:
        click.echo(f"program {p['id']}: {p['title']} ({p['jurisdiction']})")


@content.command("load")
@click.argument("directory", required=False)
@with_appcontext
def load(directory: str | None) -> None:
    """Publish DIRECTORY (default: content/) as a new release, in one transaction.

    Refuses a tree that fails `trainer content check`. Loading the same files again
    changes nothing. Drafts are left out (and an item that became a draft is retired).
    """
    from trainer.extensions import db
    from trainer.services import content as content_service

    tree = _parse_or_exit(directory)
    _warn(tree, directory)
    result = content_service.load(tree)
    db.session.commit()
    click.echo(result.describe())


@content.command("import-gift")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--module", "module_id", required=True, help="The module the items belong to.")
@click.option("--domain", help="Exam domain for questions whose $CATEGORY names none.")
@click.option(
    "--use",
    type=click.Choice(USES),
    default="both",
    show_default=True,
)
@click.option(
    "--competency",
    "competencies",
    multiple=True,
    help="Competency id for every item (repeat for several); default: engagement.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the bank here (default: standard output).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="All or nothing: write nothing unless every question imports, with a rationale.",
)
@with_appcontext
def import_gift(
    file: str,
    module_id: str,
    domain: str | None,
    use: str,
    competencies: tuple[str, ...],
    output: str | None,
    strict: bool,
) -> None:
    """Convert a Moodle GIFT file into a question bank in our format.

    Every question the bank can hold is imported. One without general feedback (####) becomes
    a draft (draft: true, no rationale), left out of quizzes and exams until someone writes
    its rationale. Each other question is reported as FILE:line: skipped: why. Exit status 0
    when anything was imported, 1 when nothing could be.

    With --strict, any question that cannot be imported as it is (drafts included) is
    reported as FILE:line: message, with exit status 1 and nothing written.
    """
    from trainer.domain.content import gift

    root = Path(current_app.config["CONTENT_DIR"])
    taxonomy, _ = parse_tree(root)
    domains = taxonomy.taxonomy.domains if taxonomy else gift.DOMAINS
    text = Path(file).read_text(encoding="utf-8-sig")
    try:
        items, problems = gift.parse_gift(
            text,
            module=module_id,
            path=file,
            default_domain=domain,
            use=use,
            competencies=competencies or ("engagement",),
            domains=domains,
            drafts=not strict,
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if strict and problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem(s); nothing was written.", err=True)
        sys.exit(1)
    skipped = _skipped(problems)
    for line in skipped:
        click.echo(line, err=True)
    if not items:
        why = "every question was skipped" if skipped else "it holds no questions"
        click.echo(f"{file}: nothing was imported: {why}; nothing was written.", err=True)
        sys.exit(1)
    bank = gift.bank_yaml(module_id, items)
    if output:
        Path(output).write_text(bank, encoding="utf-8")
    else:
        click.echo(bank, nl=False)
    drafts = sum(1 for i in items if i.get("draft"))
    click.echo(
        f"{file}: imported {len(items)} questions ({drafts} drafts without general feedback), "
        f"skipped {len(skipped)}" + (f"; wrote {output}" if output else ""),
        err=True,
    )


def _skipped(problems: list[Problem]) -> list[str]:
    """One ``FILE:line: skipped: why`` line per question (its reasons joined by ``; ``)."""
    reasons: dict[tuple[str, int], list[str]] = {}
    for problem in problems:
        reasons.setdefault((problem.path, problem.line), []).append(problem.message)
    return [
        str(Problem(path, line, f"skipped: {'; '.join(why)}"))
        for (path, line), why in reasons.items()
    ]


@content.command("export-gift")
@click.argument("directory", required=False)
@click.option("--module", "module_id", help="Only this module's bank.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: standard output)."
)
@with_appcontext
def export_gift(directory: str | None, module_id: str | None, output: str | None) -> None:
    """Write the question banks (or one module's), drafts included, as a Moodle GIFT file."""
    from trainer.domain.content import gift

    tree = _parse_or_exit(directory)
    if module_id and module_id not in tree.modules:
        raise click.ClickException(f"unknown module '{module_id}'")
    bank = sorted([*tree.items.values(), *tree.drafts.values()], key=lambda i: (i.path, i.line))
    items = [i for i in bank if not module_id or i.module == module_id]
    text = gift.export_gift(items)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(items)} items to {output}", err=True)
    else:
        click.echo(text, nl=False)
