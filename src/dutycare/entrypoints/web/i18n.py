"""Russian and English: gettext catalogues (compiled in memory at start-up) and Babel formatting per locale.

Messages are written in English in the code and templates; `i18n/ru/LC_MESSAGES/messages.po` translates them.
`python -m dutycare.entrypoints.web.i18n` refreshes both catalogues from the sources (new messages are added
with an empty translation, which the translation test then reports).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import NumberPattern, parse_pattern
from babel.support import Translations

from dutycare.domain.dates import DateParseError, PartialDate, Precision

LANGUAGES = ("ru", "en")
SOURCE_PACKAGES = ("web", "cli")
"""The entrypoint packages whose messages the catalogues hold (the pages and the command line)."""
DEFAULT_LANGUAGE = "ru"
HERE = Path(__file__).resolve().parent
CATALOGUES = HERE / "i18n"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where it is shown."""
    return message


def catalogue_path(lang: str) -> Path:
    """Where a language's catalogue lives."""
    return CATALOGUES / lang / "LC_MESSAGES" / "messages.po"


def read_catalogue(lang: str) -> Catalog:
    """A language's catalogue as Babel reads it."""
    with catalogue_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def load_translations() -> dict[str, Translations]:
    """Every language's translations, compiled in memory (no .mo files to keep in step)."""
    out: dict[str, Translations] = {}
    for lang in LANGUAGES:
        buffer = io.BytesIO()
        write_mo(buffer, read_catalogue(lang))
        buffer.seek(0)
        out[lang] = Translations(buffer)
    return out


Message = str | tuple[str, ...]


def extract_messages() -> Iterator[tuple[Message, str, int]]:
    """Every translatable message (a text, or singular and plural) in the web package: (message, file, line)."""
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "encoding": "utf-8"}}
    for package in SOURCE_PACKAGES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(HERE.parent / package), METHODS, options_map=options, keywords=KEYWORDS):
            if isinstance(message, tuple):
                message = tuple(m for m in message if m)
            if message:
                yield message, f"{package}/{filename}", lineno


@dataclass(frozen=True)
class Translator:
    """One language: its messages and its formats for dates and numbers."""

    lang: str
    translations: Translations

    def gettext(self, message: str) -> str:
        """A message in this language."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """A message with a count in this language (Russian has three plural forms)."""
        return self.translations.ngettext(singular, plural, n)

    @cached_property
    def locale(self) -> Locale:
        """The Babel locale."""
        return Locale.parse(self.lang)

    @cached_property
    def _decimal_pattern(self) -> NumberPattern:
        # Parsed once: format_decimal would look up the locale and parse its pattern on every number of a list.
        return parse_pattern(self.locale.decimal_formats[None])

    def date(self, value: date | None, fmt: str = "medium") -> str:
        """A date as this language writes it."""
        return "" if value is None else format_date(value, format=fmt, locale=self.lang)

    def datetime(self, value: datetime | str | None, fmt: str = "medium") -> str:
        """A moment (a datetime or its ISO text) as this language writes it."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return format_datetime(value, format=fmt, locale=self.lang)

    def partial_date(self, when: PartialDate | str | None) -> str:
        """A date that may be partial or approximate, as this language writes it."""
        return partial_date(when, self.lang)

    def number(self, value: int | float) -> str:
        """A number with this language's grouping."""
        if isinstance(value, int) and 0 <= value < 1000:  # most numbers on a page: no grouping, Latin digits
            return str(value)
        return str(self._decimal_pattern.apply(value, self.locale))  # Babel's patterns are not annotated


_POINT_FORMATS = {  # (exact, approximate) Babel patterns per precision; L is the stand-alone (nominative) month
    "ru": {Precision.DAY: ("d MMMM y", "'около' d MMMM y"), Precision.MONTH: ("LLLL y", "'около' MMMM y")},
    "en": {Precision.DAY: ("d MMMM y", "'about' d MMMM y"), Precision.MONTH: ("LLLL y", "'about' LLLL y")},
}
_YEAR_FORMATS = {"ru": ("{} год", "около {} года"), "en": ("{}", "about {}")}
_APPROXIMATE_RANGE = {"ru": "приблизительно {}", "en": "approximately {}"}


def _point_text(when: PartialDate, lang: str, approximate: bool) -> str:
    if when.precision is Precision.YEAR:
        return _YEAR_FORMATS[lang][approximate].format(when.earliest.year)
    pattern = _POINT_FORMATS[lang][when.precision][approximate]
    return format_date(when.earliest, format=pattern, locale=lang)


def partial_date(when: PartialDate | str | None, lang: str) -> str:
    """A date as recorded, as a reader of the language writes it: «14 марта 2024», «март 2024»,
    «около октября 2023», «2023 год», «февраль 2024 – апрель 2024»; the one formatter of pages and the CLI."""
    if when is None or when == "":
        return ""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    try:
        when = when if isinstance(when, PartialDate) else PartialDate.parse(when)
    except DateParseError:
        return str(when)
    if when.precision is not Precision.RANGE:
        return _point_text(when, lang, when.approximate)
    try:  # each end keeps the precision it was recorded with, which only the text holds
        ends = [PartialDate.parse(part.strip()) for part in when.text.lstrip("~").split("/")]
    except DateParseError:
        ends = [PartialDate.exact(when.earliest), PartialDate.exact(when.latest)]
    text = " – ".join(_point_text(end, lang, False) for end in ends)
    if lang == "ru" and all(end.precision is Precision.YEAR for end in ends):
        text = f"{ends[0].earliest.year} – {ends[1].earliest.year} гг."
    return _APPROXIMATE_RANGE[lang].format(text) if when.approximate else text


def refresh_catalogues() -> None:
    """Add newly extracted messages to every catalogue and drop those no longer used (translations kept)."""
    found: dict[Message, list[tuple[str, int]]] = {}
    for text, filename, line in extract_messages():
        found.setdefault(text, []).append((filename, line))
    for lang in LANGUAGES:
        path = catalogue_path(lang)
        old = read_catalogue(lang) if path.exists() else Catalog(locale=lang)
        new = Catalog(locale=lang, project="dutycare", charset="utf-8")
        for text, where in sorted(found.items(), key=lambda item: str(item[0])):
            key = text[0] if isinstance(text, tuple) else text
            kept = old.get(key)
            empty: str | tuple[str, ...] = ("",) * new.num_plurals if isinstance(text, tuple) else ""
            string = kept.string if kept is not None and type(kept.string) is type(empty) else empty
            new.add(text, string, locations=where[:3])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, new, width=120, omit_header=False, sort_output=True)


if __name__ == "__main__":
    refresh_catalogues()
    sys.stdout.write("catalogues refreshed: " + ", ".join(str(catalogue_path(x)) for x in LANGUAGES) + "\n")
