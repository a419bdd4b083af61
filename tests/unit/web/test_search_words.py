"""Search words are normalised alike in the index and the query: case, ё, light inflection."""

from __future__ import annotations

from dutycare.service_layer.search import normalise, query_words, record_words, words


def test_russian_inflections_meet() -> None:
    assert normalise("колена") == normalise("колено") == normalise("Колену")
    assert normalise("симулянтом") == normalise("симулянт")
    assert normalise("Ёлка") == normalise("елки")
    assert normalise("операции") == normalise("операция")


def test_english_inflections_meet() -> None:
    assert normalise("surgeries") == normalise("surgery") or normalise("surgeries").startswith("surger")
    assert normalise("refused") == normalise("refuses") == "refus"


def test_short_words_and_punctuation() -> None:
    assert words("А, в — и: ВВК!") == {"ввк"}
    assert query_words("колено колена") == [normalise("колено")]


def test_identifying_fields_are_never_indexed() -> None:
    person = {"pseudonym": "Максим", "full_name": "Иванов Иван", "contacts": "+7 900", "notes": "тайна"}
    assert record_words("person", person) == {normalise("Максим")}
