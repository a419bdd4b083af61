"""The language the command line speaks: --lang, else DUTYCARE_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG).

A locale that names Russian (ru_RU.UTF-8, ru) gives Russian; any other, or none (C, POSIX), gives English, the
language scripts and logs expect. The messages are those of the web catalogues (entrypoints/web/i18n), which
hold the command line's messages as well, so both speak with one vocabulary and one date formatter.
"""

from __future__ import annotations

import os
from functools import cache

import typer

try:  # Typer 0.26 and later carry their own copy of Click, with its own stack of contexts
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - Typer on the Click package
    from click import get_current_context  # type: ignore[no-redef]

from dutycare.entrypoints.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, load_translations
from dutycare.entrypoints.web.labels import RECORD_KINDS, labeller, problem_translator

LANG_ENV = "DUTYCARE_LANG"
LOCALE_ENVS = ("LC_ALL", "LC_MESSAGES", "LANG")
META_KEY = "dutycare.lang"


def language_of(value: str | None) -> str | None:
    """The language a --lang value or locale names (ru_RU.UTF-8 → ru), or None when it names neither."""
    if not value:
        return None
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    if code in LANGUAGES:
        return code
    return "en" if code in ("c", "posix") else None


def chosen_language(explicit: str | None = None) -> str:
    """The language of this run: an explicit --lang, DUTYCARE_LANG, the locale, else English."""
    ctx = get_current_context(silent=True)
    given = explicit or (ctx.find_root().meta.get(META_KEY) if ctx is not None else None)
    for value in (given, os.environ.get(LANG_ENV)):
        found = language_of(value)
        if found:
            return found
    for name in LOCALE_ENVS:  # POSIX: the first of these that is set decides
        value = os.environ.get(name)
        if value:
            return language_of(value) or "en"
    return "en"


def use_language(value: str | None) -> None:
    """Speak this language for the rest of the run (a command's own --lang); None keeps the choice as it is."""
    if not value:
        return
    if language_of(value) not in LANGUAGES:
        raise typer.BadParameter(f"'{value}' is not a language dutycare speaks; use ru or en", param_hint="--lang")
    ctx = get_current_context(silent=True)
    if ctx is not None:
        ctx.find_root().meta[META_KEY] = value


@cache
def _translators() -> dict[str, Translator]:
    """The catalogues, compiled on first use (never at import)."""
    return {lang: Translator(lang, t) for lang, t in load_translations().items()}


def translator(explicit: str | None = None) -> Translator:
    """The translator of this run's language."""
    lang = chosen_language(explicit)
    return _translators()[lang if lang in LANGUAGES else DEFAULT_LANGUAGE]


def _(message: str) -> str:
    """A message in this run's language."""
    return translator().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """A message with a count in this run's language (Russian has three forms)."""
    return translator().ngettext(singular, plural, n)


def label(value: str | None, lang: str | None = None) -> str:
    """A vocabulary value (status, role, choice, field name) as words of this run's language."""
    return labeller(translator(lang).gettext)(value)


def record_kind(kind: str) -> str:
    """A kind of record as a count names it: people, cases, events."""
    return translator().gettext(RECORD_KINDS[kind]) if kind in RECORD_KINDS else label(kind)


def said(message: str) -> str:
    """A message of the domain or the services (written in English) in this run's language where it is known; in
    English, word for word as they wrote it (scripts may match it)."""
    tr = translator()
    return message if tr.lang == "en" else problem_translator(tr.gettext)(message)


def quoted(text: str) -> str:
    """A reader's own input quoted as this run's language quotes it: 'so' in English (as scripts saw it), «так» in
    Russian."""
    return repr(text) if translator().lang == "en" else f"«{text}»"
