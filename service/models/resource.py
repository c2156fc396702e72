"""Bookable resources (rooms and people), their working hours and time off."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Column, ForeignKey, Integer, SmallInteger, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.office import Office
from service.plumbing.columns import UTCDateTime
from service.plumbing.db import Base

RESOURCE_KINDS = ("room", "interpreter", "counsellor", "teacher")
PERSON_KINDS = ("interpreter", "counsellor", "teacher")
MODALITIES = ("in_person", "phone", "video")
SPECIALITIES = ("psychological", "legal", "social")
GENDERS = ("female", "male")
TRAININGS = ("legal_procedure", "psychological", "children")

resource_offices = Table(
    "resource_offices",
    Base.metadata,
    Column("resource_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
    Column("office_id", ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True),
)


class Resource(Base):
    """Anything a booking can hold: a room, an interpreter, a counsellor or a teacher."""

    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    room_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    locale: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20))
    # An interpreter's gender ("female" or "male"), asked for by some survivors of violence.
    gender: Mapped[str | None] = mapped_column(String(8))
    # Hour limits on sessions of `limited_types` (comma-separated booking types); None: the
    # defaults of the settings (INTERPRETER_MAX_HOURS_DAY, _WEEK, INTERPRETER_LIMITED_TYPES).
    max_hours_day: Mapped[int | None] = mapped_column(SmallInteger)
    max_hours_week: Mapped[int | None] = mapped_column(SmallInteger)
    limited_types: Mapped[str | None] = mapped_column(String(200))

    room_office: Mapped[Office | None] = relationship(foreign_keys=[room_office_id])
    offices: Mapped[list[Office]] = relationship(secondary=resource_offices)
    language_rows: Mapped[list[ResourceLanguage]] = relationship(
        cascade="all, delete-orphan", order_by="ResourceLanguage.language"
    )
    modality_rows: Mapped[list[ResourceModality]] = relationship(cascade="all, delete-orphan")
    speciality_rows: Mapped[list[ResourceSpeciality]] = relationship(cascade="all, delete-orphan")
    working_hours: Mapped[list[WorkingHours]] = relationship(
        back_populates="resource", cascade="all, delete-orphan"
    )
    dialect_rows: Mapped[list[ResourceDialect]] = relationship(
        cascade="all, delete-orphan", order_by="ResourceDialect.dialect"
    )
    training_rows: Mapped[list[ResourceTraining]] = relationship(
        cascade="all, delete-orphan", order_by="ResourceTraining.training"
    )

    @property
    def languages(self) -> list[str]:
        return [row.language for row in self.language_rows]

    @property
    def modalities(self) -> list[str]:
        return sorted(row.modality for row in self.modality_rows)

    @property
    def specialities(self) -> list[str]:
        return sorted(row.speciality for row in self.speciality_rows)

    @property
    def dialects(self) -> list[str]:
        return [row.dialect for row in self.dialect_rows]

    @property
    def trainings(self) -> list[str]:
        return [row.training for row in self.training_rows]

    @property
    def limited_type_list(self) -> list[str] | None:
        """The booking types the hour limits count, or None for the settings' default."""
        if self.limited_types is None:
            return None
        return [t for t in self.limited_types.split(",") if t]

    @property
    def office_codes(self) -> list[str]:
        if self.kind == "room" and self.room_office is not None:
            return [self.room_office.code]
        return sorted(office.code for office in self.offices)

    @property
    def is_person(self) -> bool:
        return self.kind in PERSON_KINDS


class ResourceLanguage(Base):
    __tablename__ = "resource_languages"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class ResourceModality(Base):
    __tablename__ = "resource_modalities"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    modality: Mapped[str] = mapped_column(String(16), primary_key=True)


class ResourceSpeciality(Base):
    __tablename__ = "resource_specialities"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    speciality: Mapped[str] = mapped_column(String(16), primary_key=True)


class ResourceDialect(Base):
    """A dialect an interpreter speaks, as a BCP 47 tag (ar-SY, ar-IQ, ku-Latn)."""

    __tablename__ = "resource_dialects"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    dialect: Mapped[str] = mapped_column(String(16), primary_key=True)


class ResourceTraining(Base):
    """A training an interpreter has: legal_procedure, psychological or children."""

    __tablename__ = "resource_trainings"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    training: Mapped[str] = mapped_column(String(24), primary_key=True)


class WorkingHours(Base):
    """A person's working interval at an office on a weekday (0 = Monday), Europe/Sofia time."""

    __tablename__ = "working_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(SmallInteger)
    starts: Mapped[time]
    ends: Mapped[time]

    resource: Mapped[Resource] = relationship(back_populates="working_hours")
    office: Mapped[Office] = relationship()


class TimeOff(Base):
    __tablename__ = "time_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
