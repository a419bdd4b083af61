"""Pattern tables over a seeded synthetic data set: the facilities synth made refuse more often are flagged and no
other; a case hidden from the viewer does not count; bad input is a clear error."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from disclosure_attack import recovered
from patterns_helpers import CASES, SEED, Synth, published_cells

from dutycare.domain.errors import InvalidInput, NotAllowed
from dutycare.service_layer import case_views, patterns
from dutycare.service_layer.pattern_model import PatternRequest
from dutycare.service_layer.queries import CaseQuery
from dutycare.synth.world import build_world

# synth's seed 7 makes these four hospitals "harsh" (refusal rate 0.62-0.78 against 0.08-0.30 elsewhere).
EXPECTED_FLAGGED = {"i-r00-hospital-1", "i-r05-hospital-1", "i-r05-hospital-2", "i-r09-hospital-1"}


def test_the_facilities_synth_made_harsh_are_flagged_and_no_other(synth: Synth) -> None:
    harsh = {f.hospital for f in build_world(random.Random(SEED), CASES).facilities if f.harsh}
    assert harsh == EXPECTED_FLAGGED
    table = patterns.pattern_table(synth.uow(), synth.analyst, PatternRequest())
    flagged = {r.key for r in table.rows if r.flag == "higher"}
    assert flagged == EXPECTED_FLAGGED
    for r in table.rows:
        if r.key in EXPECTED_FLAGGED:
            assert r.q_country is not None and r.q_country < patterns.FDR
            assert r.low is not None and r.high is not None and r.low < r.rate < r.high  # type: ignore[operator]
    assert table.total is not None and table.total.cases == CASES
    assert table.tested == sum(1 for r in table.rows if r.p_country is not None) > 10


def test_no_suppressed_cell_of_the_facility_table_can_be_recovered(synth: Synth) -> None:
    table = patterns.pattern_table(synth.uow(), synth.analyst, PatternRequest())
    assert table.suppressed_cells > 0
    published, relations = published_cells(patterns.table_to_dict(table))
    assert any(v is None for v in published.values())
    assert recovered(published, relations) == []


def test_a_case_hidden_from_the_analyst_does_not_count_for_them(synth: Synth) -> None:
    hidden = ["c-0000001", "c-0000002", "c-0000003"]
    for case_id in hidden:
        case_views.set_case_access(synth.uow(), synth.coordinator, case_id, True, frozenset(), datetime.now(UTC))
    analyst = patterns.pattern_table(synth.uow(), synth.analyst, PatternRequest(grouping="region"))
    coordinator = patterns.pattern_table(synth.uow(), synth.coordinator, PatternRequest(grouping="region"))
    assert analyst.total is not None and coordinator.total is not None
    assert coordinator.total.cases == CASES
    assert analyst.total.cases == CASES - len(hidden)


def test_filters_narrow_the_cases_as_on_the_case_list(synth: Synth) -> None:
    query = CaseQuery(region="Московская область")
    _, listed = case_views.list_cases(synth.uow(), synth.analyst, query, 1)
    table = patterns.pattern_table(synth.uow(), synth.analyst, PatternRequest(query, "region"))
    assert table.total is not None and table.total.cases == listed
    assert [r.key for r in table.rows] == ["Московская область"]


def test_too_few_cases_say_so_an_unknown_grouping_is_an_error_and_a_partner_sees_no_table(synth: Synth) -> None:
    few = patterns.pattern_table(synth.uow(), synth.analyst, PatternRequest(CaseQuery(text="nosuchwordanywhere")))
    assert few.too_few and few.rows == []
    with pytest.raises(InvalidInput) as bad:
        patterns.pattern_table(synth.uow(), synth.analyst, PatternRequest(grouping="hospital_colour"))
    assert bad.value.problems[0].field == "grouping"
    with pytest.raises(InvalidInput) as bad:
        patterns.pattern_table(synth.uow(), synth.analyst, PatternRequest(measure="R99"))
    assert bad.value.problems[0].field == "measure"
    with pytest.raises(NotAllowed):
        patterns.pattern_table(synth.uow(), synth.partner, PatternRequest())

