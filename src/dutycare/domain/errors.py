"""Errors a user can cause, with messages that say what to do."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every error a user can cause; the message is meant for them."""


class SearchIndexDamaged(DomainError):
    """The search index holds words but its key is gone: someone altered the database."""

    MESSAGE = ("The search index key is missing or unreadable; the database was altered. "
               "Run 'dutycare ledger verify'.")

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class IdTaken(DomainError):
    """A write was refused because a record with one of its ids exists already (the database's own check)."""


class NotFound(DomainError):
    """A case, person, institution, source or event that does not exist was asked for."""


class NotAllowed(DomainError):
    """The acting user's role does not allow what was asked."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by record and field."""

    location: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.location}.{self.field}" if self.field else self.location
        return f"{where}: {self.message}"


class InvalidInput(DomainError):
    """Input was rejected as a whole; every problem found is listed."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems
        self.total = len(problems) if total is None else total
        super().__init__(self.summary())

    def summary(self) -> str:
        """A one-line summary: how many problems, and the first one."""
        first = str(self.problems[0]) if self.problems else "no details"
        return f"{self.total} problem(s) found; nothing was written. First: {first}"
