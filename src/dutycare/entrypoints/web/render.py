"""Rendering pages: the template context every page gets (language, user, CSRF token, formatters)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from dutycare.entrypoints.web.deps import CSRF_FIELD, context, language, principal, translator
from dutycare.entrypoints.web.labels import (
    CLOCK_LABELS,
    complaint_field_namer,
    event_type_label,
    labeller,
    problem_translator,
)
from dutycare.service_layer.access import Permission, allows

TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_templates() -> Jinja2Templates:
    """The Jinja2 environment of the pages (autoescaping on)."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    templates.env.filters["todate"] = _to_date
    return templates


def _to_date(text: str) -> date | None:
    """An ISO day as a date (for formatting it in the reader's language), or None."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def page(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render a page in the reader's language."""
    ctx = context(request)
    tr = translator(request)
    who = principal(request) if hasattr(request.state, "principal") else None
    user = who.user if who else None
    _ = tr.gettext

    values.update(
        request=request, lang=language(request), _=_, gettext=_, ngettext=tr.ngettext, tr=tr, user=user,
        csrf_field=CSRF_FIELD, csrf_token=who.session.csrf if who and who.session else "",
        can=lambda perm: user is not None and allows(user.role, Permission(perm)),
        label=labeller(_), event_label=lambda t: event_type_label(t, language(request)),
        clock_label=lambda k: _(CLOCK_LABELS[k]) if k in CLOCK_LABELS else k, problem_text=problem_translator(_),
        complaint_field=complaint_field_namer(_),
    )
    return ctx.templates.TemplateResponse(request, name, values, status_code=status_code)
