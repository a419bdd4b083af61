"""The rules and clock rules in force, as one value the composition root loads and every unit of work carries."""

from __future__ import annotations

from dataclasses import dataclass

from dutycare.jurisdictions.clocks import ClockBook
from dutycare.rules.model import Rule, Scope


@dataclass(frozen=True)
class RuleBook:
    """The rules and clock rules in force, loaded once at the composition root."""

    rules: tuple[Rule, ...]
    clock_book: ClockBook

    def rule(self, rule_id: str) -> Rule | None:
        """One rule by id."""
        return next((r for r in self.rules if r.id == rule_id), None)

    def scope_of(self, rule_id: str) -> str:
        """The scope of a rule ('case' when the rule is no longer loaded)."""
        rule = self.rule(rule_id)
        return rule.scope.value if rule else Scope.CASE.value
