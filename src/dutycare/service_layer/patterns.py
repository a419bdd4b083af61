"""Patterns across cases: counts and rates by facility, commission, region, period or rule, with Wilson intervals,
an exact test of each facility against the rest of its region and of the country, and a false-discovery-rate
correction across the facilities tested. Every figure passes `disclosure.protect` before it leaves this module.

Counting (docs/patterns.md): for a facility or commission, a case counts once at each institution of that kind
where it has a live event, and "with" means it has a live refused-treatment event there (or, for a rule, a stored
finding of that rule); a region or the country adds up its institutions. For a region (the case's), a period
(the month of the case's first live event) or a rule, every case counts once.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence

from dutycare.domain.errors import InvalidInput, NotAllowed, Problem
from dutycare.service_layer import disclosure
from dutycare.service_layer.access import Permission, User, allows
from dutycare.service_layer.disclosure import Protected, Relation
from dutycare.service_layer.pattern_model import (
    INSTITUTION_TYPES,
    PERIODS,
    REFUSAL,
    Grouping,
    PatternRequest,
    PatternRow,
    PatternTable,
)
from dutycare.service_layer.ports import StaffUnitOfWork
from dutycare.service_layer.queries import CaseQuery, GroupCount
from dutycare.service_layer.search import query_words

FDR = 0.05
CONFIDENCE = 0.95

__all__ = ["INSTITUTION_TYPES", "PERIODS", "REFUSAL", "Grouping", "PatternRequest", "PatternRow", "PatternTable"]


def parse_request(request: PatternRequest, rule_ids: Iterable[str]) -> tuple[Grouping, str]:
    """The grouping and measure asked for, or InvalidInput naming the field that is wrong."""
    problems = []
    try:
        grouping = Grouping(request.grouping)
    except ValueError:
        problems.append(Problem("patterns", "grouping", f"unknown grouping {request.grouping!r}; use one of "
                                f"{', '.join(g.value for g in Grouping)}"))
        grouping = Grouping.FACILITY
    known = set(rule_ids)
    if request.measure != REFUSAL and request.measure not in known:
        problems.append(Problem("patterns", "measure", f"unknown measure {request.measure!r}; use '{REFUSAL}' or "
                                "a rule id such as R1"))
    if grouping is Grouping.RULE and request.measure != REFUSAL:
        problems.append(Problem("patterns", "measure", "a table by rule counts every rule; leave the measure out"))
    q = request.query
    if q.date_from and q.date_to and q.date_from > q.date_to:
        problems.append(Problem("patterns", "date_to", "must not be before the start date"))
    if problems:
        raise InvalidInput(problems)
    return grouping, request.measure


def _period(grouping: Grouping, year: int, month: int) -> str:
    if grouping is Grouping.YEAR:
        return f"{year:04d}"
    if grouping is Grouping.QUARTER:
        return f"{year:04d}-Q{(month - 1) // 3 + 1}"
    return f"{year:04d}-{month:02d}"


def _rows(grouping: Grouping, counts: Sequence[GroupCount]) -> dict[str, list[int]]:
    """Counts per row key: [cases, with]."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in counts:
        key = _period(grouping, int(c.key[:4]), int(c.key[5:7])) if grouping in PERIODS else c.key
        out[key][0] += c.cases
        out[key][1] += c.with_measure
    return dict(sorted(out.items()))


def _cells(prefix: str, key: str, cases: int, hits: int, values: dict[tuple[str, str, str], int],
           relations: list[Relation]) -> None:
    w, wo, n = (prefix, key, "with"), (prefix, key, "without"), (prefix, key, "cases")
    values[w], values[wo], values[n] = hits, cases - hits, cases
    relations.append(((w, 1), (wo, 1), (n, -1)))


Cells = dict[tuple[str, str, str], int]


def build_cells(grouping: Grouping, rows: dict[str, list[int]], population: int) -> tuple[Cells, list[Relation]]:
    """The linked cells of a table and the sums that tie them, as `disclosure.protect` takes them."""
    values: dict[tuple[str, str, str], int] = {}
    relations: list[Relation] = []
    if grouping is Grouping.RULE:
        total = ("all", "", "cases")
        values[total] = population
        for key, (_, hits) in rows.items():
            w, wo = ("g", key, "with"), ("g", key, "without")
            values[w], values[wo] = hits, population - hits
            relations.append(((w, 1), (wo, 1), (total, -1)))
        return values, relations
    for key, (cases, hits) in rows.items():
        _cells("g", key, cases, hits, values, relations)
    _cells("all", "", sum(r[0] for r in rows.values()), sum(r[1] for r in rows.values()), values, relations)
    for col in ("with", "without", "cases"):
        relations.append(((("all", "", col), -1), *((("g", k, col), 1) for k in rows)))
    return values, relations


