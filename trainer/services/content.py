"""Publishing content: one transaction turns a checked ContentTree into a release."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select

from trainer.domain import stored
from trainer.domain.content import ContentTree
from trainer.domain.content import model as content
from trainer.domain.content.render import render
from trainer.extensions import db
from trainer.models import ContentRelease, Item, ItemRevision, Module, ModuleSection, Program
from trainer.services import audit, progress
from trainer.services import release as releases


@dataclass
class LoadResult:
    release: ContentRelease
    changed: bool
    counts: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        if not self.changed:
            return f"content unchanged: release {self.release.hash[:12]} is already loaded"
        parts = ", ".join(f"{v} {k}" for k, v in self.counts.items() if v)
        return f"loaded release {self.release.hash[:12]}: {parts or 'no changes to rows'}"


def latest_release() -> ContentRelease | None:
    return db.session.scalar(select(ContentRelease).order_by(ContentRelease.id.desc()).limit(1))


def labels(kind: str) -> dict[str, str]:
    """Labels of a taxonomy part ("domains", "topics", "competencies", "settings"), from
    the release data each process keeps (services.release)."""
    release = releases.current()
    return release.labels(kind) if release is not None else {}


def _module_links(tree: ContentTree) -> dict[str, str]:
    # Sections are served at /learn/modules/<module>/<anchor>; a relative link works from any.
    return {mid: f"../{mid}" for mid in tree.modules}


def load(tree: ContentTree) -> LoadResult:
    """Publish ``tree`` as a new release unless it is the release already loaded.

    Modules and programs are upserted by id; an item whose content changed gets a new
    revision; anything no longer in the tree is retired (kept, because attempts and
    certificates point at it). Drafts are not in ``tree.items``, so they are never loaded and
    an item that became a draft is retired. Flushes; the caller commits.
    """
    latest = latest_release()
    if latest is not None and latest.hash == tree.hash:
        return LoadResult(latest, changed=False)
    counts = dict.fromkeys(
        (
            "modules added",
            "modules updated",
            "modules retired",
            "items added",
            "item revisions",
            "items retired",
            "programs added",
            "programs updated",
            "programs retired",
        ),
        0,
    )
    release = ContentRelease(hash=tree.hash, stats=tree.stats(), manifest={})
    db.session.add(release)
    db.session.flush()
    _load_modules(tree, release.id, counts)
    revisions = _load_items(tree, release.id, counts)
    _load_programs(tree, release.id, counts)
    release.manifest = {
        "taxonomy": asdict(tree.taxonomy),
        "modules": {m.id: m.content_hash() for m in tree.modules.values()},
        "items": revisions,
        "programs": {p.id: p.content_hash() for p in tree.programs.values()},
    }
    db.session.flush()
    details: dict[str, Any] = {k.replace(" ", "_"): v for k, v in counts.items() if v}
    audit.record("content.loaded", subject=release, hash=tree.hash, **details)
    # section counts and targets may have changed: every progress state is recomputed
    releases.forget()
    progress.rebuild(release.loaded_at)
    return LoadResult(release, changed=True, counts=counts)


def _load_modules(tree: ContentTree, release_id: int, counts: dict[str, int]) -> None:
    """Upsert changed modules (their sections rendered again); retire the ones gone."""
    links = _module_links(tree)
    modules = {m.id: m for m in db.session.scalars(select(Module))}
    for parsed in tree.modules.values():
        row = modules.get(parsed.id)
        digest = parsed.content_hash()
        if row is not None and row.content_hash == digest and not row.retired:
            continue
        if row is None:
            row = Module(id=parsed.id)
            db.session.add(row)
            counts["modules added"] += 1
        else:
            counts["modules updated"] += 1
        _fill_module(row, parsed, digest, release_id, links)
    for mid, row in modules.items():
        if mid not in tree.modules and not row.retired:
            row.retired = True
            counts["modules retired"] += 1
    db.session.flush()


def _load_items(tree: ContentTree, release_id: int, counts: dict[str, int]) -> dict[str, int]:
    """A new revision for each item whose content changed; returns item id -> revision."""
    items = {i.id: i for i in db.session.scalars(select(Item))}
    current = {
        r.item_id: r
        for r in db.session.scalars(
            select(ItemRevision).join(
                Item,
                (Item.id == ItemRevision.item_id)
                & (Item.current_revision == ItemRevision.revision),
            )
        )
    }
    revisions: dict[str, int] = {}
    for parsed_item in tree.items.values():
        digest = parsed_item.content_hash()
        item_row = items.get(parsed_item.id)
        if item_row is None:
            item_row = Item(id=parsed_item.id, module_id=parsed_item.module, current_revision=1)
            db.session.add(item_row)
            counts["items added"] += 1
        elif current[parsed_item.id].content_hash != digest:
            item_row.current_revision += 1
            counts["item revisions"] += 1
        else:
            if item_row.retired:
                item_row.retired = False
            revisions[parsed_item.id] = item_row.current_revision
            continue
        item_row.retired = False
        item_row.module_id = parsed_item.module
        db.session.add(
            ItemRevision(
                item_id=parsed_item.id,
                revision=item_row.current_revision,
                content_hash=digest,
                content=parsed_item.content(),
                source_path=parsed_item.path,
                source_line=parsed_item.line,
                release_id=release_id,
            )
        )
        revisions[parsed_item.id] = item_row.current_revision
    for iid, item_row in items.items():
        if iid not in tree.items and not item_row.retired:
            item_row.retired = True
            counts["items retired"] += 1
    return revisions


def _load_programs(tree: ContentTree, release_id: int, counts: dict[str, int]) -> None:
    """Upsert changed program definitions; retire the ones gone."""
    programs = {p.id: p for p in db.session.scalars(select(Program))}
    for parsed_program in tree.programs.values():
        digest = parsed_program.content_hash()
        program_row = programs.get(parsed_program.id)
        if (
            program_row is not None
            and program_row.content_hash == digest
            and not program_row.retired
        ):
            continue
        if program_row is None:
            program_row = Program(id=parsed_program.id)
            db.session.add(program_row)
            counts["programs added"] += 1
        else:
            counts["programs updated"] += 1
        program_row.title = parsed_program.title
        program_row.jurisdiction = parsed_program.jurisdiction
        program_row.definition = stored.to_definition(parsed_program)
        program_row.content_hash = digest
        program_row.release_id = release_id
        program_row.retired = False
    for pid, program_row in programs.items():
        if pid not in tree.programs and not program_row.retired:
            program_row.retired = True
            counts["programs retired"] += 1


def _fill_module(
    row: Module, parsed: content.Module, digest: str, release_id: int, links: dict[str, str]
) -> None:
    row.title = parsed.title
    row.position = parsed.order
    row.summary = parsed.summary
    row.meta = {
        "objectives": list(parsed.objectives),
        "competencies": list(parsed.competencies),
        "credit": parsed.credit,
        "references": [asdict(r) for r in parsed.references],
        "quiz_items": parsed.quiz_items,
        "quiz_pass_percent": parsed.quiz_pass_percent,
        "words": parsed.words,
        "reading_minutes": parsed.reading_minutes,
        "credit_minutes": parsed.credit_minutes,
    }
    row.content_hash = digest
    row.source_path = parsed.path
    row.release_id = release_id
    row.retired = False
    row.sections.clear()
    db.session.flush()
    for position, section in enumerate(parsed.sections, start=1):
        row.sections.append(
            ModuleSection(
                position=position,
                anchor=section.anchor,
                title=section.title,
                html=render(section.markdown, links, id_prefix=f"s{position}-"),
                words=section.words,
            )
        )
