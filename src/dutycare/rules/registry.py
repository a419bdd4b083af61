"""Builds the plug-in manager and collects rules from every registered pack, built-in ones included."""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from dutycare.domain.errors import DomainError
from dutycare.rules import hookspecs, ru
from dutycare.rules.model import Rule, RulePack, rule_sort_key


class DuplicateRuleId(DomainError):
    """Two rule packs declare a rule with the same id."""


def plugin_manager(extra_plugins: Iterable[object] = (), *, entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh plug-in manager with the built-in pack, installed entry points of group 'dutycare', and extras."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    # Registered under its entry-point name, so the entry point declared in pyproject.toml is skipped, not doubled.
    pm.register(ru, name="ru")
    if entry_points:
        pm.load_setuptools_entrypoints(hookspecs.PROJECT)
    for plugin in extra_plugins:
        pm.register(plugin)
    return pm


def rule_packs(pm: pluggy.PluginManager) -> list[RulePack]:
    """Every pack the registered plug-ins contribute, in a stable order (by pack name)."""
    packs = [pack for result in pm.hook.dutycare_rule_packs() for pack in result]
    return sorted(packs, key=lambda p: p.name)


def check_unique(packs: Iterable[RulePack]) -> list[Rule]:
    """The rules of all packs in natural id order; a rule id declared twice is an error naming both packs."""
    owner: dict[str, str] = {}
    rules: list[Rule] = []
    for pack in packs:
        for rule in pack.rules:
            if rule.id in owner:
                raise DuplicateRuleId(
                    f"rule id '{rule.id}' is declared by pack '{owner[rule.id]}' and by pack '{pack.name}'; "
                    "rule ids must be unique: rename the rule in one of the packs or unregister one plug-in"
                )
            owner[rule.id] = pack.name
            rules.append(rule)
    return sorted(rules, key=lambda r: rule_sort_key(r.id))


def load_rules(extra_plugins: Iterable[object] = (), *, entry_points: bool = True) -> list[Rule]:
    """All rules from the built-in pack, installed plug-ins and ``extra_plugins``; duplicate ids are rejected."""
    return check_unique(rule_packs(plugin_manager(extra_plugins, entry_points=entry_points)))
