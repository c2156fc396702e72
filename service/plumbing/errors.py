"""Domain errors: raised by operations, mapped once to HTTP by `service.resources.errors`."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal by the domain: `message` in English for the API; `code` and `params` (ids,
    codes, days) for a page that words it in its own language (see service.console.words)."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.code: str | None = None
        self.params: dict[str, Any] = {}

    def coded(self, code: str, **params: Any) -> DomainError:
        """Name this refusal for pages that translate it; return it, to raise."""
        self.code, self.params = code, params
        return self

    def details(self) -> dict[str, Any]:
        return {}


class NotFound(DomainError):
    status = 404


class Invalid(DomainError):
    """A value that breaks a rule; `field` names it for the client, `location` where it was
    given when it is not the body or query (for example "headers")."""

    status = 422

    def __init__(self, field: str, message: str, location: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.location = location


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """A resource is already held; `conflicts` lists what it collides with."""

    status = 409

    def __init__(self, message: str, conflicts: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.conflicts = conflicts or []

    def details(self) -> dict[str, Any]:
        return {"conflicts": self.conflicts}


class StaleVersion(DomainError):
    status = 409

    def __init__(self, current_version: int) -> None:
        super().__init__(
            f"The booking was changed meanwhile; its current version is {current_version}."
        )
        self.current_version = current_version

    def details(self) -> dict[str, Any]:
        return {"json": {"version": [self.message]}, "current_version": self.current_version}


class StaleChange(DomainError):
    """A concurrent request changed or removed the row between this one's read and write.

    SQLAlchemy raises StaleDataError then (a booking's version moved on, or the row is gone);
    the API and the console answer it as this 409.
    """

    status = 409

    def __init__(self) -> None:
        super().__init__("It was changed by someone else meanwhile; load it again and retry.")


class InvalidTransition(DomainError):
    status = 409
