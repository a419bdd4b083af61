"""Every text of the public intake form, in Russian, Ukrainian and English (a test checks all three exist).

The form is a separate application from the staff pages and shares none of their catalogues: it is small, its
readers are the people concerned, and Ukrainian is needed here first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from babel.dates import format_date

LANGUAGES = ("ru", "uk", "en")
DEFAULT_LANGUAGE = "ru"
LANGUAGE_NAMES = {"ru": "Русский", "uk": "Українська", "en": "English"}

M: Mapping[str, Mapping[str, str]] = {
    "title": {
        "ru": "Рассказать о своём случае",
        "uk": "Розповісти про свій випадок",
        "en": "Tell us what happened",
    },
    "intro": {
        "ru": "Здесь можно рассказать, как раненому военнослужащему отказали в лечении или не оказали "
              "медицинскую помощь. Регистрация не нужна. Ваш рассказ шифруется сразу при получении: прочитать его "
              "могут только сотрудники организации с отдельным ключом, даже сам этот сервер не может.",
        "uk": "Тут можна розповісти, як пораненому військовослужбовцю відмовили в лікуванні або не надали "
              "медичну допомогу. Реєстрація не потрібна. Вашу розповідь шифрують одразу після отримання: прочитати "
              "її можуть лише працівники організації з окремим ключем, навіть сам цей сервер не може.",
        "en": "Here you can tell us how a wounded service member was refused treatment or medical care. No "
              "account is needed. Your account is encrypted the moment it arrives: only the organisation's staff, "
              "with a separate key, can read it; this server itself cannot.",
    },
    "safety": {
        "ru": "Для большей безопасности откройте эту страницу в Tor Browser. Не указывайте того, что не хотите "
              "сообщать; все поля, кроме рассказа, необязательны.",
        "uk": "Для більшої безпеки відкрийте цю сторінку в Tor Browser. Не вказуйте того, чого не хочете "
              "повідомляти; усі поля, крім розповіді, необов'язкові.",
        "en": "For more safety, open this page in Tor Browser. Leave out anything you do not want to tell; every "
              "field but the account is optional.",
    },
    "account": {
        "ru": "Что произошло — своими словами",
        "uk": "Що сталося — своїми словами",
        "en": "What happened, in your own words",
    },
    "account_help": {
        "ru": "Кто пострадал, когда и где, что сказали врачи и комиссия, что было потом.",
        "uk": "Хто постраждав, коли й де, що сказали лікарі та комісія, що було потім.",
        "en": "Who was hurt, when and where, what the doctors and the commission said, what happened next.",
    },
    "facts": {
        "ru": "Если хотите, уточните (необязательно)",
        "uk": "Якщо бажаєте, уточніть (необов'язково)",
        "en": "If you wish, add some details (optional)",
    },
    "injured": {
        "ru": "Кто был ранен или травмирован",
        "uk": "Хто був поранений або травмований",
        "en": "Who was wounded or injured",
    },
    "injured_help": {
        "ru": "Например: «мой сын, 24 года, контрактник».",
        "uk": "Наприклад: «мій син, 24 роки, контрактник».",
        "en": "For example: “my son, 24, a contract soldier”.",
    },
    "when": {"ru": "Когда это было", "uk": "Коли це було", "en": "When it happened"},
    "when_help": {
        "ru": "Можно приблизительно: «в марте 2024», «осенью».",
        "uk": "Можна приблизно: «у березні 2024», «восени».",
        "en": "Roughly is fine: “March 2024”, “in the autumn”.",
    },
    "where": {
        "ru": "Госпиталь, больница или военно-врачебная комиссия",
        "uk": "Госпіталь, лікарня або військово-лікарська комісія",
        "en": "Hospital or military medical commission",
    },
    "decision": {
        "ru": "Что решили (например, «признали годным», «отказали в операции»)",
        "uk": "Що вирішили (наприклад, «визнали придатним», «відмовили в операції»)",
        "en": "What was decided (e.g. “found fit”, “surgery refused”)",
    },
    "files": {
        "ru": "Фотографии или сканы документов (необязательно)",
        "uk": "Фотографії або скани документів (необов'язково)",
        "en": "Photos or scans of documents (optional)",
    },
    "files_help": {
        "ru": "До %(count)s файлов JPEG, PNG, WebP, HEIC или PDF, каждый до %(size)s МБ. Фото могут содержать "
              "место съёмки: если можете, сделайте снимок экрана вместо исходного фото.",
        "uk": "До %(count)s файлів JPEG, PNG, WebP, HEIC або PDF, кожен до %(size)s МБ. Фото можуть містити "
              "місце зйомки: якщо можете, зробіть знімок екрана замість оригінального фото.",
        "en": "Up to %(count)s JPEG, PNG, WebP, HEIC or PDF files, each up to %(size)s MB. Photos may record where "
              "they were taken: if you can, send a screenshot instead of the original photo.",
    },
    "contact": {
        "ru": "Как с вами безопасно связаться (необязательно)",
        "uk": "Як з вами безпечно зв'язатися (необов'язково)",
        "en": "How to reach you safely (optional)",
    },
    "contact_help": {
        "ru": "Например, Signal или почта, и когда лучше писать. Контакты хранятся отдельно и никогда не "
              "публикуются. Можно не указывать: ответ вы прочтёте здесь по коду квитанции.",
        "uk": "Наприклад, Signal або пошта, і коли краще писати. Контакти зберігаються окремо й ніколи не "
              "публікуються. Можна не вказувати: відповідь ви прочитаєте тут за кодом квитанції.",
        "en": "For example Signal or e-mail, and when it is best to write. Contacts are kept apart and never "
              "published. You may leave this out: you can read our reply here with your receipt code.",
    },
    "honeypot": {
        "ru": "Не заполняйте это поле",
        "uk": "Не заповнюйте це поле",
        "en": "Do not fill in this field",
    },
    "send": {"ru": "Отправить", "uk": "Надіслати", "en": "Send"},
    "wait_note": {
        "ru": "Форма принимает ответ не раньше чем через %(seconds)s с. после открытия — так мы отсеиваем "
              "автоматические рассылки.",
        "uk": "Форма приймає відповідь не раніше ніж через %(seconds)s с після відкриття — так ми відсіюємо "
              "автоматичні розсилки.",
        "en": "The form accepts a submission no sooner than %(seconds)s s after it was opened: this keeps out "
              "automated floods.",
    },
    "have_code": {
        "ru": "Уже отправляли? Прочитать ответ или дополнить рассказ по коду квитанции",
        "uk": "Уже надсилали? Прочитати відповідь або доповнити розповідь за кодом квитанції",
        "en": "Sent something already? Read our reply or add to it with your receipt code",
    },
    "received_title": {"ru": "Рассказ получен", "uk": "Розповідь отримано", "en": "Your account was received"},
    "received_text": {
        "ru": "Спасибо. Ваш рассказ зашифрован и сохранён. Ниже — код квитанции. Он показывается только один "
              "раз: запишите его и храните в безопасном месте. С ним можно прочитать наш ответ и дополнить "
              "рассказ. Без кода восстановить доступ нельзя.",
        "uk": "Дякуємо. Вашу розповідь зашифровано й збережено. Нижче — код квитанції. Його показують лише один "
              "раз: запишіть його й зберігайте в безпечному місці. З ним можна прочитати нашу відповідь і "
              "доповнити розповідь. Без коду відновити доступ неможливо.",
        "en": "Thank you. Your account is encrypted and stored. Below is your receipt code. It is shown only "
              "once: write it down and keep it somewhere safe. With it you can read our reply and add to your "
              "account. Without it, access cannot be restored.",
    },
    "receipt_code": {"ru": "Код квитанции", "uk": "Код квитанції", "en": "Receipt code"},
    "received_files": {
        "ru": "Приложено файлов: %(count)s.",
        "uk": "Додано файлів: %(count)s.",
        "en": "Files attached: %(count)s.",
    },
    "check_title": {
        "ru": "Ответ по коду квитанции",
        "uk": "Відповідь за кодом квитанції",
        "en": "Your reply, by receipt code",
    },
    "check_text": {
        "ru": "Введите код, который вы получили после отправки рассказа.",
        "uk": "Введіть код, який ви отримали після надсилання розповіді.",
        "en": "Enter the code you were given when you sent your account.",
    },
    "open": {"ru": "Открыть", "uk": "Відкрити", "en": "Open"},
    "no_such_code": {
        "ru": "По этому коду ничего не открылось. Проверьте код и попробуйте ещё раз.",
        "uk": "За цим кодом нічого не відкрилося. Перевірте код і спробуйте ще раз.",
        "en": "Nothing opened with this code. Check the code and try again.",
    },
    "replies": {"ru": "Ответы организации", "uk": "Відповіді організації", "en": "Replies from the organisation"},
    "no_replies": {
        "ru": "Ответа пока нет. Загляните позже.",
        "uk": "Відповіді поки немає. Зазирніть пізніше.",
        "en": "There is no reply yet. Please look again later.",
    },
    "reply_on": {"ru": "Ответ от %(day)s", "uk": "Відповідь від %(day)s", "en": "Reply of %(day)s"},
    "add_title": {"ru": "Дополнить рассказ", "uk": "Доповнити розповідь", "en": "Add to your account"},
    "addition": {"ru": "Что вы хотите добавить", "uk": "Що ви хочете додати", "en": "What you want to add"},
    "added": {
        "ru": "Дополнение зашифровано и сохранено.",
        "uk": "Доповнення зашифровано й збережено.",
        "en": "Your addition is encrypted and stored.",
    },
    "back": {"ru": "На главную", "uk": "На головну", "en": "Back to the form"},
    "problems": {
        "ru": "Форма не отправлена — исправьте, пожалуйста:",
        "uk": "Форму не надіслано — виправте, будь ласка:",
        "en": "The form was not sent; please correct:",
    },
    "files_again": {
        "ru": "Ваш текст сохранён в форме ниже; файлы, если были, прикрепите ещё раз.",
        "uk": "Ваш текст збережено у формі нижче; файли, якщо були, прикріпіть ще раз.",
        "en": "Your text is kept in the form below; attach the files again, if any.",
    },
    # -- problems with one field -------------------------------------------------------------------------
    "p_account_empty": {
        "ru": "«Что произошло»: напишите хотя бы несколько слов.",
        "uk": "«Що сталося»: напишіть хоча б кілька слів.",
        "en": "“What happened”: write at least a few words.",
    },
    "p_too_long": {
        "ru": "«%(field)s»: не больше %(limit)s знаков (сейчас %(count)s).",
        "uk": "«%(field)s»: не більше %(limit)s знаків (зараз %(count)s).",
        "en": "“%(field)s”: at most %(limit)s characters (now %(count)s).",
    },
    "p_file_type": {
        "ru": "Файл «%(name)s»: такой тип не принимается — только JPEG, PNG, WebP, HEIC или PDF.",
        "uk": "Файл «%(name)s»: такий тип не приймається — лише JPEG, PNG, WebP, HEIC або PDF.",
        "en": "File “%(name)s”: this type is not accepted; only JPEG, PNG, WebP, HEIC or PDF.",
    },
    "p_file_size": {
        "ru": "Файл «%(name)s»: больше %(size)s МБ.",
        "uk": "Файл «%(name)s»: більше %(size)s МБ.",
        "en": "File “%(name)s”: larger than %(size)s MB.",
    },
    "p_file_count": {
        "ru": "Файлы: не больше %(count)s за раз.",
        "uk": "Файли: не більше %(count)s за раз.",
        "en": "Files: at most %(count)s at a time.",
    },
    "p_honeypot": {
        "ru": "Поле «Не заполняйте это поле» должно остаться пустым.",
        "uk": "Поле «Не заповнюйте це поле» має залишитися порожнім.",
        "en": "The field “Do not fill in this field” must stay empty.",
    },
    "p_too_soon": {
        "ru": "Форма отправлена слишком быстро: подождите %(seconds)s с. и нажмите «Отправить» ещё раз.",
        "uk": "Форму надіслано надто швидко: зачекайте %(seconds)s с і натисніть «Надіслати» ще раз.",
        "en": "The form was sent too quickly: wait %(seconds)s s and press “Send” again.",
    },
    "p_ticket": {
        "ru": "Срок действия формы истёк: нажмите «Отправить» ещё раз.",
        "uk": "Термін дії форми сплив: натисніть «Надіслати» ще раз.",
        "en": "The form has expired: press “Send” again.",
    },
    "p_encoding": {
        "ru": "«%(field)s»: текст пришёл в неизвестной кодировке.",
        "uk": "«%(field)s»: текст надійшов у невідомому кодуванні.",
        "en": "“%(field)s”: the text arrived in an unknown encoding.",
    },
    "p_code": {
        "ru": "«Код квитанции»: введите код.",
        "uk": "«Код квитанції»: введіть код.",
        "en": "“Receipt code”: enter the code.",
    },
    "p_addition_empty": {
        "ru": "«Что вы хотите добавить»: напишите текст или приложите файл.",
        "uk": "«Що ви хочете додати»: напишіть текст або додайте файл.",
        "en": "“What you want to add”: write something or attach a file.",
    },
    # -- whole-request errors ----------------------------------------------------------------------------
    "e_title": {"ru": "Не получилось", "uk": "Не вдалося", "en": "That did not work"},
    "e_malformed": {
        "ru": "Форма пришла повреждённой, ничего не сохранено. Откройте форму заново и отправьте ещё раз.",
        "uk": "Форма надійшла пошкодженою, нічого не збережено. Відкрийте форму знову й надішліть ще раз.",
        "en": "The form arrived damaged; nothing was stored. Open the form again and send it once more.",
    },
    "e_too_large": {
        "ru": "Слишком много данных за один раз (больше %(size)s МБ), ничего не сохранено. Отправьте меньше "
              "файлов, а остальные добавьте потом по коду квитанции.",
        "uk": "Забагато даних за один раз (понад %(size)s МБ), нічого не збережено. Надішліть менше файлів, а "
              "решту додайте потім за кодом квитанції.",
        "en": "Too much at once (over %(size)s MB); nothing was stored. Send fewer files, and add the rest later "
              "with your receipt code.",
    },
    "e_busy": {
        "ru": "Сейчас приходит слишком много отправок, ничего не сохранено. Попробуйте через несколько минут.",
        "uk": "Зараз надходить забагато надсилань, нічого не збережено. Спробуйте за кілька хвилин.",
        "en": "Too many submissions are arriving right now; nothing was stored. Try again in a few minutes.",
    },
    "e_full": {
        "ru": "Хранилище формы заполнено, ничего не сохранено. Попробуйте позже или свяжитесь с организацией "
              "другим способом.",
        "uk": "Сховище форми заповнене, нічого не збережено. Спробуйте пізніше або зв'яжіться з організацією "
              "в інший спосіб.",
        "en": "The form's storage is full; nothing was stored. Try later, or reach the organisation another way.",
    },
    "e_limit": {
        "ru": "К этому рассказу уже добавлено столько дополнений, сколько можно. Дождитесь ответа.",
        "uk": "До цієї розповіді вже додано стільки доповнень, скільки можна. Дочекайтеся відповіді.",
        "en": "This account already holds as many additions as it may. Please wait for a reply.",
    },
    "e_not_found": {"ru": "Такой страницы нет.", "uk": "Такої сторінки немає.", "en": "There is no such page."},
    "e_method": {
        "ru": "Этот адрес так не открывается.",
        "uk": "Ця адреса так не відкривається.",
        "en": "This address does not accept that method.",
    },
    "e_unexpected": {
        "ru": "Запрос не удалось выполнить, ничего не сохранено. Попробуйте ещё раз.",
        "uk": "Запит не вдалося виконати, нічого не збережено. Спробуйте ще раз.",
        "en": "The request could not be completed; nothing was stored. Please try again.",
    },
    "e_no_key": {
        "ru": "Форма ещё не настроена: нет ключа шифрования.",
        "uk": "Форму ще не налаштовано: немає ключа шифрування.",
        "en": "The form is not set up yet: it has no encryption key.",
    },
}


class Texts:
    """The texts of one language; ``t("key", name=value)`` fills in %(name)s."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str, **values: object) -> str:
        text = M[key][self.lang]
        return text % values if values else text

    def day(self, iso: str) -> str:
        """A day as this language writes it («1 декабря 2026 г.»)."""
        try:
            return str(format_date(date.fromisoformat(iso), format="long", locale=self.lang))
        except ValueError:
            return iso


def choose_language(asked: str | None, accept_language: str) -> str:
    """The language asked for (a form field or ?lang=), else the browser's first known one, else Russian."""
    if asked in LANGUAGES:
        return str(asked)
    for item in accept_language.split(","):
        code = item.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
