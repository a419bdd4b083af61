"""The language work behind suggested facts: words and their lemmas (pymorphy3), sentences (razdel), exact dates
and people's names (natasha). Models load on the first text, once per suggester; nothing loads at import time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from dutycare.domain.fact_rules import suggest_from
from dutycare.domain.suggested_facts import Analysis, FoundDate, FoundName, Suggestion, Token
from dutycare.service_layer.ports import FactSuggester

WORD = re.compile(r"\w+(?:[-/.]\w+)*", re.UNICODE)
MAX_TEXT = 200_000  # characters analysed of one account; a longer one is read up to here
MAX_NAME = 120


@dataclass(frozen=True)
class _Models:
    """The loaded language models."""

    morph: Any
    dates: Any
    segmenter: Any
    ner: Any
    tagger: Any
    vocab: Any


def _load() -> _Models:
    import pymorphy3  # type: ignore[import-untyped]
    from natasha import (  # type: ignore[import-untyped]
        DatesExtractor,
        MorphVocab,
        NewsEmbedding,
        NewsMorphTagger,
        NewsNERTagger,
        Segmenter,
    )

    vocab = MorphVocab()
    embedding = NewsEmbedding()
    return _Models(pymorphy3.MorphAnalyzer(), DatesExtractor(vocab), Segmenter(), NewsNERTagger(embedding),
                   NewsMorphTagger(embedding), vocab)


class NatashaFactSuggester(FactSuggester):
    """Suggests facts from Russian text: natasha and pymorphy3 underneath, the domain's rules on top."""

    def __init__(self) -> None:
        self._models: _Models | None = None
        self._lemmas: dict[str, str] = {}

    @property
    def models(self) -> _Models:
        """The language models, loaded on first use."""
        if self._models is None:
            self._models = _load()
        return self._models

    def suggest(self, text: str, known_date: date | None = None) -> list[Suggestion]:
        """Every fact suggested from the text (offsets into the text as given)."""
        return suggest_from(self.analyse(text), known_date)

    def analyse(self, text: str) -> Analysis:
        """The text as words with lemmas, sentences, dates and names."""
        text = text[:MAX_TEXT]
        if not text.strip():
            return Analysis(text, (), ())
        models = self.models
        tokens = [Token(m.start(), m.end(), m.group().lower().replace("ё", "е"), self._lemma(m.group()))
                  for m in WORD.finditer(text)]
        return Analysis(text, tokens, self._sentences(text), self._dates(text), self._names(text, models))

    def _lemma(self, word: str) -> str:
        lower = word.lower().replace("ё", "е")
        if lower not in self._lemmas:
            parses = self.models.morph.parse(lower)
            lemma = parses[0].normal_form if parses else lower
            self._lemmas[lower] = str(lemma).replace("ё", "е")
        return self._lemmas[lower]

    def _is_name(self, word: str) -> bool:
        """Whether a single word can be a person's name (pymorphy3 tags it as a first name, surname or patronymic)."""
        return word[:1].isupper() and any({"Name", "Surn", "Patr"} & set(p.tag.grammemes)
                                          for p in self.models.morph.parse(word))

    def _sentences(self, text: str) -> list[tuple[int, int]]:
        from razdel import sentenize  # type: ignore[import-untyped]

        spans = []
        for s in sentenize(text):
            for part in _lines(text, s.start, s.stop):
                spans.append(part)
        return spans

    def _dates(self, text: str) -> list[FoundDate]:
        return [FoundDate(m.start, m.stop, m.fact.year, m.fact.month, m.fact.day) for m in self.models.dates(text)]

    def _names(self, text: str, models: _Models) -> list[FoundName]:
        from natasha import Doc

        doc = Doc(text)
        doc.segment(models.segmenter)
        doc.tag_ner(models.ner)
        if any(span.type == "PER" for span in doc.spans):
            doc.tag_morph(models.tagger)
        names = []
        for span in doc.spans:
            if span.type != "PER":
                continue
            surface = text[span.start:span.stop]
            if len(WORD.findall(surface)) < 2 and not self._is_name(surface):
                continue  # «Начмед», «Служу» at a sentence's start
            span.normalize(models.vocab)
            names.append(FoundName(span.start, span.stop, str(span.normal or surface)[:MAX_NAME]))
        return names


def _lines(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """A sentence split further at blank lines and line breaks (accounts are often written without full stops)."""
    out = []
    at = start
    for m in re.finditer(r"\n", text[start:stop]):
        end = start + m.start()
        if text[at:end].strip():
            out.append((at, end))
        at = end + 1
    if text[at:stop].strip():
        out.append((at, stop))
    return out
