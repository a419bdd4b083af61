"""One record as an import source reads it, before it is validated."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from dutycare.domain.errors import Problem
from dutycare.domain.limits import shown

Relocate = Callable[[str], str]


class RawRecord(NamedTuple):
    """One record as read, in interchange form, with where it came from.

    ``relocate`` turns a problem's field (``details.category``) into a location a person can find (a spreadsheet
    cell); without it, problems read ``location.field``.
    """

    kind: str
    data: Mapping[str, Any]
    location: str
    relocate: Relocate | None = None

    def problem(self, name: str, message: str) -> Problem:
        """A problem with one field of this record, located for its reader."""
        if self.relocate is not None:
            return Problem(self.relocate(name), "", shown(message))
        return Problem(shown(self.location), name, shown(message))  # both may quote an unprintable id or value
