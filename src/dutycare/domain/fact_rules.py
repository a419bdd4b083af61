"""The rules that turn an analysed account into suggested facts, sentence by sentence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from dutycare.domain import fact_vocabulary as vocab
from dutycare.domain.fact_dates import suggest_dates
from dutycare.domain.fact_patterns import find, first
from dutycare.domain.suggested_facts import Analysis, FactKind, FoundName, Suggestion, Token, dedupe
from dutycare.domain.vocabulary import RefusalReason

AGE_BEFORE = frozenset({"он", "она", "я", "сын", "муж", "брат", "отец", "исполниться", "возраст", "всего", "быть",
                        "сыну", "мужу", "брату",
                        "сыночек", "парень", "ребенок", "мальчик", "внук", "племянник"})
# Reasons that say a refusal happened even where no word of refusing is near them.
STRONG_REASONS = frozenset({RefusalReason.UNWRITTEN_DIRECTIVE, RefusalReason.NO_CAPACITY, RefusalReason.NO_INDICATION,
                            RefusalReason.PAPERWORK})
SUBJECT_LIMIT = 300
_NOT_NAMES = frozenset({"минобороны", "рф", "россия"})


@dataclass
class _Sentence:
    """One sentence: its words, and the text they come from."""

    text: str
    tokens: Sequence[Token]
    claimed: dict[str, set[int]] = field(default_factory=dict)

    def quote(self, a: int, b: int) -> tuple[int, int, str]:
        start, end = self.tokens[a].start, self.tokens[b - 1].end
        return start, end, self.text[start:end]

    def span_text(self) -> str:
        return self.text[self.tokens[0].start:self.tokens[-1].end] if self.tokens else ""

    def claim(self, group: str, a: int, b: int) -> bool:
        """Claim words a..b for a group of patterns; False when some are already taken."""
        taken = self.claimed.setdefault(group, set())
        if taken & set(range(a, b)):
            return False
        taken.update(range(a, b))
        return True

    def negated(self, a: int) -> bool:
        return a > 0 and self.tokens[a - 1].lower == "не"

    def has(self, pattern: str) -> bool:
        return bool(find(pattern, self.tokens))


def _suggest(s: _Sentence, kind: FactKind, a: int, b: int, value: dict[str, object]) -> Suggestion:
    start, end, quote = s.quote(a, b)
    return Suggestion(kind.value, value, start, end, quote)


def _table(s: _Sentence, kind: FactKind, table: Sequence[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Matches of a (pattern, meaning) table, longer patterns first claiming their words."""
    out = []
    for pattern, meaning in table:
        for a, b in find(pattern, s.tokens):
            if s.claim(kind.value, a, b):
                out.append((a, b, meaning))
    return sorted(out)


def _name_end(s: _Sentence, b: int) -> int:
    """Past an institution's own name after its kind: «имени Бурденко», «№ 3», «12345», «Минобороны»."""
    tokens = s.tokens
    if b < len(tokens) and tokens[b].lower in ("имени", "им", "им."):
        return min(b + 2, len(tokens))
    if b < len(tokens) and s.text[tokens[b].start].isupper() and tokens[b].lemma not in _NOT_NAMES:
        return b + 1  # «госпиталь Вишневского», «ВВК Западного округа»
    while b < len(tokens) and (tokens[b].lower.isdigit() or tokens[b].lemma in ("минобороны",)):
        b += 1
    return b


def _institutions(s: _Sentence) -> list[Suggestion]:
    table = [(p, t.value) for p, t in vocab.INSTITUTIONS]
    return [_suggest(s, FactKind.INSTITUTION, a, b, {"type": t, "name": s.quote(a, _name_end(s, b))[2]})
            for a, b, t in _table(s, FactKind.INSTITUTION, table)]


def _body_parts(s: _Sentence) -> list[tuple[int, int, str]]:
    if not s.has(vocab.MEDICAL_CONTEXT) and not any(find(p, s.tokens) for p, _ in vocab.INJURIES):
        return []
    return [(a, b, meaning or s.tokens[a].lemma) for a, b, meaning in _table(s, FactKind.BODY_PART, vocab.BODY_PARTS)]


