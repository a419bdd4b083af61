"""Patterns pages: protected tables across cases, their charts (SVG), and the same tables as CSV and JSON."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from dutycare.adapters.reports import charts
from dutycare.adapters.reports import wording as w
from dutycare.domain.errors import InvalidInput, Problem
from dutycare.entrypoints.web.deps import Ctx, CurrentUser, Needs, language
from dutycare.entrypoints.web.render import page
from dutycare.service_layer import case_views, patterns
from dutycare.service_layer.access import Permission as P
from dutycare.service_layer.pattern_model import Grouping, PatternRequest, PatternTable
from dutycare.service_layer.queries import CaseQuery

router = APIRouter(include_in_schema=False)
FILTERS = ("q", "status", "region", "institution", "rule", "date_from", "date_to", "by", "measure")
Text = Annotated[str | None, Query(max_length=200)]


def _date(text: str | None, name: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidInput([Problem("patterns", name, "use a date such as 2024-03-01")]) from None


def request_of(q: str | None, status: str | None, region: str | None, institution: str | None, rule: str | None,
               date_from: str | None, date_to: str | None, by: str | None, measure: str | None) -> PatternRequest:
    """A pattern request from the page's (or the API's) query parameters."""
    query = CaseQuery(status or None, region or None, institution or None, rule or None,
                      _date(date_from, "date_from"), _date(date_to, "date_to"), q or None)
    return PatternRequest(query, by or Grouping.FACILITY.value, measure or patterns.REFUSAL)


def _table(ctx: Ctx, user: CurrentUser, request: PatternRequest) -> PatternTable:
    return patterns.pattern_table(ctx.uow(user), user, request, ctx.dutycare.settings.disclosure_threshold)


@router.get("/patterns", dependencies=[Needs(P.PATTERNS_READ)])
def patterns_page(request: Request, ctx: Ctx, user: CurrentUser, q: Text = None, status: Text = None,
                  region: Text = None, institution: Text = None, rule: Text = None, date_from: Text = None,
                  date_to: Text = None, by: Text = None, measure: Text = None) -> Response:
    """Counts and rates by facility, commission, region, period or rule, with intervals, tests and a chart."""
    wanted = request_of(q, status, region, institution, rule, date_from, date_to, by, measure)
    table = _table(ctx, user, wanted)
    lang = language(request)
    params = {k: v for k, v in dict(q=q, status=status, region=region, institution=institution, rule=rule,
                                    date_from=date_from, date_to=date_to, by=by, measure=measure).items() if v}
    return page(request, "patterns.html", table=table, f=params, query=urlencode(params),
                choices=case_views.filter_choices(ctx.uow(user), user), groupings=[g.value for g in Grouping],
                percent=lambda v: w.percent(v, lang), qvalue=lambda v: w.qvalue(v, lang),
                period=lambda k: w.period_label(k, lang), periods={g.value for g in patterns.PERIODS})


@router.get("/patterns/chart.svg", dependencies=[Needs(P.PATTERNS_READ)])
def patterns_chart(request: Request, ctx: Ctx, user: CurrentUser, q: Text = None, status: Text = None,
                   region: Text = None, institution: Text = None, rule: Text = None, date_from: Text = None,
                   date_to: Text = None, by: Text = None, measure: Text = None) -> Response:
    """The table's chart as SVG: rates with intervals, or counts over time for a period grouping."""
    table = _table(ctx, user, request_of(q, status, region, institution, rule, date_from, date_to, by, measure))
    lang = language(request)
    body = charts.trend_chart(table, lang) if table.grouping in patterns.PERIODS else charts.rate_chart(table, lang)
    return Response(body, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


@router.get("/patterns.csv", dependencies=[Needs(P.PATTERNS_READ)])
def patterns_csv(ctx: Ctx, user: CurrentUser, q: Text = None, status: Text = None, region: Text = None,
                 institution: Text = None, rule: Text = None, date_from: Text = None, date_to: Text = None,
                 by: Text = None, measure: Text = None) -> Response:
    """The protected table as CSV."""
    table = _table(ctx, user, request_of(q, status, region, institution, rule, date_from, date_to, by, measure))
    return Response(patterns.table_to_csv(table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="patterns-{table.grouping.value}.csv"'})


@router.get("/patterns.json", dependencies=[Needs(P.PATTERNS_READ)])
def patterns_json(ctx: Ctx, user: CurrentUser, q: Text = None, status: Text = None, region: Text = None,
                  institution: Text = None, rule: Text = None, date_from: Text = None, date_to: Text = None,
                  by: Text = None, measure: Text = None) -> JSONResponse:
    """The protected table as JSON."""
    table = _table(ctx, user, request_of(q, status, region, institution, rule, date_from, date_to, by, measure))
    body: dict[str, Any] = patterns.table_to_dict(table)
    return JSONResponse(body)
