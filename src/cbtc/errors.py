from __future__ import annotations


class ServiceError(Exception):
    """A business rule refused the change. ``field`` names the input at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(ServiceError):
    """The actor may not do this. Views answer 403, or 404 where existence itself must not leak."""


class NotFound(Exception):  # reads as what it means at the call site
    """The object does not exist, or the actor may not know that it does. Pages and the API answer 404."""
