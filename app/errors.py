"""Errors every front (CLI, GUI) turns into one clear message. No Qt."""

from __future__ import annotations


class AppError(Exception):
    """An error a user can understand and act on; its str() is the whole message."""

    exit_code = 1


class DatabaseError(AppError):
    """The database file is missing, damaged, locked or newer than this program."""


class ValidationError(AppError):
    """Bad values for an entity. ``errors`` maps each field name to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class NotFound(AppError):
    pass


class ConflictError(AppError):
    """Someone else changed the record since it was read (stale ``version``)."""

    def __init__(self, message: str, current_version: int | None = None):
        self.current_version = current_version
        super().__init__(message)


class PermissionDenied(AppError):
    pass


class ReplicaRefused(AppError):
    """A write refused on an offline replica because it is not a named operation: made
    there, it would stay on that computer and never reach the team server. The message
    says what to do instead (on the server, then sync)."""
