"""The intake form as an XLSForm workbook (openpyxl), for ODK Collect and KoBoCollect to collect offline."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from dutycare.domain.intake_form import (
    DEFAULT_LANGUAGE,
    FORM_ID,
    FORM_VERSION,
    LANGUAGES,
    QUESTIONS,
    Question,
    QuestionKind,
)

FORM_TITLE = "dutycare: рассказ об отказе в лечении"
IMAGE_PIXELS = 2000  # a document stays legible; a phone's full-size photo would make sending slow


def _lang_column(column: str, lang: str) -> str:
    """XLSForm's per-language column: ``label::Русский (ru)``."""
    return f"{column}::{LANGUAGES[lang]} ({lang})"


def _survey_row(q: Question) -> list[object]:
    row: list[object] = [q.kind.value, q.name]
    row += [q.label[lang] for lang in LANGUAGES]
    row += [q.hint.get(lang, "") for lang in LANGUAGES]
    row.append("yes" if q.required else "")
    row.append("multiline" if q.multiline else "")
    row.append(f"string-length(.) <= {q.max_chars}" if q.max_chars else "")
    row += [_too_long(lang, q.max_chars) if q.max_chars else "" for lang in LANGUAGES]
    row.append(f"max-pixels={IMAGE_PIXELS}" if q.kind is QuestionKind.IMAGE else "")
    return row


def _too_long(lang: str, limit: int) -> str:
    return {"ru": f"Не более {limit} знаков.", "uk": f"Не більше {limit} знаків.",
            "en": f"At most {limit} characters."}[lang]


def survey_header() -> list[str]:
    """The survey sheet's columns."""
    header = ["type", "name"]
    header += [_lang_column("label", lang) for lang in LANGUAGES]
    header += [_lang_column("hint", lang) for lang in LANGUAGES]
    header += ["required", "appearance", "constraint"]
    header += [_lang_column("constraint_message", lang) for lang in LANGUAGES]
    header.append("parameters")
    return header


def write_xlsform(path: Path) -> None:
    """Write the intake form as an XLSForm workbook: survey, choices and settings sheets."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(survey_header())
    for q in QUESTIONS:
        survey.append(_survey_row(q))
    survey.append(["start", "start"] + [""] * (len(survey_header()) - 2))
    survey.append(["end", "end"] + [""] * (len(survey_header()) - 2))
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name"] + [_lang_column("label", lang) for lang in LANGUAGES])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language", "instance_name"])
    settings.append([FORM_TITLE, FORM_ID, FORM_VERSION, f"{LANGUAGES[DEFAULT_LANGUAGE]} ({DEFAULT_LANGUAGE})",
                     "concat('Рассказ ', substr(${end}, 0, 10))"])
    book.save(path)
