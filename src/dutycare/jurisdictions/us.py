"""United States clocks for military disability evaluation and veterans' appeals, as data."""

from __future__ import annotations

from dutycare.domain.vocabulary import InstitutionType as I
from dutycare.jurisdictions.clocks import Carry, ClockKind, ClockRule, ClockStart, LegalBasis, Unit

CLOCK_RULES: tuple[ClockRule, ...] = (
    ClockRule(
        "us.ides.goal", "US", ClockKind.PROCESS, "whole IDES process (performance goal, not a legal deadline)",
        "весь процесс IDES (целевой срок, не правовой)", frozenset({I.MEDICAL_COMMISSION}), 230,
        Unit.CALENDAR_DAYS, ClockStart.REFERRAL,
        LegalBasis("DoD Instruction 1332.18, Disability Evaluation System", "IDES timeliness standard",
                   "edition not verified", "The Integrated Disability Evaluation System aims to finish a case "
                   "within 230 days of referral.", "DoD Instruction 1332.18"),
        Carry.NONE, "A performance goal counted in calendar days; no carry rule.",
    ),
    ClockRule(
        "us.va.ama.review", "US", ClockKind.FILING, "request a review of a VA decision (AMA)",
        "запрос пересмотра решения VA (AMA)", frozenset({I.AUTHORITY}), 1, Unit.YEARS, ClockStart.DECISION,
        LegalBasis("38 U.S.C. § 5104C(a); 38 C.F.R. § 3.2500", "§ 5104C(a)(1)",
                   "as amended by the Veterans Appeals Improvement and Modernization Act of 2017",
                   "A claimant has one year from the date of notice of a decision to seek a higher-level review, "
                   "file a supplemental claim or appeal to the Board.", "Appeals Modernization Act"),
        Carry.NEXT_WORKING_DAY, "38 C.F.R. § 3.110: a time limit ending on a weekend or legal holiday runs to "
        "the next workday.",
    ),
)
