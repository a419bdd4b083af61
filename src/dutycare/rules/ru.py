"""The Russian rule pack, R1–R10, contributed through the same plug-in hook a third-party pack uses."""

from __future__ import annotations

from dutycare.rules.hookspecs import hookimpl
from dutycare.rules.model import RulePack
from dutycare.rules.ru_care import R1, R2, R3, R4, R9
from dutycare.rules.ru_complaints import R6, R7, R10
from dutycare.rules.ru_deployment import R5
from dutycare.rules.ru_statements import R8


def russian_pack() -> RulePack:
    """R1–R10 of the Russian profile."""
    return RulePack("ru", "RU", (R1, R2, R3, R4, R5, R6, R7, R8, R9, R10),
                    "Denial of medical care to service members under Russian law")


@hookimpl
def dutycare_rule_packs() -> list[RulePack]:
    """The Russian profile."""
    return [russian_pack()]
