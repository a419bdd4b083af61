"""Disclosure control: small cells are suppressed, and no suppressed cell can be recovered from what is shown."""

from __future__ import annotations

import pytest
from disclosure_attack import bounds, recovered
from hypothesis import given, settings
from hypothesis import strategies as st

from dutycare.service_layer import disclosure
from dutycare.service_layer.patterns import Grouping, build_cells, protected_table
from dutycare.service_layer.queries import GroupCount


def _table(rows: dict[str, tuple[int, int]]) -> tuple[dict[tuple[str, str, str], int], list[disclosure.Relation]]:
    counts = {k: [n, w] for k, (n, w) in rows.items()}
    return build_cells(Grouping.FACILITY, counts, sum(n for n, _ in rows.values()))


def _published(values: dict[tuple[str, str, str], int], p: disclosure.Protected) -> dict[object, int | None]:
    return {k: p.shown(k) for k in values}


def test_a_cell_below_the_threshold_is_suppressed_and_cannot_be_recovered_from_the_totals() -> None:
    values, relations = _table({"a": (40, 3), "b": (50, 25), "c": (60, 30)})
    p = disclosure.protect(values, relations, 10)
    assert ("g", "a", "with") in p.primary
    assert p.shown(("g", "a", "with")) is None
    # Row total 40 and column totals are shown, so the partner cells had to go too.
    assert p.shown(("g", "a", "without")) is None
    assert recovered(_published(values, p), relations) == []


def test_one_small_cell_in_a_table_of_one_row_plus_the_total_needs_more_than_its_row() -> None:
    values, relations = _table({"a": (40, 3), "b": (50, 25)})
    p = disclosure.protect(values, relations, 10)
    assert p.possible
    low, high = bounds(_published(values, p), relations)[("g", "a", "with")]
    assert high - low >= 1


def test_the_threshold_is_a_setting() -> None:
    values, relations = _table({"a": (40, 12), "b": (50, 25), "c": (60, 30)})
    assert disclosure.protect(values, relations, 10).suppressed == frozenset()
    assert ("g", "a", "with") in disclosure.protect(values, relations, 15).primary


def test_a_cell_an_earlier_publication_showed_is_never_suppressed_again_and_protection_may_then_be_impossible() -> None:
    values, relations = _table({"a": (40, 3), "b": (50, 25)})
    shown = [k for k in values if k != ("g", "a", "with")]
    p = disclosure.protect(values, relations, 10, shown=shown)
    assert not p.possible


def test_zero_and_threshold_minus_one_are_suppressed_the_threshold_itself_is_shown() -> None:
    values, relations = _table({"a": (40, 0), "b": (50, 9), "c": (60, 10), "d": (70, 35)})
    p = disclosure.protect(values, relations, 10)
    assert {("g", "a", "with"), ("g", "b", "with")} <= p.primary
    assert ("g", "c", "with") not in p.primary


def test_a_threshold_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        disclosure.protect({"x": 1}, [], 0)


def test_rates_intervals_and_tests_of_a_suppressed_row_are_suppressed_too() -> None:
    counts = [GroupCount("a", 40, 3), GroupCount("b", 50, 25), GroupCount("c", 60, 30)]
    table = protected_table(Grouping.FACILITY, "refusal", counts, 150, {}, {}, 10)
    a = next(r for r in table.rows if r.key == "a")
    assert (a.with_measure, a.rate, a.low, a.high, a.p_country, a.q_country, a.flag) == (None,) * 7
    shown = [r for r in table.rows if r.with_measure is not None]
    assert shown, "the partner suppression left nothing shown"
    for r in shown:
        assert r.rate == pytest.approx(r.with_measure / r.cases) and r.low is not None and r.p_country is not None


def test_too_few_cases_are_reported_rather_than_shown() -> None:
    table = protected_table(Grouping.FACILITY, "refusal", [GroupCount("a", 7, 3)], 7, {}, {}, 10)
    assert table.too_few and table.rows == [] and not table.publishable


rows_strategy = st.dictionaries(st.sampled_from("abcdefgh"),
                                st.tuples(st.integers(0, 80), st.integers(0, 80)).map(lambda t: (max(t), min(t))),
                                min_size=2, max_size=8)


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.integers(3, 15))
def test_no_suppressed_cell_of_any_table_is_recoverable(rows: dict[str, tuple[int, int]], threshold: int) -> None:
    values, relations = _table(rows)
    p = disclosure.protect(values, relations, threshold)
    if not p.possible:
        assert p.suppressed == frozenset(values)  # nothing at all is shown
        return
    assert all(values[k] >= threshold for k in values if k not in p.suppressed)
    assert recovered(_published(values, p), relations) == []


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.sampled_from(["R1", "R2", "R3", "R4"]), st.tuples(st.integers(0, 60), st.just(0)),
                       min_size=1, max_size=4), st.integers(40, 90))
def test_no_suppressed_cell_of_a_rule_table_is_recoverable(rows: dict[str, tuple[int, int]], population: int) -> None:
    counts = {k: [population, min(w, population)] for k, (w, _) in rows.items()}
    values, relations = build_cells(Grouping.RULE, counts, population)
    p = disclosure.protect(values, relations, 10)
    if p.possible:
        assert recovered(_published(values, p), relations) == []
