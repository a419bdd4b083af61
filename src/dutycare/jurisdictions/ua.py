"""Ukrainian statutory clocks for citizens' appeals, as data."""

from __future__ import annotations

from dutycare.domain.vocabulary import InstitutionType as I
from dutycare.jurisdictions.clocks import Carry, ClockKind, ClockRule, ClockStart, LegalBasis, Unit

LAW_APPEALS = "Закон України від 02.10.1996 № 393/96-ВР «Про звернення громадян»"

PUBLIC_BODIES = frozenset({
    I.PRESIDENT, I.AUTHORITY, I.PROSECUTOR, I.INVESTIGATIVE_COMMITTEE, I.OMBUDSMAN, I.HOSPITAL,
    I.MEDICAL_COMMISSION, I.MILITARY_UNIT,
})

CLOCK_RULES: tuple[ClockRule, ...] = (
    ClockRule(
        "ua.appeals.answer", "UA", ClockKind.RESPONSE, "answer to an appeal", "ответ на обращение", PUBLIC_BODIES,
        1, Unit.MONTHS, ClockStart.RECEIPT,
        LegalBasis(LAW_APPEALS, "ст. 20", "дата редакции не сверена",
                   "An appeal is considered within one month of receipt, or within 15 days where no further "
                   "study is needed; the head may extend, but never beyond 45 days in all.",
                   "Law of Ukraine No. 393/96-VR of 2 October 1996 on citizens' appeals"),
        Carry.NEXT_WORKING_DAY,
        "The law is silent; Civil Code of Ukraine art. 254 part 5 (next working day) applied by analogy.",
        max_extension_days=45, max_total_days=45,
        note="The 15-day limit is not applied: the record cannot show whether further study was needed.",
    ),
)
