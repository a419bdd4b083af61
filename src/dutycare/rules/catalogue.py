"""Renders the rule catalogue (docs/rules.md) from the rule and clock objects themselves.

Regenerate with: ``python -m dutycare.rules.catalogue > docs/rules.md``
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable

from dutycare.jurisdictions.clocks import ClockRule, Verification, default_clock_book
from dutycare.rules.model import LegalBasis, Rule
from dutycare.rules.registry import load_rules

REGENERATE = "python -m dutycare.rules.catalogue > docs/rules.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


VERIFICATION = {
    Verification.VERIFIED: "✅ verified",
    Verification.INDIRECT: "✅* confirmed only indirectly",
    Verification.UNVERIFIED: "❓ not verified",
}


def _basis(basis: LegalBasis) -> str:
    return f"- {basis.citation()} — {basis.summary} *[{VERIFICATION[basis.verified]}]*"


def render_rule(rule: Rule) -> list[str]:
    """The catalogue section of one rule."""
    return [
        f"### {rule.id} — {rule.title_en}",
        "",
        f"*{rule.title_ru}*",
        "",
        f"- **Severity:** {rule.severity.value}",
        f"- **Scope:** {rule.scope.value}",
        f"- **Jurisdiction:** {rule.jurisdiction}",
        f"- **Fires when:** {rule.fires_when}",
        "",
        rule.description,
        "",
        "**Legal basis**",
        "",
        *(_basis(b) for b in rule.legal_basis),
        "",
        "**Does not fire when**",
        "",
        *(f"- {case}" for case in rule.does_not_fire),
        "",
    ]


def render_clocks(clocks: Iterable[ClockRule]) -> list[str]:
    """The table of clock rules, then each rule's source and its non-working-day rule."""
    lines = [
        "| id | jurisdiction | what | applies to | limit | starts at | extension | non-working end |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    details: list[str] = []
    for c in clocks:
        bodies = ", ".join(sorted(t.value for t in c.applies_to))
        extension = f"up to {c.max_extension_days} days" if c.max_extension_days else "—"
        if c.max_total_days is not None:
            extension += f" (at most {c.max_total_days} days in all)"
        lines.append(f"| {c.id} | {c.jurisdiction} | {_cell(c.what_en)} | {bodies} | {c.limit_text()} | "
                     f"{c.starts.value} | {extension} | {c.carry.value} |")
        kinds = ", ".join(sorted(k.value for k in c.complaint_kinds))
        extras = [f"*Complaint kinds:* {kinds}.", f"*Channels:* {c.channels.value}."]
        if c.extension_needs_notice:
            extras.append("*Extension:* moves the due day only when the applicant was notified.")
        if c.start_interpreted:
            extras.append("*Start:* not fixed by the law; lateness is only 'possible'.")
        details += [f"- **{c.id}**: {_cell(c.legal.citation())}. {c.legal.summary} "
                    f"*[{VERIFICATION[c.legal.verified]}]* *Non-working day:* {c.carry_basis} " + " ".join(extras)
                    + (f" *Note:* {c.note}" if c.note else "")]
    return [*lines, "", *details, ""]


def render(rules: Iterable[Rule], clocks: Iterable[ClockRule]) -> str:
    """The whole catalogue as Markdown."""
    lines = [
        "# Rule catalogue",
        "",
        f"Generated from the code by `{REGENERATE}`; do not edit by hand.",
        "",
        "A finding is *established* when the record fixes the order of the events it rests on, and *possible* "
        "when partial or approximate dates leave that order open. Dates are compared by the widest interval they "
        "may denote (approximate dates widened by one unit).",
        "",
        "Each legal basis says how far it was checked against the text of the law (see LEGAL-REVIEW in the "
        "project's shared notes): ✅ verified (the norm's text or a faithful quotation was read), ✅* confirmed only "
        "indirectly (an implementing act, an official explanation or a summary says the same), ❓ not verified "
        "(read it on pravo.gov.ru before quoting it in court). The clocks, their sources and edge cases are "
        "explained in [clocks.md](clocks.md).",
        "",
        "## Rules",
        "",
    ]
    for rule in rules:
        lines += render_rule(rule)
    lines += ["## Clock rules", "", "Periods counted in days start on the day after the event that opens them.",
              "", *render_clocks(clocks)]
    return "\n".join(lines)


def render_catalogue() -> str:
    """The catalogue of the built-in rules (installed third-party packs left out) and every clock rule."""
    return render(load_rules(entry_points=False), default_clock_book().rules)


def main() -> None:
    """Write the catalogue to standard output."""
    if isinstance(sys.stdout, io.TextIOWrapper):  # not when replaced by something that cannot re-encode
        sys.stdout.reconfigure(encoding="utf-8")
    sys.stdout.write(render_catalogue())


if __name__ == "__main__":
    main()
