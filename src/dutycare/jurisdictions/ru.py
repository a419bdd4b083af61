"""Russian statutory clocks for appeals, crime reports, the ombudsman, courts and medical records, as data.

Choice on periods that end on a non-working day: 59-FZ, 1-FKZ and order 789n say nothing, so the general
rule of the Civil Code (art. 193: the next working day) is applied by analogy. Some departmental office-work
rules tell officials to finish on the preceding working day instead; the later of the two readings is used so
that no overdue finding depends on the contested one. The prosecutor's Instruction and the Criminal Procedure
Code (art. 128 part 2) state the next-working-day rule themselves.
"""

from __future__ import annotations

from dutycare.domain.vocabulary import ComplaintKind as K
from dutycare.domain.vocabulary import InstitutionType as I
from dutycare.jurisdictions.clocks import (
    Carry,
    ChannelRule,
    ClockKind,
    ClockRule,
    ClockStart,
    LegalBasis,
    Unit,
    Verification,
)

V = Verification
LAW_59FZ = "Федеральный закон от 02.05.2006 № 59-ФЗ «О порядке рассмотрения обращений граждан Российской Федерации»"
LAW_59FZ_EN = "Federal Law No. 59-FZ of 2 May 2006 on considering citizens' appeals"
EDITION_59FZ = "ред. от 28.12.2024; изменения Федерального закона № 547-ФЗ применяются с 30.03.2025"
LAW_547FZ = "Федеральный закон от 28.12.2024 № 547-ФЗ (изменения в 59-ФЗ об электронных обращениях)"
ORDER_45 = (
    "Приказ Генерального прокурора РФ от 30.01.2013 № 45 «Об утверждении и введении в действие Инструкции о "
    "порядке рассмотрения обращений и приема граждан в органах прокуратуры Российской Федерации»"
)
EDITION_ORDER_45 = ("ред. приказа от 03.07.2025 № 460; текст п. 5.x сверен только по редакции до 2025 года "
                    "(последняя сверенная — приказ от 08.09.2016 № 563)")
UPK = "Уголовно-процессуальный кодекс РФ от 18.12.2001 № 174-ФЗ"
FKZ_1 = "Федеральный конституционный закон от 26.02.1997 № 1-ФКЗ «Об Уполномоченном по правам человека в РФ»"
FKZ_1_EN = "Federal Constitutional Law No. 1-FKZ of 26 February 1997 on the Human Rights Commissioner"
EDITION_FKZ_1 = "ред. от 29.05.2023 № 2-ФКЗ"
KAS = "Кодекс административного судопроизводства РФ от 08.03.2015 № 21-ФЗ"
ORDER_789N = (
    "Приказ Минздрава России от 31.07.2020 № 789н «Об утверждении порядка и сроков предоставления медицинских "
    "документов (их копий) и выписок из них»"
)

CARRY_BY_ANALOGY = (
    "The act is silent; Civil Code RF art. 193 (end moves to the next working day) applied by analogy. "
    "Some office-work rules use the preceding working day; the later date is used so no finding rests on it."
)
CARRY_UPK = "UPK RF art. 128 part 2: a period ending on a non-working day ends on the next working day."
CARRY_KAS = "KAS RF art. 93 part 2: a period ending on a non-working day ends on the next working day."
CARRY_ORDER_45 = ("The Instruction (section 5; the point is not confirmed) moves a period ending on a day off to the "
                  "next working day.")

APPEAL_BODIES = frozenset({I.PRESIDENT, I.AUTHORITY, I.HOSPITAL, I.MEDICAL_COMMISSION, I.MILITARY_UNIT})
"""Bodies whose answers to appeals run on 59-FZ (state and municipal bodies and institutions with public duties)."""
APPEALS = frozenset({K.APPEAL})

