"""Console users: people who sign in to the coordinator console with an email and password."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from service.plumbing.columns import UTCDateTime
from service.plumbing.db import Base

LOCALES = ("bg", "en")


class User(Base):
    """A console account; the password is stored as an Argon2id hash only."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    offices: Mapped[list[str]] = mapped_column(JSON, default=list)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    # Part of every session cookie's stamp; moving it on sign-out, a password change or reset
    # and deactivation ends the account's sessions on the server, replayed cookies included.
    session_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
