"""Evidence files attached to events, with their chain of custody."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EvidenceFile:
    """A file attached to an event: what it is, where it came from, who added it and when."""

    id: str
    event_id: str
    sha256: str
    size: int
    media_type: str
    original_name: str
    added_by: str
    added_at: str
    source_id: str | None = None
    derived_from: str | None = None
    description: str | None = None
    version: int = 1

    def to_record(self) -> dict[str, object]:
        """The full state the ledger hashes."""
        record: dict[str, object] = {
            "id": self.id, "event": self.event_id, "sha256": self.sha256, "size": self.size,
            "media_type": self.media_type, "original_name": self.original_name, "added_by": self.added_by,
            "added_at": self.added_at, "version": self.version,
        }
        for key, value in (("source", self.source_id), ("derived_from", self.derived_from),
                           ("description", self.description)):
            if value is not None:
                record[key] = value
        return record
