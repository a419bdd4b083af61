"""What an accepted suggestion fills in: the date before it, the case's institution of the type named near it."""

from __future__ import annotations

from urllib.parse import urlencode

from dutycare.domain.dates import PartialDate
from dutycare.domain.events import Citation, Event, EventType
from dutycare.domain.model import Institution
from dutycare.domain.suggested_facts import Suggestion
from dutycare.domain.vocabulary import InstitutionType as I
from dutycare.entrypoints.web.routers.suggestions import accept_link
from dutycare.service_layer.suggestions import EventSuggestions, institution_for, nearest_date

TEXT = "14 марта ВВК признала годным. В госпитале отказали в операции."
DATE = Suggestion("date", "2024-03-14", 0, 8, "14 марта")
VVK = Suggestion("institution", {"type": "medical_commission", "name": "ВВК"}, 9, 12, "ВВК")
FIT = Suggestion("fitness_decision", {"decision": "годен"}, 21, 27, "годным")
HOSPITAL = Suggestion("institution", {"type": "hospital", "name": "госпитале"}, 31, 40, "госпитале")
REFUSAL = Suggestion("refusal", {"reason_kind": "none_given", "treatment": "операция"}, 41, 62,
                     "отказали в операции")
FOUND = [DATE, VVK, FIT, HOSPITAL, REFUSAL]
EVENT = Event("ev-t", EventType.TESTIMONY, PartialDate.parse("2024-05"), ("case-x",), (Citation("s-1"),),
              details={"given_by": "p-1", "text": TEXT})


def suggestions(*institutions: Institution) -> EventSuggestions:
    return EventSuggestions(EVENT, "case-x", "Дело Х", TEXT, None, FOUND, {i.id: i for i in institutions})


def test_the_date_is_the_last_one_before_the_suggestion() -> None:
    assert nearest_date(FOUND, REFUSAL) == "2024-03-14"
    assert nearest_date([REFUSAL], REFUSAL) is None


def test_the_institution_is_the_cases_one_of_the_nearest_type_named() -> None:
    found = suggestions(Institution("i-vvk", "ВВК округа", I.MEDICAL_COMMISSION), Institution("i-h", "Госпиталь",
                                                                                             I.HOSPITAL))
    assert institution_for(found, FIT) == "i-vvk"
    assert institution_for(found, REFUSAL) == "i-h"


def test_no_institution_when_the_case_has_none_or_several_of_that_type() -> None:
    assert institution_for(suggestions(), FIT) is None
    two = suggestions(Institution("i-1", "Госпиталь 1", I.HOSPITAL), Institution("i-2", "Госпиталь 2", I.HOSPITAL))
    assert institution_for(two, REFUSAL) is None


def test_the_accept_link_carries_type_date_institution_details_and_sources() -> None:
    found = suggestions(Institution("i-h", "Госпиталь", I.HOSPITAL))
    link = accept_link(found, REFUSAL)
    assert link is not None and link.startswith("/cases/case-x/events/new?type=treatment_refused&date=2024-03-14")
    assert "institution=i-h" in link and "details.reason_kind=none_given" in link and "source=s-1" in link
    assert accept_link(found, DATE) is None
    assert accept_link(found, HOSPITAL) == "/institutions?" + urlencode({"case": "case-x", "q": "госпитале"})
