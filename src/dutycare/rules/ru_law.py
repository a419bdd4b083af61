"""The Russian legal sources the R-rules cite, summarised in own words; editions not checked are marked so."""

from __future__ import annotations

from dutycare.jurisdictions import ru as clocks
from dutycare.jurisdictions.clocks import LegalBasis, Verification

V = Verification
UNCHECKED = "дата редакции не сверена"

CONSTITUTION = "Конституция Российской Федерации"
CONSTITUTION_EDITION = "с изменениями, одобренными общероссийским голосованием 01.07.2020"
LAW_323 = "Федеральный закон от 21.11.2011 № 323-ФЗ «Об основах охраны здоровья граждан в Российской Федерации»"
LAW_323_EN = "Federal Law No. 323-FZ on the foundations of health protection"
LAW_76 = "Федеральный закон от 27.05.1998 № 76-ФЗ «О статусе военнослужащих»"
LAW_52 = (
    "Федеральный закон от 28.03.1998 № 52-ФЗ «Об обязательном государственном страховании жизни и здоровья "
    "военнослужащих ...»"
)
REG_565 = "Положение о военно-врачебной экспертизе, утв. постановлением Правительства РФ от 04.07.2013 № 565"
REG_565_EN = "Regulation on military-medical expertise (Government decree No. 565 of 4 July 2013)"
EDITION_565 = "ред. не ранее 03.02.2023; изменения 2024–2025 годов не сверены"
REG_574 = ("Положение о независимой военно-врачебной экспертизе, утв. постановлением Правительства РФ от 28.07.2008 "
           "№ 574")
ORDER_MOD_555 = ("Приказ Министра обороны РФ от 18.08.2014 № 555 «Об утверждении Инструкции по работе с обращениями "
                 "граждан в Вооружённых Силах Российской Федерации»")
KOAP = "Кодекс РФ об административных правонарушениях от 30.12.2001 № 195-ФЗ"

NO_REFUSAL = LegalBasis(LAW_323, "ст. 11 ч. 1, 2", UNCHECKED,
                        "A medical organisation taking part in the state-guarantee programme may not refuse care "
                        "under that programme, and emergency care is given at once and free of charge; whether a "
                        "military hospital takes part in the programme must be checked.", LAW_323_EN, V.VERIFIED)
RIGHT_TO_CARE = LegalBasis(LAW_76, "ст. 16 ч. 2", UNCHECKED,
                           "Service members are entitled to free medical care, including in military hospitals; "
                           "part 1 makes commanders answerable for their health.",
                           "Federal Law No. 76-FZ on the status of service members", V.VERIFIED)
FITNESS_SCHEME = LegalBasis(REG_565, "категории годности; Требования к состоянию здоровья", EDITION_565,
                            "Fitness is judged on the state of health in categories А to Д; category Г (temporarily "
                            "unfit) exists for those who need treatment before their fitness can be judged (the "
                            "point is not confirmed).", REG_565_EN, V.INDIRECT)
CAUSAL_LINK = LegalBasis(REG_565, "раздел о причинной связи увечий и заболеваний", EDITION_565,
                         "The commission states how an injury or illness relates to service (military trauma, "
                         "illness acquired in service, general illness, and other formulas of the section); "
                         "insurance and pensions depend on it.", REG_565_EN, V.INDIRECT)
INSURANCE = LegalBasis(LAW_52, "ст. 5 ч. 2", UNCHECKED,
                       "Insurance covers injuries and illnesses received during service; the commission's conclusion "
                       "on the causal link establishes that link.",
                       "Federal Law No. 52-FZ on compulsory insurance of service members", V.INDIRECT)
UNPUBLISHED_ACTS = LegalBasis(CONSTITUTION, "ст. 15 ч. 3", CONSTITUTION_EDITION,
                              "An act touching people's rights cannot be applied unless officially published.",
                              "Constitution of the Russian Federation", V.VERIFIED)
CONCEALMENT = LegalBasis(CONSTITUTION, "ст. 41 ч. 3", CONSTITUTION_EDITION,
                         "Officials who conceal facts that threaten life and health are liable under federal law.",
                         "Constitution of the Russian Federation", V.VERIFIED)
