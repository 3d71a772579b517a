"""The issuer's signing keys: which exist, which signs now, which are retired. The private
keys themselves are files in the key folder (``SIGNING_KEY_DIR``), never in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trainer.models.base import Base, UTCDateTime


class SigningKey(Base):
    """One Ed25519 key, published in the DID document as ``<did>#<id>`` until retired. The
    newest key not retired signs; an older one keeps verifying what it signed."""

    __tablename__ = "signing_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # key-1, key-2, ...
    number: Mapped[int] = mapped_column(unique=True)
    public_multibase: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retire_reason: Mapped[str | None] = mapped_column(Text)
