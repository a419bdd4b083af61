"""The synthetic data set: the same seed gives the same bytes, and it exercises everything the rules look at."""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter

from records_helpers import ListSource, LookupStore

from dutycare.domain.events import EventType
from dutycare.service_layer.bulk_import import NoProgress, RawRecord, check_source
from dutycare.synth import write_jsonl


def _text(cases: int, seed: int) -> str:
    out = io.StringIO()
    write_jsonl(out, cases, seed)
    return out.getvalue()


def test_the_same_seed_gives_identical_bytes_and_another_seed_does_not() -> None:
    first = hashlib.sha256(_text(300, 11).encode()).hexdigest()
    assert hashlib.sha256(_text(300, 11).encode()).hexdigest() == first
    assert hashlib.sha256(_text(300, 12).encode()).hexdigest() != first


def test_the_data_set_is_varied_where_the_rules_look() -> None:
    lines = [json.loads(line) for line in _text(2000, 5).splitlines()[1:]]
    events = [r for r in lines if r["record"] == "event"]
    types = Counter(e["type"] for e in events)
    assert set(types) == {t.value for t in EventType}, set(EventType) - set(types)
    assert 8 <= len(events) / 2000 <= 12, "about ten events per case"
    dates = [e["date"] for e in events]
    assert any(len(d) == 7 for d in dates) and any(d.startswith("~") for d in dates) and any("/" in d for d in dates)
    assert any(len(e["sources"]) > 1 for e in events)
    categories = Counter(e["details"]["category"] for e in events if e["type"] == "fitness_decision")
    assert set(categories) >= {"А", "Б", "В", "Г"}
    reasons = Counter(e["details"]["reason_kind"] for e in events if e["type"] == "treatment_refused")
    assert reasons["unwritten_directive"] > 0 and len(reasons) >= 5
    complaints = {e["id"] for e in events if e["type"] == "complaint"}
    answered = {e["details"]["complaint"] for e in events if e["type"] == "complaint_answered"}
    assert 0 < len(answered) < len(complaints), "some complaints are never answered"
    joint = [e for e in events if e["type"] == "complaint" and len(e["cases"]) > 1]
    assert joint and all(len(e["details"]["applicants"]) >= 2 for e in joint)
    bodies = {a for e in events if e["type"] == "complaint" for a in e["details"]["addressees"]}
    assert {"i-president", "i-prosecutor-general", "i-investigative-committee"} <= bodies


def test_facilities_behave_differently() -> None:
    lines = [json.loads(line) for line in _text(3000, 2).splitlines()[1:]]
    refused, recommended = Counter(), Counter()
    for e in (r for r in lines if r["record"] == "event"):
        if e["type"] == "treatment_refused":
            refused[e["institution"]] += 1
        elif e["type"] == "treatment_recommended":
            recommended[e["institution"]] += 1
    rates = sorted(refused[i] / n for i, n in recommended.items() if n >= 30)
    assert rates[0] < 0.3 and rates[-1] > 0.55, rates


def test_every_record_is_valid() -> None:
    records = []
    for line in _text(400, 9).splitlines()[1:]:
        data = json.loads(line)
        records.append(RawRecord(data.pop("record"), data, "line"))
    checker = check_source(ListSource(records), LookupStore(), NoProgress())
    assert not checker.k.forward_references(), "written in dependency order"
