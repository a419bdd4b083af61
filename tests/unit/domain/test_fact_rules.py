"""The pure rules behind suggested facts, on hand-made words and lemmas (no language model involved)."""

from __future__ import annotations

import re
from datetime import date

from dutycare.domain.dates import PartialDate
from dutycare.domain.events import EventType
from dutycare.domain.fact_patterns import find
from dutycare.domain.fact_rules import suggest_from
from dutycare.domain.suggested_facts import Analysis, FactKind, FoundDate, Suggestion, Token

# The few lemmas these examples need, as a dictionary would give them.
LEMMAS = {"отказали": "отказать", "операции": "операция", "квот": "квота", "сверху": "сверху",
          "указание": "указание", "декабре": "декабрь", "осенью": "осенью", "недели": "неделя", "две": "два",
          "месяца": "месяц", "госпитале": "госпиталь", "прокуратуру": "прокуратура", "военную": "военный",
          "написала": "написать", "жалобу": "жалоба", "признали": "признать", "годным": "годный",
          "категория": "категория", "отправили": "отправить", "фронт": "фронт", "симулянтом": "симулянт",
          "назвали": "назвать", "года": "год", "было": "быть", "лечении": "лечение", "начале": "начало",
          "марта": "март", "году": "год", "прошлом": "прошлый", "колене": "колено", "осколок": "осколок"}


def analyse(text: str, dates: tuple[FoundDate, ...] = ()) -> Analysis:
    tokens = [Token(m.start(), m.end(), m.group().lower(), LEMMAS.get(m.group().lower(), m.group().lower()))
              for m in re.finditer(r"\w+(?:[-/]\w+)*", text)]
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.]+", text)]
    return Analysis(text, tokens, sentences, dates)


def of_kind(found: list[Suggestion], kind: FactKind) -> list[Suggestion]:
    return [s for s in found if s.kind == kind.value]


def test_a_pattern_matches_inflected_forms_by_lemma_and_allows_a_gap() -> None:
    a = analyse("Нам отказали в операции")
    assert find("отказать ~2 операция", a.tokens) == [(1, 4)]
    assert find("отказать операция", a.tokens) == []


def test_a_stem_catches_a_misspelt_ending_and_an_optional_word_may_be_absent() -> None:
    a = analyse("лежал в госпитеале, потом в прокуратуру")
    assert find("госпит*", a.tokens) == [(2, 3)]
    assert find("?военный прокуратура", a.tokens) == [(5, 6)]
    assert find("?военный прокуратура", analyse("в военную прокуратуру").tokens) == [(1, 3)]


def test_a_refusal_takes_its_stated_reason_and_maps_to_the_refusal_event() -> None:
    found = suggest_from(analyse("Нам отказали в операции, нет квот"))
    (refusal,) = of_kind(found, FactKind.REFUSAL)
    assert refusal.event_type is EventType.TREATMENT_REFUSED
    assert refusal.key == "no_capacity"
    assert refusal.details() == {"reason_kind": "no_capacity", "treatment": "операция", "reason": "нет квот"}
    assert refusal.quote == "отказали в операции, нет квот"


def test_a_reason_in_the_next_sentence_belongs_to_the_refusal_before_it() -> None:
    found = suggest_from(analyse("Нам отказали. Сказали указание сверху"))
    (refusal,) = of_kind(found, FactKind.REFUSAL)
    assert refusal.key == "unwritten_directive"
    assert refusal.quote == "отказали"


def test_a_refusal_without_a_reason_is_suggested_as_none_given() -> None:
    (refusal,) = of_kind(suggest_from(analyse("В лечении отказали")), FactKind.REFUSAL)
    assert refusal.key == "none_given"


def test_a_month_alone_takes_the_latest_such_month_not_after_the_known_date() -> None:
    found = suggest_from(analyse("В декабре его отправили на фронт"), date(2024, 5, 10))
    (when,) = of_kind(found, FactKind.DATE)
    assert when.value == "2023-12" and when.quote == "декабре"
    (deployed,) = of_kind(found, FactKind.DEPLOYMENT)
    assert deployed.event_type is EventType.DEPLOYED


