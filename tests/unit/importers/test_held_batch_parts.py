"""Held batches written together are cut into parts that keep the records' order and size."""

from __future__ import annotations

import itertools

from dutycare.domain.model import CaseFile
from dutycare.service_layer.import_writes import parts_of


def _records(cf: CaseFile) -> list[object]:
    return [*cf.people, *cf.institutions, *cf.sources, *cf.cases, *cf.events]


def test_parts_hold_every_record_once_in_order_and_each_but_the_last_is_full() -> None:
    for lengths in itertools.product(range(4), repeat=5):
        numbers = iter(range(100))
        cf = CaseFile(*(tuple(next(numbers) for _ in range(n)) for n in lengths))  # type: ignore[arg-type]
        for size in (1, 2, 3, 5):
            parts = list(parts_of(cf, size))
            assert [r for p in parts for r in _records(p)] == _records(cf)
            sizes = [len(_records(p)) for p in parts]
            assert (all(n == size for n in sizes[:-1]) and 0 < sizes[-1] <= size) or sizes == [0]


def test_a_file_within_the_size_is_one_part_as_it_was() -> None:
    cf = CaseFile(people=(1, 2), events=(3,))  # type: ignore[arg-type]
    assert list(parts_of(cf, 3)) == [cf]
