"""Refusals raised by access rules and live events, answered as a page or as an event's refusal.

They know nothing of HTTP or Socket.IO: a page answers `status` (see `server.errors.refused`),
a Socket.IO event answers `reason` and `message` (see `AuthenticatedNamespace`).
"""

from __future__ import annotations


class Denied(Exception):
    """An action refused for a reason the sender is told."""

    status = 400

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class NotFound(Denied):
    """Unknown, or hidden from this user: both look the same from outside."""

    status = 404

    def __init__(self, message: str):
        super().__init__("not-found", message)


class Forbidden(Denied):
    """Known and visible to this user, who may not do this with it."""

    status = 403

    def __init__(self, message: str):
        super().__init__("forbidden", message)
