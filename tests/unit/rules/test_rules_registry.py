"""Rule packs come in through the pluggy hook: the built-in pack, a third-party one, and duplicate ids."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from timeline_builders import TODAY, Record, book

from dutycare.domain.events import EventType
from dutycare.rules import ru
from dutycare.rules.evaluate import evaluate_case
from dutycare.rules.hookspecs import hookimpl
from dutycare.rules.model import Certainty, EvalContext, Hit, Rule, RulePack, Scope, Severity
from dutycare.rules.registry import DuplicateRuleId, load_rules, plugin_manager
from dutycare.rules.views import CaseView


def _every_injury(view: CaseView, ctx: EvalContext) -> Iterator[Hit]:
    for injury in view.of(EventType.INJURY):
        yield Hit(Certainty.ESTABLISHED, (injury,), (view.case_id,), "травма", "injury")


def _rule(rule_id: str) -> Rule:
    return Rule(rule_id, "тест", "test", Severity.LOW, Scope.CASE, (), "test rule", "an injury", (), _every_injury)


class TinyPack:
    """A third-party plug-in contributing one rule."""

    def __init__(self, rule_id: str = "X1", name: str = "tiny") -> None:
        self.rule_id, self.name = rule_id, name

    @hookimpl
    def dutycare_rule_packs(self) -> list[RulePack]:
        return [RulePack(self.name, "RU", (_rule(self.rule_id),))]


def test_builtin_pack_is_a_plugin_of_the_same_hook() -> None:
    pm = plugin_manager(entry_points=False)
    assert pm.get_plugin("ru") is ru
    assert [impl.plugin for impl in pm.hook.dutycare_rule_packs.get_hookimpls()] == [ru]


def test_load_rules_gives_r1_to_r10_in_natural_order() -> None:
    assert [r.id for r in load_rules(entry_points=False)] == [f"R{n}" for n in range(1, 11)]


def test_installed_entry_point_does_not_register_the_builtin_pack_twice() -> None:
    ids = [r.id for r in load_rules()]
    assert ids.count("R1") == 1


def test_a_third_party_pack_is_loaded_and_evaluated() -> None:
    rules = load_rules([TinyPack()], entry_points=False)
    assert "X1" in [r.id for r in rules]
    r = Record()
    injury = r.injury("2024-01-10")
    found = evaluate_case(r.timeline(), rules=rules, today=TODAY, clock_book=book())
    assert [(f.rule_id, f.event_ids) for f in found if f.rule_id == "X1"] == [("X1", (injury.id,))]


def test_duplicate_rule_ids_are_rejected_with_a_clear_message() -> None:
    with pytest.raises(DuplicateRuleId, match=r"rule id 'R1' is declared by pack '\w+' and by pack '\w+'"):
        load_rules([TinyPack("R1", "copycat")], entry_points=False)


def test_every_rule_is_fully_described() -> None:
    for rule in load_rules(entry_points=False):
        assert rule.title_ru and rule.title_en and rule.description and rule.fires_when and rule.does_not_fire
        assert rule.legal_basis and all(b.law and b.article and b.edition and b.summary for b in rule.legal_basis)
        assert rule.jurisdiction == "RU"
