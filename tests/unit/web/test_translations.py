"""Every message of the templates and the web code has a Russian translation, with the same placeholders."""

from __future__ import annotations

import re

from dutycare.entrypoints.web.i18n import LANGUAGES, extract_messages, read_catalogue

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_message_has_a_russian_translation() -> None:
    catalogue = read_catalogue("ru")
    missing, mismatched = [], []
    found = list(extract_messages())
    assert len(found) > 200
    for message, filename, line in found:
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key)
        strings = entry.string if entry is not None else ""
        strings = list(strings) if isinstance(strings, tuple) else [strings]
        if not all(strings):
            missing.append(f"{filename}:{line}: {key!r}")
            continue
        wanted = set(PLACEHOLDER.findall(key))
        if any(set(PLACEHOLDER.findall(s)) != wanted for s in strings):
            mismatched.append(f"{filename}:{line}: {key!r}")
    assert not missing, "messages without a Russian translation (run python -m dutycare.entrypoints.web.i18n, " \
                        "then translate):\n" + "\n".join(missing)
    assert not mismatched, "translations with other placeholders:\n" + "\n".join(mismatched)


def test_catalogues_exist_for_every_language() -> None:
    for lang in LANGUAGES:
        assert len(read_catalogue(lang)) > 200


def test_docs_show_the_current_role_table() -> None:
    from pathlib import Path

    from dutycare.service_layer.access import render_role_table

    doc = (Path(__file__).resolve().parents[3] / "docs" / "web.md").read_text(encoding="utf-8")
    assert render_role_table() in doc, "docs/web.md's role table is stale: paste render_role_table() into it"


def test_problems_storage_cannot_hold_are_told_in_russian() -> None:
    from dutycare.domain.limits import NUL_FAULT, SURROGATE_FAULT
    from dutycare.entrypoints.web.i18n import load_translations
    from dutycare.entrypoints.web.labels import problem_translator

    translate = problem_translator(load_translations()["ru"].gettext)
    assert translate(SURROGATE_FAULT).startswith("содержит испорченный символ")
    assert translate(NUL_FAULT) == "содержит символ NUL, который нельзя сохранить"
    assert translate("is 250 characters long; at most 200") == "длина 250 символов; допускается не более 200"
    assert translate("is 81 characters long; ids may have at most 80").endswith("не более 80")
    assert translate("is too large; at most 9007199254740991 (2**53 - 1)") == (
        "слишком большое число; допускается не более 9007199254740991")


def test_numbers_are_written_as_babel_writes_them() -> None:
    from babel.numbers import format_decimal

    from dutycare.entrypoints.web.i18n import Translator, load_translations

    translations = load_translations()
    for lang in LANGUAGES:
        tr = Translator(lang, translations[lang])
        for value in [*range(-3, 1100), 12_345, 1_234_567, 0.5, 12.25]:
            assert tr.number(value) == format_decimal(value, locale=lang), (lang, value)


def test_every_vocabulary_value_and_detail_field_has_a_russian_and_an_english_label() -> None:
    from enum import StrEnum

    from dutycare.domain import vocabulary
    from dutycare.domain.events import EVENT_SPECS
    from dutycare.entrypoints.web.i18n import load_translations
    from dutycare.entrypoints.web.labels import CHOICE_LABELS, FIELD_LABELS, RELIABILITY_LABELS

    ru = load_translations()["ru"].gettext
    enums = [e for e in vars(vocabulary).values()
             if isinstance(e, type) and issubclass(e, StrEnum) and e not in (StrEnum, vocabulary.FitnessCategory)]
    values = {m.value for e in enums for m in e}
    fields = {f.name for spec in EVENT_SPECS.values() for f in spec.fields}
    labels = CHOICE_LABELS | RELIABILITY_LABELS
    assert not sorted(values - labels.keys()), "vocabulary values without a label in labels.CHOICE_LABELS"
    assert not sorted(fields - FIELD_LABELS.keys()), "detail fields without a label in labels.FIELD_LABELS"
    english = {v: labels[v] for v in values} | {f: FIELD_LABELS[f] for f in fields}
    untranslated = sorted(k for k, message in english.items() if ru(message) == message and message.isascii())
    assert not untranslated, f"labels without a Russian translation: {untranslated}"
