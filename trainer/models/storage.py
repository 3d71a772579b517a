"""Files the app keeps (uploaded documents, credentials, audit evidence): in the database,
so that every app server and worker sees the same files and a database backup holds them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from trainer.clock import utcnow
from trainer.models.base import Base, UTCDateTime


class StoredFile(Base):
    """One stored file under the name the rows that use it keep (their ``stored_name``).

    ``data`` holds the bytes with the database backend; it is empty (NULL) when the bytes
    are kept in an object store under ``name``. Never changed once written: a replaced file
    is a new name."""

    __tablename__ = "stored_files"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
