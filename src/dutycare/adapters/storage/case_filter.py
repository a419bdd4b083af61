"""Which cases a list or a pattern table is over: what the viewer's role lets them see, narrowed by the case-list
filters. The case list and the pattern tables both take their cases from `filtered_cases`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Date, bindparam, exists, func, literal, or_, select

from dutycare.adapters.storage import access_tables as a
from dutycare.adapters.storage import tables as t
from dutycare.domain.limits import storable_text
from dutycare.service_layer.access import CASE_SCOPE, CaseScope, User
from dutycare.service_layer.queries import CaseQuery

# Withdrawn events are few and have an index of their own, so leaving them out reads no event row.
WITHDRAWN_EVENT_IDS = select(t.events.c.id).where(t.events.c.deleted_at.is_not(None))
WITHDRAWN_CASE_IDS = select(t.cases.c.id).where(t.cases.c.deleted_at.is_not(None))
"""Withdrawn cases (migration 0010): few, with an index of their own, so leaving them out reads no case row."""


@dataclass(frozen=True)
class ListShape:
    """Which conditions a case list has (not their values): one pair of statements serves every list alike."""

    scope: CaseScope
    status: bool
    region: bool
    institution: bool
    date_from: bool
    date_to: bool
    rule: bool
    terms: int
    rare_first: bool = False  # the first term is rare: read its posting list instead of probing every case


RARE_POSTINGS = 2000
"""A word posted fewer times than this is read from its posting list; a commoner one is probed case by case."""
POSTINGS_UP_TO = select(func.count()).select_from(
    select(literal(1)).where(a.search_postings.c.term == bindparam("term")).order_by(a.search_postings.c.position)
    .limit(RARE_POSTINGS).subquery())
"""How often a word is posted, counted up to RARE_POSTINGS (bound as term).

In the posting list's own order, so that PostgreSQL reads it from the index: unordered, it estimated a common
word's rows to be spread evenly through the table and scanned the table for them, which holds its words in
term order (35–57 ms for «отказ» at 100,000 cases, against well under one through the index)."""


def shape_of(viewer: User, query: CaseQuery, term_digests: list[str] | None,
             postings: Mapping[str, int] | None = None) -> tuple[ListShape, dict[str, Any]] | None:
    """The shape of a query and the values to bind, or None when it matches nothing: a filter value cannot be
    stored, or a word is posted nowhere. With ``postings`` (each word's count from POSTINGS_UP_TO), the rarest
    word goes first: it narrows most, and when it is rare its posting list is read outright."""
    digests = list(dict.fromkeys(term_digests or []))
    named = (query.status, query.region, query.institution_id, query.rule_id)
    if not all(storable_text(value) for value in named if value):
        return None
    rare_first = False
    if postings is not None and digests:
        digests.sort(key=lambda d: postings.get(d, 0))
        if postings.get(digests[0], 0) == 0:
            return None
        rare_first = postings[digests[0]] < RARE_POSTINGS
    shape = ListShape(CASE_SCOPE[viewer.role], bool(query.status), bool(query.region), bool(query.institution_id),
                      query.date_from is not None, query.date_to is not None, bool(query.rule_id), len(digests),
                      rare_first)
    values: dict[str, Any] = {"viewer_id": viewer.id, "status": query.status, "region": query.region,
                              "institution_id": query.institution_id, "date_from": query.date_from,
                              "date_to": query.date_to, "rule_id": query.rule_id} | {
                                  f"term_{n}": d for n, d in enumerate(digests)}
    return shape, values


def _holds_term(n: int) -> Any:
    """The case holds the n-th search term (bound as term_n): one probe of the posting list at this case."""
    p = a.search_postings.c
    return exists().where(p.term == bindparam(f"term_{n}"), p.position == t.cases.c.position,
                          p.case_id == t.cases.c.id)


def _among_postings(n: int) -> Any:
    """The case is on the n-th term's posting list (read whole: used only for a rare term)."""
    p = a.search_postings.c
    return t.cases.c.id.in_(select(p.case_id).where(p.term == bindparam(f"term_{n}")))


def filtered_cases(shape: ListShape, q: Any) -> Any:
    """A select over the cases table narrowed to what a viewer of the shape's scope sees and its filters match
    (values bound as viewer_id, status, region, institution_id, date_from, date_to, rule_id, term_n): the one
    place the case list and the pattern tables take their cases from."""
    q = q.where(t.cases.c.id.not_in(WITHDRAWN_CASE_IDS))
    named = exists().where(a.case_access.c.case_id == t.cases.c.id,
                           a.case_access.c.user_id == bindparam("viewer_id"))
    if shape.scope is CaseScope.NAMED_ONLY:
        q = q.where(named)
    elif shape.scope is CaseScope.UNRESTRICTED_OR_NAMED:
        q = q.where(or_(~exists().where(a.restricted_cases.c.case_id == t.cases.c.id), named))
    if shape.status:
        q = q.where(t.cases.c.status == bindparam("status"))
    if shape.region:
        q = q.where(t.cases.c.region == bindparam("region"))
    live = t.events.c.deleted_at.is_(None)
    linked = select(t.event_cases.c.case_id).join(t.events, t.events.c.id == t.event_cases.c.event_id)
    if shape.institution:
        q = q.where(t.cases.c.id.in_(linked.where(t.events.c.institution_id == bindparam("institution_id"), live)))
    if shape.date_from or shape.date_to:
        conds: list[ColumnElement[bool]] = [live]
        if shape.date_from:
            conds.append(t.events.c.date_end >= bindparam("date_from", type_=Date))
        if shape.date_to:
            conds.append(t.events.c.date_start <= bindparam("date_to", type_=Date))
        q = q.where(t.cases.c.id.in_(linked.where(*conds)))
    if shape.rule:
        q = q.where(t.cases.c.id.in_(select(t.finding_cases.c.case_id)
                                     .join(t.findings, t.findings.c.key == t.finding_cases.c.finding_key)
                                     .where(t.findings.c.rule_id == bindparam("rule_id"))))
    for n in range(shape.terms):
        q = q.where(_among_postings(n) if n == 0 and shape.rare_first else _holds_term(n))
    return q
