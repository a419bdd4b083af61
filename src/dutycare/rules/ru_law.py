"""The Russian legal sources the R-rules cite, summarised in own words; editions not checked are marked so."""

from __future__ import annotations

from dutycare.jurisdictions import ru as clocks
from dutycare.jurisdictions.clocks import LegalBasis

UNCHECKED = "дата редакции не сверена"

CONSTITUTION = "Конституция Российской Федерации"
CONSTITUTION_EDITION = "с изменениями, одобренными общероссийским голосованием 01.07.2020"
LAW_323 = "Федеральный закон от 21.11.2011 № 323-ФЗ «Об основах охраны здоровья граждан в Российской Федерации»"
LAW_76 = "Федеральный закон от 27.05.1998 № 76-ФЗ «О статусе военнослужащих»"
LAW_52 = (
    "Федеральный закон от 28.03.1998 № 52-ФЗ «Об обязательном государственном страховании жизни и здоровья "
    "военнослужащих ...»"
)
REG_565 = "Положение о военно-врачебной экспертизе, утв. постановлением Правительства РФ от 04.07.2013 № 565"
KOAP = "Кодекс РФ об административных правонарушениях от 30.12.2001 № 195-ФЗ"

NO_REFUSAL = LegalBasis(LAW_323, "ст. 11", UNCHECKED, "Refusing medical care is not allowed.",
                        "Federal Law No. 323-FZ on the foundations of health protection")
RIGHT_TO_CARE = LegalBasis(LAW_76, "ст. 16", UNCHECKED,
                           "Service members are entitled to free medical care, including in military hospitals.",
                           "Federal Law No. 76-FZ on the status of service members")
FITNESS_SCHEME = LegalBasis(REG_565, "категории годности; Требования к состоянию здоровья", UNCHECKED,
                            "Fitness is judged on the state of health; category Г (temporarily unfit) exists for "
                            "those who need treatment before their fitness can be judged.",
                            "Regulation on military-medical expertise (Government decree No. 565 of 4 July 2013)")
CAUSAL_LINK = LegalBasis(REG_565, "раздел о причинной связи увечий и заболеваний", UNCHECKED,
                         "The commission states how an injury or illness relates to service (military trauma, "
                         "illness acquired in service, general illness); insurance and pensions depend on it.",
                         "Regulation on military-medical expertise (Government decree No. 565 of 4 July 2013)")
INSURANCE = LegalBasis(LAW_52, "ст. 4, 5", UNCHECKED,
                       "Insurance payments for service injuries depend on the commission's finding on their cause.",
                       "Federal Law No. 52-FZ on compulsory insurance of service members")
UNPUBLISHED_ACTS = LegalBasis(CONSTITUTION, "ст. 15 ч. 3", CONSTITUTION_EDITION,
                              "An act touching people's rights cannot be applied unless officially published.",
                              "Constitution of the Russian Federation")
CONCEALMENT = LegalBasis(CONSTITUTION, "ст. 41 ч. 3", CONSTITUTION_EDITION,
                         "Officials who conceal facts that threaten life and health are liable under federal law.",
                         "Constitution of the Russian Federation")
PATIENT_FIRST = LegalBasis(LAW_323, "ст. 4", UNCHECKED,
                           "Health care puts the patient's interests first and must be available and of good "
                           "quality.", "Federal Law No. 323-FZ on the foundations of health protection")
RECORDS_RIGHT = LegalBasis(LAW_323, "ст. 22 ч. 5", UNCHECKED,
                           "A patient may obtain copies of their medical records and extracts on request.",
                           "Federal Law No. 323-FZ on the foundations of health protection")
APPEALS_PENALTY = LegalBasis(KOAP, "ст. 5.59", UNCHECKED,
                             "Officials who break the procedure for considering citizens' appeals are fined.",
                             "Code of Administrative Offences RF")
NO_SELF_REVIEW = LegalBasis(clocks.LAW_59FZ, "ст. 8 ч. 6", clocks.EDITION_59FZ,
                            "A complaint must not be sent for consideration to the body or official whose decision "
                            "or action it complains about.", clocks.LAW_59FZ_EN)


def clock_basis(rule_id: str) -> LegalBasis:
    """The legal basis of one of the Russian clock rules, by its id."""
    return next(rule.legal for rule in clocks.CLOCK_RULES if rule.id == rule_id)
