"""Precision and recall of suggested facts, per fact kind and for event types, on the labelled Russian accounts.

The accounts (tests/data/suggested_facts/accounts.json) carry the facts a caseworker would take from each, as
(kind, key) pairs: a date's partial-date text, an institution's type, a refusal's kind of reason, a fitness
decision's category, and so on (docs/suggested-facts.md). A suggestion counts as right when its (kind, key) is
among the account's facts; repeated mentions of one fact count once. "Event types" compares the set of event
types the suggestions prefill with the set the caseworker's facts imply. Figures are given for the held-out
accounts ('test': never looked at while writing the rules), the 'dev' accounts, and all.

Speed: accounts per second once the models are loaded; the baseline, measured in the same run, only lemmatises
the same texts with pymorphy3 (the least any lemma-based reading must do), so the ratio shows what dates, names
and the rules cost on top.

    python benchmarks/bench_suggested_facts.py [--show-errors dev]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from dutycare.bootstrap import fact_suggester
from dutycare.domain.suggested_facts import EVENT_OF_KIND, FactKind, Suggestion

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report as bench_report

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "suggested_facts" / "accounts.json"
AIM = {"date": (0.8, 0.7), "institution": (0.8, 0.7), "event types": (0.8, 0.7)}
EVENT_TYPES = "event types"


def _fold(key: str) -> str:
    """A key as compared: «ё» and «е» are one letter here (names are often written either way)."""
    return key.replace("ё", "е").replace("Ё", "Е")


def facts_of(suggestions: list[Suggestion]) -> set[tuple[str, str]]:
    """The distinct (kind, key) facts of the suggestions, with the event types they prefill."""
    found = {(s.kind, _fold(s.key)) for s in suggestions}
    return found | {(EVENT_TYPES, str(s.event_type.value)) for s in suggestions if s.event_type}


def gold_of(account: dict[str, Any]) -> set[tuple[str, str]]:
    """The account's labelled facts, with the event types they imply."""
    facts = {(f["kind"], _fold(str(f["key"]))) for f in account["facts"]}
    return facts | {(EVENT_TYPES, EVENT_OF_KIND[FactKind(k)].value) for k, _ in facts if FactKind(k) in EVENT_OF_KIND}


def score(pairs: list[tuple[set[tuple[str, str]], set[tuple[str, str]]]]) -> dict[str, tuple[int, int, int]]:
    """True positives, suggested and labelled counts per kind."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for found, gold in pairs:
        for kind, _ in found:
            counts[kind][1] += 1
        for kind, _ in gold:
            counts[kind][2] += 1
        for kind, _ in found & gold:
            counts[kind][0] += 1
    return {k: (v[0], v[1], v[2]) for k, v in counts.items()}


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def print_table(title: str, counts: dict[str, tuple[int, int, int]]) -> None:
    print(f"\n{title}\n  {'kind':<18} {'precision':>9} {'recall':>7} {'right':>6} {'found':>6} {'labelled':>8}")
    order = [k.value for k in FactKind] + [EVENT_TYPES]
    for kind in order:
        if kind not in counts:
            continue
        tp, found, gold = counts[kind]
        print(f"  {kind:<18} {_ratio(tp, found):>9.2f} {_ratio(tp, gold):>7.2f} {tp:>6} {found:>6} {gold:>8}")
    tp, found, gold = (sum(v[i] for v in counts.values()) for i in range(3))
    print(f"  {'all kinds':<18} {_ratio(tp, found):>9.2f} {_ratio(tp, gold):>7.2f} {tp:>6} {found:>6} {gold:>8}")


def show_errors(account: dict[str, Any], found: set[tuple[str, str]], gold: set[tuple[str, str]]) -> None:
    missed, extra = sorted(gold - found), sorted(found - gold)
    if missed or extra:
        print(f"\n{account['id']}: missed {missed}\n      extra  {extra}")


def baseline_seconds(texts: list[str]) -> float:
    """Lemmatising every word of the texts with pymorphy3 alone (its analyser loaded beforehand)."""
    import pymorphy3  # type: ignore[import-untyped]

    morph = pymorphy3.MorphAnalyzer()
    started = time.perf_counter()
    for text in texts:
        for word in re.findall(r"\w+", text):
            morph.parse(word.lower())[0].normal_form  # noqa: B018 - the work being measured
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-errors", choices=("dev", "test", "all"), help="List each account's misses.")
    parser.add_argument("--rounds", type=int, default=3, help="Timed passes over the accounts (default 3).")
    args = parser.parse_args()
    accounts = json.loads(DATA.read_text(encoding="utf-8"))["accounts"]
    suggester = fact_suggester()
    started = time.perf_counter()
    suggester.suggest("Прогрев моделей: 1 марта 2024 года в госпитале.")
    load = time.perf_counter() - started

    results: dict[str, list[tuple[set[tuple[str, str]], set[tuple[str, str]]]]] = defaultdict(list)
    for account in accounts:
        found = facts_of(suggester.suggest(account["text"], date.fromisoformat(account["known_date"])))
        gold = gold_of(account)
        for group in (account["set"], "all"):
            results[group].append((found, gold))
        if args.show_errors in (account["set"], "all"):
            show_errors(account, found, gold)

    tables = {g: score(results[g]) for g in ("test", "dev", "all")}
    for group, label in (("test", "held-out accounts"), ("dev", "dev accounts"), ("all", "all accounts")):
        print_table(f"{label} ({len(results[group])})", tables[group])

    texts = [a["text"] for a in accounts]
    started = time.perf_counter()
    for _ in range(args.rounds):
        for account in accounts:
            suggester.suggest(account["text"], date.fromisoformat(account["known_date"]))
    seconds = time.perf_counter() - started
    base = min(baseline_seconds(texts * args.rounds) for _ in range(2))
    per_s = len(texts) * args.rounds / seconds
    print(f"\nmodels loaded in {load:.2f} s; {per_s:.1f} accounts/s (lemmatising alone: "
          f"{len(texts) * args.rounds / base:.1f}/s)")

    for group, label in (("test", "held-out"), ("all", "all")):
        for kind, (tp, found, gold) in sorted(tables[group].items()):
            aim = AIM.get(kind)
            for i, (measure, value) in enumerate((("precision", _ratio(tp, found)), ("recall", _ratio(tp, gold)))):
                bench_report(f"suggested facts, {kind}, {label} accounts: {measure}", round(value, 2), "ratio",
                             target=f"≥ {aim[i]}" if aim else "", met=None if aim is None else value >= aim[i],
                             right=tp, found=found, labelled=gold)
    bench_report("suggested facts: accounts per second", round(per_s, 1), "accounts/s",
                 baseline=round(len(texts) * args.rounds / base, 1), baseline_label="pymorphy3 lemmas alone",
                 ratio=round(base and seconds / base, 1), load_seconds=round(load, 2))


if __name__ == "__main__":
    main()
