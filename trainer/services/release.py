"""The published content a page needs, read once per process: programs, module outlines,
section counts and labels of the current release.

A release never changes once loaded (``content.load`` writes a new one), so its data is
kept per process, keyed by the release's hash. Each request asks the database once which
release is current (one short statement, remembered for the rest of the request); only when
that differs from what the process holds is the release read again. Another process (the
``trainer content load`` command, another server) publishing a release is therefore seen by
the next request everywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from flask import g, has_app_context
from sqlalchemy import select

from trainer.domain import stored
from trainer.domain.errors import NotFound
from trainer.extensions import db
from trainer.models import ContentRelease, Module, ModuleSection, Program

if TYPE_CHECKING:
    from trainer.domain.content.model import Program as ProgramSpec


@dataclass(frozen=True)
class ModuleInfo:
    id: str
    title: str
    position: int
    summary: str
    meta: Mapping[str, Any]
    retired: bool
    outline: tuple[tuple[str, str], ...]  # (anchor, title) of each section, in order
    words: Mapping[str, int] = field(default_factory=dict)  # anchor -> words in the section

    @property
    def anchors(self) -> list[str]:
        return [a for a, _ in self.outline]


@dataclass(frozen=True)
class ProgramInfo:
    id: str
    title: str
    jurisdiction: str
    retired: bool
    spec: ProgramSpec


@dataclass(frozen=True)
class Release:
    id: int
    hash: str
    programs: Mapping[str, ProgramInfo]
    modules: Mapping[str, ModuleInfo]
    taxonomy: Mapping[str, Mapping[str, str]]

    def program(self, program_id: str) -> ProgramInfo:
        """A live program (NotFound for an unknown or retired one)."""
        p = self.programs.get(program_id)
        if p is None or p.retired:
            raise NotFound(program_id)
        return p

    def labels(self, kind: str) -> dict[str, str]:
        return dict(self.taxonomy.get(kind, {}))

    def section_count(self, module_id: str) -> int:
        m = self.modules.get(module_id)
        return len(m.outline) if m else 0


#: a program row or its cached form: both have ``id``, ``title`` and ``spec``
AnyProgram = Program | ProgramInfo

_lock = threading.Lock()
_held: dict[str, Release] = {}  # database URL -> the release this process holds


def _read(release_id: int, release_hash: str, manifest: Mapping[str, Any]) -> Release:
    """Everything the cache holds, in three statements."""
    programs = {
        p.id: ProgramInfo(p.id, p.title, p.jurisdiction, p.retired, stored.from_definition(d))
        for p, d in ((p, p.definition) for p in db.session.scalars(select(Program)))
    }
    outlines: dict[str, list[tuple[str, str]]] = {}
    words: dict[str, dict[str, int]] = {}
    for module_id, anchor, title, count in db.session.execute(
        select(
            ModuleSection.module_id, ModuleSection.anchor, ModuleSection.title, ModuleSection.words
        ).order_by(ModuleSection.module_id, ModuleSection.position)
    ):
        outlines.setdefault(module_id, []).append((anchor, title))
        words.setdefault(module_id, {})[anchor] = count
    modules = {
        m.id: ModuleInfo(
            m.id,
            m.title,
            m.position,
            m.summary,
            m.meta,
            m.retired,
            tuple(outlines.get(m.id, ())),
            words.get(m.id, {}),
        )
        for m in db.session.scalars(select(Module))
    }
    return Release(release_id, release_hash, programs, modules, manifest.get("taxonomy", {}))


def current() -> Release | None:
    """The current release's data (None before any content is loaded)."""
    if has_app_context() and "_release" in g:
        return cast(Release | None, g._release)
    head = db.session.execute(
        select(ContentRelease.id, ContentRelease.hash).order_by(ContentRelease.id.desc()).limit(1)
    ).first()
    release = None
    if head is not None:
        key = str(db.engine.url)
        held = _held.get(key)
        if held is None or held.hash != head.hash or held.id != head.id:
            manifest = db.session.scalar(
                select(ContentRelease.manifest).where(ContentRelease.id == head.id)
            )
            held = _read(head.id, head.hash, manifest or {})
            with _lock:
                _held[key] = held
        release = held
    if has_app_context():
        g._release = release
    return release


def get() -> Release:
    """The current release; NotFound when no content has been loaded."""
    release = current()
    if release is None:
        raise NotFound("content")
    return release


def program_title(program_id: str) -> str:
    """A program's title from the current release (its id when it is unknown)."""
    release = current()
    program = release.programs.get(program_id) if release else None
    return program.title if program else program_id


def document_title(program_id: str, document_id: str) -> str:
    """The title a program gives a required document (the id in words if it has gone)."""
    release = current()
    program = release.programs.get(program_id) if release else None
    for spec in program.spec.documents if program else ():
        if spec.id == document_id:
            return spec.title
    return document_id.replace("-", " ").capitalize()


def forget() -> None:
    """Drop what this request remembers (after publishing a release in the same request)."""
    if has_app_context():
        g.pop("_release", None)


def clear() -> None:
    """Forget what this process holds (tests empty the database between cases)."""
    with _lock:
        _held.clear()