PATIENT_FIRST = LegalBasis(LAW_323, "ст. 4 п. 2, 6, 7", UNCHECKED,
                           "Health care puts the patient's interests first, must be available and of good quality, "
                           "and may not be refused.", LAW_323_EN, V.VERIFIED)
SERVICE_MEMBERS_HEALTH = LegalBasis(LAW_323, "ст. 25 ч. 1", UNCHECKED,
                                    "Service members have the right to a military-medical examination to determine "
                                    "their fitness, and to early discharge on the commission's conclusion (further "
                                    "parts on care in other facilities not checked).", LAW_323_EN, V.INDIRECT)
INFORMED_REFUSAL = LegalBasis(LAW_323, "ст. 20", UNCHECKED,
                              "A patient may refuse a medical intervention after being informed; the refusal is "
                              "recorded in the prescribed form. It is the patient's own decision, not a refusal of "
                              "care by the institution.", LAW_323_EN, V.INDIRECT)
INDEPENDENT_EXPERTISE = LegalBasis(REG_574, "Положение в целом", UNCHECKED,
                                   "An independent military-medical expertise (НВВЭ) is done on the citizen's "
                                   "application, at their expense, in a licensed organisation they choose, with a "
                                   "certified copy of the commission's conclusion; it may support their case before "
                                   "a higher commission or a court.",
                                   "Regulation on independent military-medical expertise (Government decree No. 574 "
                                   "of 28 July 2008)", V.INDIRECT)
COMMISSION_APPEAL = LegalBasis(f"{REG_565}; {clocks.KAS}", "Положение 565 (пункт об обжаловании не сверен); КАС "
                               "гл. 22, ст. 218–219", EDITION_565,
                               "A commission's conclusion can be appealed to a higher commission or challenged in "
                               "court as a decision of a public body, within three months of learning of it.",
                               "Regulation No. 565; Code of Administrative Court Procedure RF, ch. 22", V.INDIRECT)
RECORDS_RIGHT = LegalBasis(LAW_323, "ст. 22 ч. 5", UNCHECKED,
                           "A patient may obtain copies of their medical records and extracts on request.",
                           LAW_323_EN, V.VERIFIED)
APPEALS_PENALTY = LegalBasis(KOAP, "ст. 5.59", UNCHECKED,
                             "Officials who break the procedure for considering citizens' appeals are fined; this "
                             "covers officials of state institutions such as hospitals.",
                             "Code of Administrative Offences RF", V.VERIFIED)
NO_SELF_REVIEW = LegalBasis(clocks.LAW_59FZ, "ст. 8 ч. 6", clocks.EDITION_59FZ,
                            "A complaint must not be sent for consideration to the body or official whose decision "
                            "or action it complains about.", clocks.LAW_59FZ_EN, V.UNVERIFIED)
ELECTRONIC_APPEALS = LegalBasis(clocks.LAW_547FZ, "изменения ст. 4, 7 59-ФЗ; применяются с 30.03.2025", UNCHECKED,
                                "From 30 March 2025 an electronic appeal counts only when sent through the unified "
                                "portal of public services, another identifying system or the body's official "
                                "site; ordinary e-mails are not accepted as appeals. A recorded video message is "
                                "neither a written nor an identified electronic appeal.",
                                "Federal Law No. 547-FZ of 28 December 2024", V.INDIRECT)
EXTENSION_GROUNDS = LegalBasis(clocks.LAW_59FZ, "ст. 10 ч. 2; ст. 12 ч. 2", clocks.EDITION_59FZ,
                               "An extension needs an exceptional case or a request to another body (which answers "
                               "within 15 days) and notice to the applicant; without notice it is not lawful.",
                               clocks.LAW_59FZ_EN, V.INDIRECT)
MOD_APPEALS = LegalBasis(ORDER_MOD_555, "Инструкция в целом", UNCHECKED,
                         "The Ministry of Defence's instruction on citizens' appeals applies 59-FZ in military units, "
                         "hospitals and commissions (its own periods and registration rules not checked).",
                         "Minister of Defence order No. 555 of 18 August 2014 (Instruction on appeals)",
                         V.UNVERIFIED)


def clock_basis(rule_id: str) -> LegalBasis:
    """The legal basis of one of the Russian clock rules, by its id."""
    return next(rule.legal for rule in clocks.CLOCK_RULES if rule.id == rule_id)