CLOCK_RULES: tuple[ClockRule, ...] = (
    ClockRule(
        "ru.59fz.registration", "RU", ClockKind.REGISTRATION, "registration of a written appeal",
        "регистрация письменного обращения", APPEAL_BODIES | {I.PROSECUTOR, I.INVESTIGATIVE_COMMITTEE}, 3,
        Unit.CALENDAR_DAYS, ClockStart.RECEIPT,
        LegalBasis(LAW_59FZ, "ст. 8 ч. 2", EDITION_59FZ,
                   "A written appeal must be registered within three days of its receipt.", LAW_59FZ_EN, V.INDIRECT),
        Carry.NEXT_WORKING_DAY, CARRY_BY_ANALOGY, complaint_kinds=APPEALS, channels=ChannelRule.WRITTEN_APPEAL,
    ),
    ClockRule(
        "ru.59fz.forwarding", "RU", ClockKind.FORWARDING, "forwarding to the competent body, with notice",
        "переадресация в компетентный орган с уведомлением", APPEAL_BODIES | {I.PROSECUTOR, I.INVESTIGATIVE_COMMITTEE},
        7, Unit.CALENDAR_DAYS, ClockStart.REGISTRATION,
        LegalBasis(LAW_59FZ, "ст. 8 ч. 3", EDITION_59FZ,
                   "An appeal outside the body's remit goes to the competent body within seven days of "
                   "registration, and the applicant is told. Part 6 forbids sending a complaint to the body "
                   "or official whose acts it complains about.", LAW_59FZ_EN, V.INDIRECT),
        Carry.NEXT_WORKING_DAY, CARRY_BY_ANALOGY, complaint_kinds=APPEALS, channels=ChannelRule.WRITTEN_APPEAL,
    ),
    ClockRule(
        "ru.59fz.answer", "RU", ClockKind.RESPONSE, "answer to a written appeal", "ответ на письменное обращение",
        APPEAL_BODIES | {I.INVESTIGATIVE_COMMITTEE}, 30, Unit.CALENDAR_DAYS, ClockStart.REGISTRATION,
        LegalBasis(LAW_59FZ, "ст. 12 ч. 1, 2", EDITION_59FZ,
                   "A written appeal is considered within 30 days of registration; in exceptional cases, or when "
                   "another body was asked for documents (ст. 10 ч. 2), the head of the body may extend this by up "
                   "to 30 days, telling the applicant.", LAW_59FZ_EN, V.INDIRECT),
        Carry.NEXT_WORKING_DAY, CARRY_BY_ANALOGY, max_extension_days=30, complaint_kinds=APPEALS,
        extension_needs_notice=True, channels=ChannelRule.WRITTEN_APPEAL,
        note="An appeal to the Investigative Committee that reports no crime runs on this clock: the Committee's "
             "instruction on appeals implements 59-FZ and does not cover crime reports.",
    ),
    ClockRule(
        "ru.prosecutor.answer", "RU", ClockKind.RESPONSE, "resolution of an appeal by the prosecutor's office",
        "разрешение обращения органом прокуратуры", frozenset({I.PROSECUTOR}), 30, Unit.CALENDAR_DAYS,
        ClockStart.REGISTRATION,
        LegalBasis(ORDER_45, "Инструкция, п. 5.1", EDITION_ORDER_45,
                   "Appeals are resolved within 30 days of registration, or 15 days where no further study or "
                   "checking is needed; extension by up to 30 days with notice (the point of the extension is not "
                   "confirmed).",
                   "Prosecutor General's order No. 45 of 30 January 2013 (Instruction on appeals)", V.INDIRECT),
        Carry.NEXT_WORKING_DAY, CARRY_ORDER_45, max_extension_days=30, complaint_kinds=APPEALS,
        extension_needs_notice=True, channels=ChannelRule.WRITTEN_APPEAL,
        note="The 15-day limit is not applied: the record cannot show whether checking was needed. Recheck п. 5.x "
             "against the edition of order No. 460 of 03.07.2025 before quoting it.",
    ),
    ClockRule(
        "ru.upk.144", "RU", ClockKind.RESPONSE, "decision on a crime report", "решение по сообщению о преступлении",
        frozenset({I.INVESTIGATIVE_COMMITTEE}), 3, Unit.CALENDAR_DAYS, ClockStart.RECEIPT,
        LegalBasis(UPK, "ст. 144 ч. 1, 3", "дата редакции не сверена (схема 3/10/30 суток подтверждена "
                   "определением Конституционного Суда РФ от 30.10.2025 № 2665-О)",
                   "A crime report is decided within three days of receipt; the head of the investigative body "
                   "may extend to 10 days, and to 30 days where checks or expert examinations are needed.",
                   "Criminal Procedure Code RF", V.VERIFIED),
        Carry.NEXT_WORKING_DAY, CARRY_UPK, max_extension_days=27, max_total_days=30,
        complaint_kinds=frozenset({K.CRIME_REPORT}), channels=ChannelRule.REPORT,
    ),
    ClockRule(
        "ru.1fkz.notice", "RU", ClockKind.RESPONSE, "notice of the decision to take up a complaint",
        "уведомление о решении по жалобе", frozenset({I.OMBUDSMAN}), 10, Unit.CALENDAR_DAYS, ClockStart.RECEIPT,
        LegalBasis(FKZ_1, "ст. 20 ч. 2", EDITION_FKZ_1,
                   "The Commissioner decides whether to take up a complaint and tells the applicant within 10 days.",
                   FKZ_1_EN, V.VERIFIED),
        Carry.NEXT_WORKING_DAY, CARRY_BY_ANALOGY, complaint_kinds=frozenset({K.OMBUDSMAN}), start_interpreted=True,
        note="The law does not say from when the 10 days run; counting from receipt is a reading, so a late notice "
             "is only 'possible'.",
    ),
    ClockRule(
        "ru.1fkz.filing", "RU", ClockKind.FILING, "filing window for a complaint to the ombudsman",
        "срок подачи жалобы Уполномоченному", frozenset({I.OMBUDSMAN}), 1, Unit.YEARS,
        ClockStart.LATER_OF_VIOLATION_AND_LEARNING,
        LegalBasis(FKZ_1, "ст. 17 ч. 1", EDITION_FKZ_1,
                   "A complaint is filed within one year of the violation or of the day the applicant learnt of it.",
                   FKZ_1_EN, V.VERIFIED),
        Carry.NEXT_WORKING_DAY, CARRY_BY_ANALOGY, complaint_kinds=frozenset({K.OMBUDSMAN}),
        note="The year runs from the later of the violation and the day the applicant learnt of it, when known.",
    ),
    ClockRule(
        "ru.kas.219", "RU", ClockKind.FILING, "court claim against a decision or inaction of a public body",
        "административный иск об оспаривании решения, действия (бездействия)", frozenset({I.COURT}), 3,
        Unit.MONTHS, ClockStart.LEARNING,
        LegalBasis(KAS, "ст. 219 ч. 1", "дата редакции не сверена",
                   "A claim is filed within three months of the day the applicant learnt their rights were violated.",
                   "Code of Administrative Court Procedure RF", V.VERIFIED),
        Carry.NEXT_WORKING_DAY, CARRY_KAS, complaint_kinds=frozenset({K.COURT_CLAIM}),
        note="A period in months ends on the same date of the last month, or the month's last day (KAS art. 93 "
             "part 1). Not checked: a claim against continuing inaction, and restoring a missed period.",
    ),
    ClockRule(
        "ru.789n.records", "RU", ClockKind.RECORDS, "copies of medical records", "копии медицинских документов",
        frozenset({I.HOSPITAL}), 30, Unit.CALENDAR_DAYS, ClockStart.REGISTRATION,
        LegalBasis(ORDER_789N, "Порядок, п. 12", "первоначальная ред. от 31.07.2020 (номер пункта и редакция не "
                   "сверены)",
                   "Copies of medical records are issued within the time the law on appeals sets (30 days) "
                   "from the registration of the request.",
                   "Ministry of Health order No. 789n of 31 July 2020 on issuing medical records", V.INDIRECT),
        Carry.NEXT_WORKING_DAY, CARRY_BY_ANALOGY,
        note="Counted from the recorded registration of the request; without one, from the request plus the "
             "three days registration may take, and lateness is only 'possible'.",
    ),
)
