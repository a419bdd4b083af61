"""The intake form's questions, declared once: the XLSForm for offline collection (ODK Collect, KoBoCollect) is
built from this, and submissions collected with it are read back by the same names.

The names are those of the public intake form (account, injured, when, where, decision, contact), so a
submission collected in the field reaches the triage queue in the same shape as one sent through the web form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

FORM_ID = "dutycare_intake"
FORM_VERSION = "2026120101"  # raise it whenever a question changes: ODK keeps forms apart by id and version
LANGUAGES: Mapping[str, str] = {"ru": "Русский", "uk": "Українська", "en": "English"}
DEFAULT_LANGUAGE = "ru"


class QuestionKind(StrEnum):
    """What kind of answer a question takes (XLSForm's type names)."""

    NOTE = "note"
    TEXT = "text"
    IMAGE = "image"


@dataclass(frozen=True)
class Question:
    """One question of the form: its name, kind, labels and hints per language, and how long an answer may be."""

    name: str
    kind: QuestionKind
    label: Mapping[str, str]
    hint: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    max_chars: int = 0
    multiline: bool = False

    @property
    def sensitive(self) -> bool:
        """Whether the answer says how to reach a person (kept apart from the account)."""
        return self.name == "contact"


def _q(name: str, kind: QuestionKind, ru: str, uk: str, en: str, *, hint: tuple[str, str, str] | None = None,
       required: bool = False, max_chars: int = 0, multiline: bool = False) -> Question:
    hints = dict(zip(("ru", "uk", "en"), hint, strict=True)) if hint else {}
    return Question(name, kind, {"ru": ru, "uk": uk, "en": en}, hints, required, max_chars, multiline)


ACCOUNT_CHARS = 20_000
FIELD_CHARS = 500
CONTACT_CHARS = 1_000

QUESTIONS: tuple[Question, ...] = (
    _q("intro", QuestionKind.NOTE,
       "Рассказ о том, как раненому или больному военнослужащему отказали в лечении. Обязателен только сам "
       "рассказ. Не записывайте того, что человек не хочет сообщать.",
       "Розповідь про те, як пораненому чи хворому військовослужбовцю відмовили в лікуванні. Обов'язкова лише "
       "сама розповідь. Не записуйте того, чого людина не хоче повідомляти.",
       "An account of how a wounded or sick service member was refused care. Only the account itself is "
       "required. Do not write down anything the person does not want to tell."),
    _q("account", QuestionKind.TEXT, "Что произошло — словами рассказчика", "Що сталося — словами оповідача",
       "What happened, in the teller's own words",
       hint=("Кто пострадал, когда и где, что сказали врачи и комиссия, что было дальше.",
             "Хто постраждав, коли і де, що сказали лікарі та комісія, що було далі.",
             "Who was hurt, when and where, what the doctors and the commission said, what came next."),
       required=True, max_chars=ACCOUNT_CHARS, multiline=True),
    _q("injured", QuestionKind.TEXT, "Кто ранен или травмирован", "Хто поранений або травмований",
       "Who was wounded or injured", hint=("Например: сын, 24 года, по контракту.",
                                           "Наприклад: син, 24 роки, за контрактом.",
                                           "For example: son, 24, contract soldier."), max_chars=FIELD_CHARS),
    _q("when", QuestionKind.TEXT, "Когда это было", "Коли це було", "When it happened",
       hint=("Можно приблизительно: «в марте 2024», «осенью».", "Можна приблизно: «у березні 2024», «восени».",
             "Roughly is fine: “March 2024”, “in the autumn”."), max_chars=FIELD_CHARS),
    _q("where", QuestionKind.TEXT, "Госпиталь, больница или военно-врачебная комиссия",
       "Госпіталь, лікарня або військово-лікарська комісія", "Hospital, clinic or military medical commission",
       max_chars=FIELD_CHARS),
    _q("decision", QuestionKind.TEXT, "Что решили врачи или комиссия", "Що вирішили лікарі або комісія",
       "What the doctors or the commission decided",
       hint=("Например: «признали годным», «отказали в операции».",
             "Наприклад: «визнали придатним», «відмовили в операції».",
             "For example: “found fit”, “surgery refused”."), max_chars=FIELD_CHARS),
    _q("photo", QuestionKind.IMAGE, "Фото документа (необязательно)", "Фото документа (необов'язково)",
       "Photo of a document (optional)",
       hint=("Снимок справки, выписки или заключения ВВК.", "Знімок довідки, виписки або висновку ВЛК.",
             "A picture of a certificate, discharge summary or commission finding.")),
    _q("contact", QuestionKind.TEXT, "Как безопасно связаться (необязательно)",
       "Як безпечно зв'язатися (необов'язково)", "How to reach them safely (optional)",
       hint=("Например, Signal или почта, и когда лучше писать. Хранится отдельно и не публикуется.",
             "Наприклад, Signal або пошта, і коли краще писати. Зберігається окремо й не публікується.",
             "For example Signal or e-mail, and when best to write. Kept apart and never published."),
       max_chars=CONTACT_CHARS),
)

FACT_QUESTIONS = ("injured", "when", "where", "decision")
ANSWERED = tuple(q.name for q in QUESTIONS if q.kind is not QuestionKind.NOTE)


@dataclass(frozen=True)
class FieldSubmission:
    """One account collected offline with the form, as read from the collection tool's export."""

    instance_id: str
    submitted_on: str | None  # the day only (YYYY-MM-DD), when the export says it
    lang: str
    account: str
    facts: Mapping[str, str]
    contact: str = ""
    attachments: tuple[str, ...] = ()

    def document(self) -> dict[str, object]:
        """The account as the triage queue keeps it (the same document as the web form's)."""
        return {"v": 1, "lang": self.lang, "account": self.account, "facts": dict(self.facts), "attachments": [],
                "collected": {"tool": "odk", "instance": self.instance_id, "on": self.submitted_on,
                              "photos": list(self.attachments)}}
