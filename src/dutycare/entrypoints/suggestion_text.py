"""Suggested facts as a person reads them, in Russian or English (the CLI and the staff pages share this)."""

from __future__ import annotations

from itertools import pairwise

from dutycare.domain.dates import DateParseError, PartialDate
from dutycare.domain.suggested_facts import FactKind, Suggestion
from dutycare.rules.wording import date_en, date_ru

INSTITUTION_TYPES = {
    "hospital": ("госпиталь или больница", "hospital"),
    "medical_commission": ("военно-врачебная комиссия", "military medical commission"),
    "military_unit": ("воинская часть", "military unit"),
    "authority": ("орган власти", "authority"),
    "president": ("Президент", "the President"),
    "prosecutor": ("прокуратура", "prosecutor's office"),
    "investigative_committee": ("Следственный комитет", "Investigative Committee"),
    "ombudsman": ("уполномоченный по правам человека", "ombudsman"),
    "court": ("суд", "court"),
    "media": ("СМИ", "media"),
    "ngo": ("правозащитная организация", "NGO"),
}
REASONS = {
    "unwritten_directive": ("негласное указание", "an unwritten or unnamed directive"),
    "no_indication": ("нет медицинских показаний", "no medical indication"),
    "no_capacity": ("нет мест, квот или врачей", "no capacity"),
    "malingering": ("обвинение в симуляции", "alleged malingering"),
    "paperwork": ("документы", "paperwork"),
    "none_given": ("причина не названа", "no reason given"),
    "other": ("другое", "other"),
}
URGENCY = {"urgent": ("срочно", "urgent"), "emergency": ("экстренно", "emergency"), "routine": ("планово", "routine")}
CHANNELS = {"video_message": ("видеообращение", "video message"), "online_portal": ("через интернет", "online"),
            "letter": ("письмо", "letter"), "in_person": ("лично", "in person")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "ru" else pair[1]


def _date(text: str, lang: str) -> str:
    try:
        when = PartialDate.parse(text)
    except DateParseError:
        return text
    return date_ru(when) if lang == "ru" else date_en(when)


def _fitness(value: dict[str, object], lang: str) -> str:
    category = value.get("category")
    if category:
        return f"категория {category}" if lang == "ru" else f"category {category}"
    return "признан годным" if lang == "ru" else "found fit"


def _event_value(kind: FactKind, value: dict[str, object], lang: str) -> str:
    """The part of an event-like suggestion worth naming: the reason, the treatment, the channel."""
    parts: list[str] = []
    if kind is FactKind.REFUSAL:
        parts.append(_pick(REASONS.get(str(value.get("reason_kind")), REASONS["other"]), lang))
    if kind in (FactKind.RECOMMENDATION, FactKind.REFUSAL) and value.get("treatment"):
        parts.append(str(value["treatment"]))
    if kind is FactKind.RECOMMENDATION and value.get("urgency"):
        parts.append(_pick(URGENCY.get(str(value["urgency"]), ("", "")), lang))
    if kind is FactKind.COMPLAINT:
        if value.get("addressee"):
            parts.append(_pick(INSTITUTION_TYPES.get(str(value["addressee"]), ("", "")), lang))
        if value.get("channel"):
            parts.append(_pick(CHANNELS.get(str(value["channel"]), ("", "")), lang))
    if kind is FactKind.INJURY:
        parts.append(str(value.get("kind", "")))
        if value.get("body_part"):
            parts.append(str(value["body_part"]))
    return ", ".join(p for p in parts if p)


def _years(value: object, lang: str) -> str:
    n = value if isinstance(value, int) else 0
    if lang != "ru":
        return f"{n} years"
    word = "год" if n % 10 == 1 and n % 100 != 11 else "года" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 \
        else "лет"
    return f"{n} {word}"


def describe(s: Suggestion, lang: str = "ru") -> str:
    """What was suggested, in words: «Дата: март 2024», «Отказ в лечении: нет мест, квот или врачей, операция»."""
    kind = s.fact_kind
    label = s.label(lang)
    if isinstance(s.value, str):
        return f"{label}: {_date(s.value, lang)}" if kind is FactKind.DATE else f"{label}: {s.value}"
    value = s.value
    if kind is FactKind.INSTITUTION:
        shown = _pick(INSTITUTION_TYPES.get(str(value.get("type")), ("", "")), lang)
    elif kind is FactKind.PERSON:
        shown = str(value.get("name", ""))
    elif kind is FactKind.AGE:
        shown = _years(value.get("years"), lang)
    elif kind is FactKind.BODY_PART:
        shown = str(value.get("body_part", ""))
    elif kind is FactKind.FITNESS_DECISION:
        shown = _fitness(value, lang)
    else:
        shown = _event_value(kind, value, lang)
    return f"{label}: {shown}" if shown else label


def segments(text: str, found: list[Suggestion]) -> list[tuple[str, list[int]]]:
    """The text cut where suggestions start and end: each piece with the indices of the suggestions it is in."""
    cuts = sorted({0, len(text), *(s.start for s in found), *(s.end for s in found)})
    pieces = []
    for a, b in pairwise(cuts):
        pieces.append((text[a:b], [i for i, s in enumerate(found) if s.start <= a and b <= s.end]))
    return pieces
