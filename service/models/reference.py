"""The generation of the reference data that every process caches (service/directory/reference_cache.py)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from service.plumbing.db import Base


class ReferenceGeneration(Base):
    """One row whose token changes, in the same transaction, with every change to the cached
    tables (tokens, offices, opening hours, closures, resources and their rows, time off).

    A fresh random token, never a counter: a rolled-back change cannot leave a process with
    a snapshot labelled by a token that a later, different change reuses.
    """

    __tablename__ = "reference_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
