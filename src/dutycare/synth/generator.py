"""A whole synthetic data set as a stream of records in the JSON Lines import format."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from dutycare.adapters.importers.jsonlines import RECORDS_FORMAT, RECORDS_FORMAT_VERSION
from dutycare.synth import texts as tx
from dutycare.synth.timeline import CaseDraft, CaseMaker, partial
from dutycare.synth.world import Facility, Record, World, build_world

STATEMENT_DAY = date(2024, 11, 20)
STATEMENT_IDS = 10_000_000  # statement sources are s-<8 digits>; case sources are s-<7 digits>-<k>
CASES_PER_STATEMENT = 3


@dataclass
class SynthStats:
    """How many records of each kind were written."""

    counts: Counter[str] = field(default_factory=Counter)

    @property
    def events(self) -> int:
        """How many events."""
        return self.counts["event"]


def _group_size(rng: random.Random, remaining: int) -> int:
    roll = rng.random()
    size = 3 if roll < 0.02 else 2 if roll < 0.05 else 1
    return min(size, remaining)


def _group(maker: CaseMaker, rng: random.Random, first: int, size: int, facility: Facility) -> list[CaseDraft]:
    drafts = []
    for number in range(first, first + size):
        d = maker.draft(number, facility)
        maker.timeline(d)
        if size == 1 and rng.random() < 0.4:
            maker.complaint(d, [d.case], [d.person])
        drafts.append(d)
    if size > 1:  # a joint complaint by everyone in the group, like the canonical scenario's video appeal
        lead = drafts[0]
        lead.day = max(x.day for x in drafts)
        maker.complaint(lead, [x.case for x in drafts], [x.person for x in drafts])
    return drafts


def _statements(rng: random.Random, world: World, seen: dict[str, list[str]]) -> Iterator[Record]:
    """For each harsh facility, its head's public denial, naming a few of the cases that contradict it."""
    for k, facility in enumerate(world.facilities):
        cases = seen.get(facility.hospital, [])
        if not facility.harsh or not cases:
            continue
        sid = f"s-{STATEMENT_IDS + k:08d}"
        yield {"record": "source", "id": sid, "kind": "news_report", "title": "Заявление начальника госпиталя",
               "reliability": "B", "date": STATEMENT_DAY.strftime("%Y-%m"), "publisher": rng.choice(tx.PUBLISHERS)}
        yield {"record": "event", "id": f"e-statement-{k:03d}", "type": "public_statement",
               "date": partial(rng, STATEMENT_DAY), "cases": cases, "institution": facility.hospital,
               "sources": [{"source": sid}],
               "details": {"speaker": facility.official, "statement": rng.choice(tx.STATEMENTS),
                           "claim": rng.choice(("no_restrictions_on_care", "care_as_usual"))}}


def generate(cases: int, seed: int) -> Iterator[Record]:
    """Yield the header, the shared institutions and people, then each case's records, then public statements."""
    rng = random.Random(seed)
    world = build_world(rng, cases)
    yield {"format": RECORDS_FORMAT, "format_version": RECORDS_FORMAT_VERSION}
    yield from world.records
    maker = CaseMaker(rng, world.advocates)
    seen: dict[str, list[str]] = {}
    number = 1
    while number <= cases:
        size = _group_size(rng, cases - number + 1)
        facility = rng.choice(world.facilities)
        for d in _group(maker, rng, number, size, facility):
            yield from d.records
            picked = seen.setdefault(facility.hospital, [])
            if len(picked) < CASES_PER_STATEMENT:
                picked.append(d.case)
        number += size
    yield from _statements(rng, world, seen)


def write_jsonl(out: IO[str], cases: int, seed: int) -> SynthStats:
    """Write a data set as JSON Lines (one record per line, UTF-8); the same seed gives the same bytes."""
    stats = SynthStats()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for rec in generate(cases, seed):
        out.write(dumps(rec))
        out.write("\n")
        kind = rec.get("record")
        if isinstance(kind, str):
            stats.counts[kind] += 1
    return stats
