"""Published content: releases, modules with rendered sections, item revisions, programs.

Rows are keyed by the content's own stable ids. An item whose text or answer changes gets a
new ItemRevision; attempts point at revisions, so what a person answered never changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trainer.clock import utcnow
from trainer.domain import stored
from trainer.models.base import Base, JSONType, UTCDateTime

T = TypeVar("T")

if TYPE_CHECKING:
    from trainer.domain.content.model import Item as ItemContent
    from trainer.domain.content.model import Program as ProgramSpec


def _decoded(row: Any, name: str, raw: Any, decode: Callable[[Any], T]) -> T:
    """``decode(raw)``, kept on the row until its column holds another object (a reload or
    a new value decodes again)."""
    cached = row.__dict__.get(name)
    if cached is None or cached[0] is not raw:
        cached = (raw, decode(raw))
        row.__dict__[name] = cached
    return cast(T, cached[1])


class ContentRelease(Base):
    __tablename__ = "content_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    hash: Mapped[str] = mapped_column(String(64), index=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # {"modules": {id: hash}, "items": {id: revision}, "programs": {id: hash}}
    manifest: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    stats: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class Module(Base):
    __tablename__ = "modules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    # objectives, competencies, credit, references, quiz settings, words, reading minutes
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType)
    content_hash: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str] = mapped_column(String(300))
    release_id: Mapped[int] = mapped_column(ForeignKey("content_releases.id"))
    retired: Mapped[bool] = mapped_column(default=False)

    sections: Mapped[list[ModuleSection]] = relationship(
        back_populates="module", order_by="ModuleSection.position", cascade="all, delete-orphan"
    )


class ModuleSection(Base):
    """One section, rendered to sanitised HTML once when its release is loaded."""

    __tablename__ = "module_sections"
    __table_args__ = (UniqueConstraint("module_id", "anchor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    words: Mapped[int] = mapped_column(Integer)

    module: Mapped[Module] = relationship(back_populates="sections")


class Item(Base):
    __tablename__ = "items"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    module_id: Mapped[str] = mapped_column(ForeignKey("modules.id"), index=True)
    current_revision: Mapped[int] = mapped_column(Integer, default=1)
    retired: Mapped[bool] = mapped_column(default=False)


class ItemRevision(Base):
    """An item's content as it was at one revision: never updated once written."""

    __tablename__ = "item_revisions"
    __table_args__ = (UniqueConstraint("item_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    # type, use, domain, competencies, stem, options, answer, rationale, scenario, vignette
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    source_path: Mapped[str] = mapped_column(String(300))
    source_line: Mapped[int] = mapped_column(Integer)
    release_id: Mapped[int] = mapped_column(ForeignKey("content_releases.id"))

    @property
    def item(self) -> ItemContent:
        """The frozen content as the dataclass (decoded once per loaded row)."""
        return _decoded(self, "_item", self.content, stored.item_from_content)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Program(Base):
    __tablename__ = "programs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(8), index=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the whole program, as data
    content_hash: Mapped[str] = mapped_column(String(64))
    release_id: Mapped[int] = mapped_column(ForeignKey("content_releases.id"))
    retired: Mapped[bool] = mapped_column(default=False)

    @property
    def spec(self) -> ProgramSpec:
        """The definition as the frozen dataclass (decoded once per loaded definition)."""
        return _decoded(self, "_spec", self.definition, stored.from_definition)