def _injuries(s: _Sentence) -> list[Suggestion]:
    parts = _body_parts(s)
    out = [_suggest(s, FactKind.BODY_PART, a, b, {"body_part": part}) for a, b, part in parts]
    for a, b, kind in _table(s, FactKind.INJURY, vocab.INJURIES):
        value: dict[str, object] = {"kind": kind, "injury": s.quote(a, b)[2]}
        if parts:
            value["body_part"] = min(parts, key=lambda p: abs(p[0] - a))[2]
        out.append(_suggest(s, FactKind.INJURY, a, b, value))
    return out


def _fitness(s: _Sentence) -> list[Suggestion]:
    letters = [(a, b) for a, b in find(vocab.CATEGORY, s.tokens)]
    decisions = [(a, b, d) for a, b, d in _table(s, FactKind.FITNESS_DECISION, vocab.FITNESS)]
    if not letters and not decisions:
        return []
    if letters:
        a, b = letters[0]
        letter = vocab.CATEGORY_LETTERS[s.tokens[b - 1].lower]
        spans = [(a, b)] + [(x, y) for x, y, _ in decisions]
        value: dict[str, object] = {"decision": letter, "category": letter}
        return [_suggest(s, FactKind.FITNESS_DECISION, min(x for x, _ in spans), max(y for _, y in spans), value)]
    out = []
    for a, b, decision in decisions:
        value = {"decision": decision}
        if decision != "годен":
            value["category"] = decision
        out.append(_suggest(s, FactKind.FITNESS_DECISION, a, b, value))
    return out[:1]


def _urgency(s: _Sentence) -> str | None:
    for pattern, urgency in vocab.URGENCY:
        if s.has(pattern):
            return urgency
    return None


def _treatment(s: _Sentence, a: int = 0, b: int | None = None) -> str | None:
    span = first([vocab.TREATMENTS], s.tokens[a:b])
    return s.tokens[a + span[0]].lemma if span else None


def _recommendations(s: _Sentence) -> list[Suggestion]:
    out = []
    for pattern in vocab.RECOMMENDATIONS:
        for a, b in find(pattern, s.tokens):
            if s.negated(a) or not s.claim(FactKind.RECOMMENDATION.value, a, b):
                continue
            value: dict[str, object] = {"treatment": _treatment(s, a, b) or s.tokens[b - 1].lemma}
            if (urgency := _urgency(s)) is not None:
                value["urgency"] = urgency
            out.append(_suggest(s, FactKind.RECOMMENDATION, a, b, value))
    return out[:1]


def _reason(s: _Sentence) -> tuple[int, int, RefusalReason] | None:
    found = [(a, b, r) for p, r in vocab.REFUSAL_REASONS for a, b in find(p, s.tokens)]
    if not found and (span := first(vocab.MALINGERING, s.tokens)) is not None:
        return span[0], span[1], RefusalReason.MALINGERING
    return min(found, key=lambda f: (f[0], f[1])) if found else None


def _refusal(s: _Sentence, previous: _Sentence | None, following: _Sentence | None) -> list[Suggestion]:
    trigger = first(vocab.REFUSALS, s.tokens)
    reason = _reason(s)
    if trigger is None:
        if reason is None or reason[2] not in STRONG_REASONS:
            return []
        if previous is not None and first(vocab.REFUSALS, previous.tokens) and _reason(previous) is None:
            return []  # the reason of the refusal just before
        trigger = (reason[0], reason[1])
    a, b = trigger
    value: dict[str, object] = {"reason_kind": RefusalReason.NONE_GIVEN.value}
    if (treatment := _treatment(s, a) or _treatment(s)) is not None:
        value["treatment"] = treatment
    source = s if reason is not None else following
    reason = reason if reason is not None else (_reason(following) if following is not None else None)
    if reason is not None and source is not None:
        value["reason_kind"] = reason[2].value
        if reason[1] > reason[0]:
            value["reason"] = source.quote(reason[0], reason[1])[2]
        if source is s and reason[1] > reason[0]:
            a, b = min(a, reason[0]), max(b, reason[1])
    return [_suggest(s, FactKind.REFUSAL, a, b, value)]


def _simple(s: _Sentence, kind: FactKind, patterns: Sequence[str], name: str) -> list[Suggestion]:
    span = first(patterns, s.tokens)
    if span is None or s.negated(span[0]):
        return []
    return [_suggest(s, kind, span[0], span[1], {name: s.quote(*span)[2]})]