def test_a_month_alone_is_not_suggested_without_a_year_to_place_it_in() -> None:
    assert of_kind(suggest_from(analyse("В декабре его отправили на фронт")), FactKind.DATE) == []


def test_a_season_with_its_year_is_the_range_of_its_months() -> None:
    (when,) = of_kind(suggest_from(analyse("осенью 2023 года")), FactKind.DATE)
    assert when.value == "2023-09/2023-11"
    assert PartialDate.parse(str(when.value)).earliest == date(2023, 9, 1)


def test_in_two_weeks_counts_from_the_last_exact_day_named() -> None:
    text = "Ранили 14 марта 2024. Через две недели выписали"
    found = suggest_from(analyse(text, (FoundDate(7, 20, 2024, 3, 14),)))
    assert [s.value for s in of_kind(found, FactKind.DATE)] == ["2024-03-14", "~2024-03-28"]


def test_months_ago_counts_back_from_the_known_date() -> None:
    (when,) = of_kind(suggest_from(analyse("Два месяца назад"), date(2024, 5, 10)), FactKind.DATE)
    assert when.value == "~2024-03"


def test_the_beginning_of_a_month_is_its_first_ten_days() -> None:
    found = suggest_from(analyse("в начале марта", ()), date(2024, 5, 1))
    assert [s.value for s in of_kind(found, FactKind.DATE)] == ["2024-03-01/2024-03-10"]


def test_a_day_without_a_year_takes_the_year_named_before_it() -> None:
    text = "В 2023 году ранили. 5 марта выписали"
    found = suggest_from(analyse(text, (FoundDate(2, 11, 2023, None, None), FoundDate(20, 27, None, 3, 5))))
    assert [s.value for s in of_kind(found, FactKind.DATE)] == ["2023", "2023-03-05"]


def test_fit_and_a_category_in_one_sentence_are_one_fitness_decision() -> None:
    found = suggest_from(analyse("ВВК признали годным, категория Б"))
    (decision,) = of_kind(found, FactKind.FITNESS_DECISION)
    assert decision.key == "Б" and decision.details() == {"category": "Б"}
    assert decision.quote == "годным, категория Б"
    (commission,) = of_kind(found, FactKind.INSTITUTION)
    assert commission.key == "medical_commission"


def test_a_complaint_names_its_addressee_and_the_institution_is_suggested_too() -> None:
    found = suggest_from(analyse("Я написала жалобу в военную прокуратуру"))
    (complaint,) = of_kind(found, FactKind.COMPLAINT)
    assert complaint.event_type is EventType.COMPLAINT
    assert isinstance(complaint.value, dict) and complaint.value["addressee"] == "prosecutor"
    assert [s.key for s in of_kind(found, FactKind.INSTITUTION)] == ["prosecutor"]


def test_an_age_needs_a_word_that_makes_it_one() -> None:
    assert [s.value for s in of_kind(suggest_from(analyse("Ему было 34 года")), FactKind.AGE)] == [{"years": 34}]
    assert of_kind(suggest_from(analyse("служит 3 года")), FactKind.AGE) == []
    assert of_kind(suggest_from(analyse("ему 20 лет назад")), FactKind.AGE) == []


def test_a_body_part_counts_only_beside_medical_words() -> None:
    found = suggest_from(analyse("осколок в колене"))
    assert [s.key for s in of_kind(found, FactKind.BODY_PART)] == ["колено"]
    (injury,) = of_kind(found, FactKind.INJURY)
    assert injury.details() == {"injury": "осколок", "body_part": "колено"}
    assert of_kind(suggest_from(analyse("документы на колене подписал")), FactKind.BODY_PART) == []


def test_a_malingering_label_is_its_own_event() -> None:
    (label,) = of_kind(suggest_from(analyse("Его назвали симулянтом")), FactKind.MALINGERING)
    assert label.event_type is EventType.MALINGERING_LABEL and label.details() == {"statement": "симулянтом"}


def test_empty_text_suggests_nothing() -> None:
    assert suggest_from(Analysis("", (), ())) == []
