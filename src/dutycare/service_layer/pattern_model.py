"""The data of pattern tables and publications, as the services return them and renderers take them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from dutycare.service_layer.queries import CaseQuery

REFUSAL = "refusal"


class Grouping(StrEnum):
    """What the rows of a pattern table are."""

    FACILITY = "facility"
    COMMISSION = "commission"
    REGION = "region"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RULE = "rule"


INSTITUTION_TYPES = {Grouping.FACILITY: "hospital", Grouping.COMMISSION: "medical_commission"}
PERIODS = (Grouping.MONTH, Grouping.QUARTER, Grouping.YEAR)


@dataclass(frozen=True)
class PatternRow:
    """One row: a group's cases, how many of them show the measure, the rate with its interval, and the tests.

    Every number is None where disclosure control suppressed it (or where it would be built from a suppressed
    cell); ``flag`` is "higher" or "lower" when the facility differs from the rest of the country at the
    documented false-discovery rate.
    """

    key: str
    label: str
    region: str | None
    cases: int | None
    with_measure: int | None
    without_measure: int | None
    rate: float | None = None
    low: float | None = None
    high: float | None = None
    p_region: float | None = None
    q_region: float | None = None
    p_country: float | None = None
    q_country: float | None = None
    flag: str | None = None

    @property
    def suppressed(self) -> bool:
        """Whether any count of this row is hidden."""
        return None in (self.cases, self.with_measure, self.without_measure)


@dataclass(frozen=True)
class PatternTable:
    """A protected pattern table: rows, region subtotals (for institutions), the total, and how it was made."""

    grouping: Grouping
    measure: str
    threshold: int
    rows: list[PatternRow]
    regions: list[PatternRow]
    total: PatternRow | None
    suppressed_cells: int
    too_few: bool = False
    possible: bool = True
    tested: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def publishable(self) -> bool:
        """Whether anything of it may leave: enough cases, and protection succeeded."""
        return not self.too_few and self.possible


@dataclass(frozen=True)
class PatternRequest:
    """What a pattern table is asked for: the case-list filters, the grouping and the measure."""

    query: CaseQuery = field(default_factory=CaseQuery)
    grouping: str = Grouping.FACILITY.value
    measure: str = REFUSAL


@dataclass(frozen=True)
class SummaryEvent:
    """One step of an anonymised timeline: the month, what happened, at which public body."""

    month: str
    event_type: str
    institution: str | None


@dataclass(frozen=True)
class CaseSummary:
    """A case as a publication may show it: a label instead of the pseudonym, an age band, months, institutions."""

    label: str
    age_band: str | None
    service_status: str
    region: str | None
    events: tuple[SummaryEvent, ...]
    rules: tuple[str, ...]
    rare: bool


@dataclass(frozen=True)
class ReportContent:
    """Everything an aggregate report shows: protected tables only, and how they were made."""

    title: str
    lang: str
    made_on: str
    population: int
    threshold: int
    filters: dict[str, str]
    facilities: PatternTable
    trend: PatternTable
    rules: PatternTable
    summaries: tuple[CaseSummary, ...] = ()