def _complaint(s: _Sentence, institutions: Sequence[Suggestion]) -> list[Suggestion]:
    span = first(vocab.COMPLAINTS, s.tokens)
    addressees = [i for i in institutions if isinstance(i.value, dict) and
                  i.value.get("type") in {t.value for t in vocab.COMPLAINT_ADDRESSEES}]
    if span is None and addressees:
        span = first([vocab.APPEALS], s.tokens)
    if span is None:
        return []
    value: dict[str, object] = {"subject": s.span_text()[:SUBJECT_LIMIT]}
    for pattern, channel in vocab.COMPLAINT_CHANNELS:
        if s.has(pattern):
            value["channel"] = channel
            break
    if addressees:
        value["addressee"] = addressees[0].value["type"] if isinstance(addressees[0].value, dict) else ""
    return [_suggest(s, FactKind.COMPLAINT, span[0], span[1], value)]


def _ages(s: _Sentence, analysis: Analysis) -> list[Suggestion]:
    out = []
    name_ends = {n.end for n in analysis.names}
    for i, t in enumerate(s.tokens):
        if t.lower.endswith("-летний") and t.lower.split("-")[0].isdigit():
            out.append(_suggest(s, FactKind.AGE, i, i + 1, {"years": int(t.lower.split("-")[0])}))
            continue
        if not (t.lower.isdigit() and 16 <= int(t.lower) <= 90) or i + 1 >= len(s.tokens):
            continue
        unit = s.tokens[i + 1]
        before = s.tokens[i - 1] if i > 0 else None
        after = s.tokens[i + 2].lower if i + 2 < len(s.tokens) else ""
        if unit.lemma != "год" or after in ("назад", "спустя"):
            continue
        if before is None or before.lemma in AGE_BEFORE or before.lower in AGE_BEFORE or before.end in name_ends or \
                (before.lower == "в" and unit.lower == "лет"):
            out.append(_suggest(s, FactKind.AGE, i, i + 2, {"years": int(t.lower)}))
    return out


def _sentences(analysis: Analysis) -> list[_Sentence]:
    out = []
    for start, end in analysis.sentences:
        tokens = [t for t in analysis.tokens if start <= t.start < end]
        out.append(_Sentence(analysis.text, tokens))
    return out


def _in_sentence(s: _Sentence, near: tuple[_Sentence | None, _Sentence | None],
                 analysis: Analysis) -> list[Suggestion]:
    institutions = _institutions(s)
    recommended = _recommendations(s)
    injuries = [i for i in _injuries(s)  # «рекомендована ампутация» recommends, it does not report an injury
                if not any(r.start <= i.start < r.end for r in recommended if i.kind == FactKind.INJURY.value)]
    return [*institutions, *injuries, *_fitness(s), *recommended, *_refusal(s, *near),
            *_simple(s, FactKind.MALINGERING, vocab.MALINGERING, "statement"),
            *_simple(s, FactKind.DEPLOYMENT, vocab.DEPLOYMENTS, "destination"),
            *_complaint(s, institutions), *_ages(s, analysis)]


def _named_after(person: FoundName, institutions: Sequence[Suggestion]) -> bool:
    """Whether a name is part of an institution's own name («госпиталь имени Бурденко»)."""
    return any(i.start <= person.start and person.end <= i.start + len(str(i.value.get("name", "")))
               for i in institutions if isinstance(i.value, dict))


def suggest_from(analysis: Analysis, known_date: date | None = None) -> list[Suggestion]:
    """Every fact suggested from an analysed account, in text order."""
    sentences = _sentences(analysis)
    out: list[Suggestion] = suggest_dates(analysis, known_date)
    for i, s in enumerate(sentences):
        if s.tokens:
            near = (sentences[i - 1] if i else None, sentences[i + 1] if i + 1 < len(sentences) else None)
            out += _in_sentence(s, near, analysis)
    institutions = [s for s in out if s.kind == FactKind.INSTITUTION.value]
    out += [Suggestion(FactKind.PERSON.value, {"name": n.name}, n.start, n.end, analysis.text[n.start:n.end])
            for n in analysis.names if not _named_after(n, institutions)]
    return dedupe(out)
