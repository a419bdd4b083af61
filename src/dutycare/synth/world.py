"""The institutions of a synthetic data set: regions with hospitals, commissions, units and prosecutors, each
facility with its own behaviour, and the federal bodies complaints go to."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from dutycare.synth.texts import FIRST_NAMES, PATRONYMICS, REGIONS, SURNAMES

# Ids say nothing about who a person is (docs/case-file.md): case persons are p-<7 digits>, officials and
# advocates take 8-digit numbers from these separate ranges so that no two ids can meet.
OFFICIAL_IDS = 10_000_000
ADVOCATE_IDS = 20_000_000

Record = dict[str, Any]
FEDERAL: tuple[tuple[str, str, str], ...] = (
    ("i-president", "Президент Российской Федерации", "president"),
    ("i-prosecutor-general", "Генеральная прокуратура Российской Федерации", "prosecutor"),
    ("i-investigative-committee", "Следственный комитет Российской Федерации", "investigative_committee"),
    ("i-ombudsman", "Уполномоченный по правам человека в Российской Федерации", "ombudsman"),
    ("i-defence-ministry", "Министерство обороны Российской Федерации", "authority"),
)


@dataclass(frozen=True)
class Facility:
    """A hospital with its commission, nearby units and regional prosecutor, and how it tends to behave."""

    hospital: str
    commission: str
    units: tuple[str, ...]
    prosecutor: str
    region: str
    official: str
    refusal_rate: float
    directive_share: float
    fit_rate: float
    harsh: bool


@dataclass
class World:
    """Everything a synthetic data set shares across cases."""

    records: list[Record] = field(default_factory=list)
    facilities: list[Facility] = field(default_factory=list)
    advocates: list[str] = field(default_factory=list)


def full_name(rng: random.Random) -> str:
    """A made-up surname, first name and patronymic."""
    return f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)} {rng.choice(PATRONYMICS)}"


def _institution(iid: str, name: str, kind: str, region: str | None = None, parent: str | None = None) -> Record:
    rec: Record = {"record": "institution", "id": iid, "name": name, "type": kind}
    if region:
        rec["region"] = region
    if parent:
        rec["parent"] = parent
    return rec


def _behaviour(rng: random.Random) -> tuple[float, float, float, bool]:
    """Refusal rate, share of refusals citing an unwritten directive, 'fit' rate while untreated, harshness."""
    if rng.random() < 0.12:
        return rng.uniform(0.6, 0.85), rng.uniform(0.4, 0.7), rng.uniform(0.6, 0.85), True
    return rng.uniform(0.08, 0.3), rng.uniform(0.02, 0.12), rng.uniform(0.15, 0.4), False


def _facility(rng: random.Random, world: World, r: int, k: int, region: str, city: str) -> Facility:
    number = 100 + r * 10 + k
    hospital, commission = f"i-r{r:02d}-hospital-{k}", f"i-r{r:02d}-commission-{k}"
    units = tuple(f"i-r{r:02d}-unit-{k}-{u}" for u in range(2))
    world.records.append(_institution(hospital, f"Военный госпиталь № {number} (г. {city})", "hospital", region))
    world.records.append(_institution(commission, f"Военно-врачебная комиссия госпиталя № {number}",
                                      "medical_commission", region, hospital))
    for u in units:
        world.records.append(_institution(u, f"Войсковая часть {rng.randint(10000, 99999)}", "military_unit", region))
    official = f"p-{OFFICIAL_IDS + r * 100 + k:08d}"
    world.records.append({"record": "person", "id": official, "pseudonym": f"Начальник госпиталя № {number}",
                          "role": "official", "service_status": "contract", "full_name": full_name(rng)})
    refusal, directive, fit, harsh = _behaviour(rng)
    return Facility(hospital, commission, units, f"i-r{r:02d}-prosecutor", region, official, refusal, directive,
                    fit, harsh)


def build_world(rng: random.Random, cases: int) -> World:
    """Federal bodies, regions with one to three facilities each, and a pool of advocates."""
    world = World()
    world.records += [_institution(iid, name, kind) for iid, name, kind in FEDERAL]
    for r, (region, city) in enumerate(REGIONS):
        world.records.append(_institution(f"i-r{r:02d}-prosecutor", f"Военная прокуратура (г. {city})", "prosecutor",
                                          region, "i-prosecutor-general"))
        for k in range(rng.randint(1, 3)):
            world.facilities.append(_facility(rng, world, r, k, region, city))
    for a in range(max(1, cases // 500)):
        pid = f"p-{ADVOCATE_IDS + a:08d}"
        world.advocates.append(pid)
        world.records.append({"record": "person", "id": pid, "pseudonym": f"Правозащитник {a + 1}",
                              "role": "advocate", "service_status": "civilian", "full_name": full_name(rng),
                              "contacts": f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}"
                                          f"-{rng.randint(10, 99)}"})
    return world