# SciPy and statsmodels are imported where they are used: loading them takes seconds and about 150 MiB, which
# every command and every import would otherwise pay for tables it does not make.
def _wilson(hits: int, cases: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(hits, cases, alpha=1 - CONFIDENCE, method="wilson")
    return float(low), float(high)


def _fisher(hits: int, cases: int, rest_hits: int, rest_cases: int) -> float | None:
    if rest_cases <= 0 or cases <= 0:
        return None
    from scipy.stats import fisher_exact

    table = [[hits, cases - hits], [rest_hits, rest_cases - rest_hits]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)


def _bh(pvalues: dict[str, float]) -> dict[str, float]:
    if not pvalues:
        return {}
    from statsmodels.stats.multitest import multipletests

    keys = sorted(pvalues)
    _, adjusted, _, _ = multipletests([pvalues[k] for k in keys], alpha=FDR, method="fdr_bh")
    return {k: float(q) for k, q in zip(keys, adjusted, strict=True)}


def _row(p: Protected, prefix: str, key: str, label: str, region: str | None,
         rule_population: bool = False) -> PatternRow:
    n_key = ("all", "", "cases") if rule_population else (prefix, key, "cases")
    w, wo = (prefix, key, "with"), (prefix, key, "without")
    row = PatternRow(key, label, region, p.shown(n_key), p.shown(w), p.shown(wo))
    if p.visible(n_key, w, wo) and p.values[n_key] > 0:
        hits, cases = p.values[w], p.values[n_key]
        low, high = _wilson(hits, cases)
        row = PatternRow(key, label, region, cases, hits, cases - hits, hits / cases, low, high)
    return row


def _region_row(region: str, members: list[PatternRow]) -> PatternRow:
    """A region's figures, only when every one of its institutions is shown (they are then sums of shown cells,
    so they reveal nothing the table does not; otherwise they could undo its suppression)."""
    if any(m.cases is None or m.with_measure is None for m in members) or not members:
        return PatternRow(region, region, region or None, None, None, None)
    cases = sum(m.cases or 0 for m in members)
    hits = sum(m.with_measure or 0 for m in members)
    low, high = _wilson(hits, cases)
    return PatternRow(region, region, region or None, cases, hits, cases - hits, hits / cases, low, high)


def _with_tests(table_rows: list[PatternRow], regions: dict[str, PatternRow],
                total: PatternRow) -> tuple[list[PatternRow], int]:
    """Each shown institution against the rest of its region and of the country, BH-corrected across them."""
    p_region: dict[str, float] = {}
    p_country: dict[str, float] = {}
    for r in table_rows:
        if r.rate is None or r.cases is None or r.with_measure is None:
            continue
        reg = regions.get(r.region or "")
        if reg is not None and reg.rate is not None and reg.cases is not None and reg.with_measure is not None:
            found = _fisher(r.with_measure, r.cases, reg.with_measure - r.with_measure, reg.cases - r.cases)
            if found is not None:
                p_region[r.key] = found
        if total.rate is not None and total.cases is not None and total.with_measure is not None:
            found = _fisher(r.with_measure, r.cases, total.with_measure - r.with_measure, total.cases - r.cases)
            if found is not None:
                p_country[r.key] = found
    q_region, q_country = _bh(p_region), _bh(p_country)
    out = []
    for r in table_rows:
        flag = None
        if r.key in q_country and q_country[r.key] < FDR and total.cases and total.with_measure is not None \
                and r.cases and r.with_measure is not None:
            rest = (total.with_measure - r.with_measure) / max(1, total.cases - r.cases)
            flag = "higher" if r.with_measure / r.cases > rest else "lower"
        out.append(PatternRow(r.key, r.label, r.region, r.cases, r.with_measure, r.without_measure, r.rate, r.low,
                              r.high, p_region.get(r.key), q_region.get(r.key), p_country.get(r.key),
                              q_country.get(r.key), flag))
    return out, len(p_country)


def protected_table(grouping: Grouping, measure: str, counts: Sequence[GroupCount], population: int,
                    labels: dict[str, str], region_of: dict[str, str | None], threshold: int) -> PatternTable:
    """Counts made into a protected table with rates, intervals and tests (the one path counts leave by)."""
    if population < threshold:
        return PatternTable(grouping, measure, threshold, [], [], None, 0, too_few=True,
                            notes=[f"fewer than {threshold} cases match; nothing can be shown"])
    rows = _rows(grouping, counts)
    values, relations = build_cells(grouping, rows, population)
    p = disclosure.protect(values, relations, threshold)
    if not p.possible:
        return PatternTable(grouping, measure, threshold, [], [], None, len(values), possible=False)
    is_rule = grouping is Grouping.RULE
    table_rows = [_row(p, "g", k, labels.get(k, k), region_of.get(k), is_rule) for k in rows]
    region_rows: dict[str, PatternRow] = {}
    if grouping in INSTITUTION_TYPES:
        for key in sorted({region_of.get(k) or "" for k in rows}):
            region_rows[key] = _region_row(key, [r for r in table_rows if (r.region or "") == key])
    total = (PatternRow("all", "", None, p.shown(("all", "", "cases")), None, None) if is_rule
             else _row(p, "all", "", "", None))
    tested = 0
    if grouping in INSTITUTION_TYPES:
        table_rows, tested = _with_tests(table_rows, region_rows, total)
    return PatternTable(grouping, measure, threshold, table_rows, list(region_rows.values()), total,
                        len(p.suppressed), tested=tested)


def pattern_table(uow: StaffUnitOfWork, viewer: User, request: PatternRequest,
                  threshold: int = disclosure.DEFAULT_THRESHOLD) -> PatternTable:
    """A protected pattern table over the cases this viewer may see that match the filters."""
    if not allows(viewer.role, Permission.PATTERNS_READ):
        raise NotAllowed("Pattern tables are for lawyers, analysts and coordinators.")
    with uow:
        grouping, measure = parse_request(request, [r.id for r in uow.rulebook.rules])
        digests = search_digests(uow, request.query)
        if digests == []:
            return protected_table(grouping, measure, [], 0, {}, {}, threshold)
        counts = uow.patterns.counts(viewer, request.query, digests, grouping.value,
                                     INSTITUTION_TYPES.get(grouping), None if measure == REFUSAL else measure)
        population = uow.patterns.population_size(viewer, request.query, digests)
        institutions = uow.records.institutions_by_id([c.key for c in counts]) \
            if grouping in INSTITUTION_TYPES else {}
    labels = {k: i.name for k, i in institutions.items()}
    region_of = {k: i.region for k, i in institutions.items()}
    return protected_table(grouping, measure, counts, population, labels, region_of, threshold)


def search_digests(uow: StaffUnitOfWork, query: CaseQuery) -> list[str] | None:
    """The search digests of the text filter; [] when the text can match nothing."""
    if not (query.text and query.text.strip()):
        return None
    words = query_words(query.text)
    if not words:
        return []
    return uow.views.search_digests(words) or []


COLUMNS = ("key", "label", "region", "cases", "with", "without", "rate", "ci_low", "ci_high", "p_region",
           "q_region", "p_country", "q_country", "flag")


def row_to_dict(r: PatternRow) -> dict[str, object]:
    """A row as JSON and CSV carry it (None where suppressed or not applicable)."""
    return dict(zip(COLUMNS, (r.key, r.label, r.region, r.cases, r.with_measure, r.without_measure, r.rate, r.low,
                              r.high, r.p_region, r.q_region, r.p_country, r.q_country, r.flag), strict=True))


def table_to_dict(table: PatternTable) -> dict[str, object]:
    """A protected table as JSON: rows, region figures, the total, and how it was computed."""
    return {"grouping": table.grouping.value, "measure": table.measure, "threshold": table.threshold,
            "too_few": table.too_few, "possible": table.possible, "suppressed_cells": table.suppressed_cells,
            "facilities_tested": table.tested, "false_discovery_rate": FDR, "confidence": CONFIDENCE,
            "rows": [row_to_dict(r) for r in table.rows], "regions": [row_to_dict(r) for r in table.regions],
            "total": row_to_dict(table.total) if table.total else None, "notes": table.notes}


def table_to_csv(table: PatternTable) -> str:
    """A protected table as CSV (UTF-8, comma-separated; an empty cell is suppressed or not applicable)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in [*table.rows, *([table.total] if table.total else [])]:
        writer.writerow(["" if v is None else (f"{v:.6g}" if isinstance(v, float) else v)
                         for v in row_to_dict(r).values()])
    return out.getvalue()
