"""Rendering pages: the template context every page gets (language, user, CSRF token, formatters)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from dutycare.entrypoints.web.deps import CSRF_FIELD, context, language, principal, translator
from dutycare.entrypoints.web.labels import (
    CLOCK_LABELS,
    RECORD_KINDS,
    TARGET_KINDS,
    audit_detail_translator,
    complaint_field_namer,
    event_type_label,
    labeller,
    problem_translator,
)
from dutycare.rules.wording import split_listed
from dutycare.service_layer.access import Permission, allows

TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_templates() -> Jinja2Templates:
    """The Jinja2 environment of the pages (autoescaping on)."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    templates.env.filters["todate"] = _to_date
    templates.env.filters["pseudonym"] = lambda person_id, names: names.get(person_id, "—")
    templates.env.filters["codes"] = codes
    return templates


def _to_date(text: str) -> date | None:
    """An ISO day as a date (for formatting it in the reader's language), or None."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


_TYPED = re.compile(r"~?\d{4}(?:-\d{2}){1,2}(?:/\d{4}(?:-\d{2}){0,2})?|(?<=«)dutycare [^«»]+(?=»)"
                    r"|(?<=&#39;)dutycare [^&]+(?=&#39;)")


def codes(text: str) -> Markup:
    """A hint or message with what a user types (2024-03-14, 2024-02/2024-04, «dutycare ...») set as code."""
    return Markup(_TYPED.sub(lambda m: f"<code>{m.group(0)}</code>", str(escape(text))))


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
        when=tr.partial_date, split_listed=split_listed, audit_detail=audit_detail_translator(_),
        target_kind=lambda k: _(TARGET_KINDS[k]) if k in TARGET_KINDS else k,
        record_kind=lambda k: _(RECORD_KINDS[k]) if k in RECORD_KINDS else k,
    )
    return ctx.templates.TemplateResponse(request, name, values, status_code=status_code)
