"""The natasha/pymorphy3 suggester on fixed examples: inflected forms, names, exact dates, offsets."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dutycare.adapters.text_facts.natasha_suggester import NatashaFactSuggester
from dutycare.domain.dates import PartialDate
from dutycare.domain.events import EventType
from dutycare.domain.suggested_facts import FactKind, Suggestion


@pytest.fixture(scope="module")
def suggester() -> NatashaFactSuggester:
    return NatashaFactSuggester()


def keys(found: list[Suggestion], kind: FactKind) -> list[str]:
    return [s.key for s in found if s.kind == kind.value]


def test_nothing_loads_until_the_first_text(suggester: NatashaFactSuggester) -> None:
    fresh = NatashaFactSuggester()
    assert fresh._models is None
    assert fresh.suggest("   ") == []
    assert fresh._models is None


def test_every_quote_is_the_text_at_its_offsets(suggester: NatashaFactSuggester) -> None:
    text = ("Мой муж, Кравцов Олег Викторович, 41 год, ранен 3 августа 2024 года под Покровском: осколочное "
            "ранение бедра. В госпитале Вишневского ему отказали в операции, сказали — мест нет.")
    found = suggester.suggest(text)
    assert found
    for s in found:
        assert text[s.start:s.end] == s.quote
    assert keys(found, FactKind.PERSON) == ["Кравцов Олег Викторович"]
    assert keys(found, FactKind.AGE) == ["41"]
    assert keys(found, FactKind.DATE) == ["2024-08-03"]
    assert keys(found, FactKind.REFUSAL) == ["no_capacity"]
    assert "бедро" in keys(found, FactKind.BODY_PART)
    assert "hospital" in keys(found, FactKind.INSTITUTION)


def test_inflected_institutions_map_to_their_types(suggester: NatashaFactSuggester) -> None:
    text = ("Писали в Следственный комитет, в военную прокуратуру, уполномоченному по правам человека и в "
            "Минобороны. Часть — в/ч 71718.")
    found = suggester.suggest(text)
    assert set(keys(found, FactKind.INSTITUTION)) == {"investigative_committee", "prosecutor", "ombudsman",
                                                      "authority", "military_unit"}


def test_fitness_deployment_and_malingering_become_their_events(suggester: NatashaFactSuggester) -> None:
    text = ("Комиссия признала сына годным с незначительными ограничениями. Начмед называл его симулянтом. "
            "Через неделю после ВВК его снова отправили на передовую.")
    found = suggester.suggest(text, date(2024, 6, 1))
    events = {s.event_type for s in found if s.event_type}
    assert events == {EventType.FITNESS_DECISION, EventType.MALINGERING_LABEL, EventType.DEPLOYED}
    assert keys(found, FactKind.FITNESS_DECISION) == ["Б"]


def test_an_approximate_date_keeps_its_approximation(suggester: NatashaFactSuggester) -> None:
    found = suggester.suggest("Где-то в конце ноября 2023 года его контузило.")
    assert keys(found, FactKind.DATE) == ["~2023-11-21/2023-11-30"]
    assert keys(found, FactKind.INJURY) == ["контузия"]


def test_a_two_digit_year_is_of_this_century(suggester: NatashaFactSuggester) -> None:
    assert keys(suggester.suggest("Выписан 03.04.24."), FactKind.DATE) == ["2024-04-03"]


def test_importing_the_composition_root_loads_no_language_model() -> None:
    import subprocess
    import sys

    code = "import sys, dutycare.bootstrap, dutycare.entrypoints.cli.main; print('natasha' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗ 0123456789.,:;!?—-/«»()\n\t№"
WORDS = ["отказали", "в", "операции", "нет", "квот", "госпиталь", "ВВК", "годен", "категория", "Б", "14", "марта",
         "2024", "через", "две", "недели", "назад", "осенью", "в/ч", "12345", "симулянт", "на", "фронт", ".", "\n"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(alphabet=ALPHABET, max_size=300),
                 st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join)),
       st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))))
def test_any_text_gives_suggestions_whose_quotes_are_the_text(suggester: NatashaFactSuggester, text: str,
                                                              known: date | None) -> None:
    for s in suggester.suggest(text, known):
        assert text[s.start:s.end] == s.quote and s.start < s.end
        if s.kind == FactKind.DATE.value:
            PartialDate.parse(str(s.value))
