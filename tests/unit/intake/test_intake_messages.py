"""Every text of the public form exists in Russian, Ukrainian and English, with the same placeholders."""

from __future__ import annotations

import re

from dutycare.entrypoints.intake.messages import LANGUAGES, M, Texts, choose_language


def test_every_text_in_every_language_with_the_same_placeholders() -> None:
    for key, texts in M.items():
        assert set(texts) == set(LANGUAGES), key
        placeholders = {lang: set(re.findall(r"%\((\w+)\)s", text)) for lang, text in texts.items()}
        assert len({frozenset(p) for p in placeholders.values()}) == 1, key
        assert all(t.strip() for t in texts.values()), key


def test_the_language_comes_from_the_form_then_the_browser_then_russian() -> None:
    assert choose_language("uk", "en") == "uk"
    assert choose_language(None, "de-DE,de;q=0.9,en;q=0.8") == "en"
    assert choose_language("xx", "") == "ru"
    assert Texts("uk")("send") == "Надіслати"
    assert Texts("en").day("2024-03-05") == "March 5, 2024"
    assert Texts("ru").day("2024-03-05").replace("\u202f", " ") == "5 марта 2024 г."
