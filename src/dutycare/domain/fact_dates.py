"""Dates in an account, in the project's partial-date form: exact, month, season, part of a month, relative.

Exact dates come from the language adapter; month names, seasons and relative phrases are found here. A date
without its year takes the last year the account named before it, or else the latest such date not after the
known date (when the account was given); with neither it is not suggested.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dutycare.domain.dates import DateParseError, PartialDate, Precision
from dutycare.domain.suggested_facts import Analysis, FactKind, FoundDate, Suggestion, Token

MONTHS = {name: i for i, name in enumerate(
    ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь",
     "декабрь"), start=1)}
SEASONS = {"зима": (12, 2), "весна": (3, 5), "лето": (6, 8), "осень": (9, 11)}
SEASON_FORMS = {"зимой": "зима", "весной": "весна", "летом": "лето", "осенью": "осень"}
PART_OF_MONTH = {"начало": (1, 10), "середина": (11, 20), "конец": (21, 31)}
APPROXIMATELY = frozenset({"примерно", "около", "где-то", "приблизительно", "ориентировочно", "кажется", "вроде"})
NUMBERS = {"один": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7,
           "восемь": 8, "девять": 9, "десять": 10, "пара": 2, "полтора": 1}
UNITS = {"день": "day", "сутки": "day", "неделя": "week", "месяц": "month", "год": "year", "полгода": "half"}
LAST = frozenset({"прошлый", "позапрошлый", "минувший", "прошедший"})
THIS = frozenset({"этот", "нынешний", "текущий"})


@dataclass
class _Context:
    """What earlier dates in the account tell later ones: the last year named and the last exact day."""

    known: date | None
    year: int | None = None
    day: date | None = None
    last: date | None = None


def _year_of(tokens: Sequence[Token], i: int) -> tuple[int, int] | None:
    """A four-digit year (optionally followed by «год»/«г») at token i: (year, tokens used)."""
    if i < len(tokens) and tokens[i].lower.isdigit() and len(tokens[i].lower) == 4:
        used = 2 if i + 1 < len(tokens) and tokens[i + 1].lemma in ("год", "г") else 1
        return int(tokens[i].lower), used
    return None


def _year_for_month(ctx: _Context, month: int, day: int = 1) -> int | None:
    """The year of a month named alone: the account's last year (a year earlier if that is after the known date),
    else the latest such month not after the known date."""
    if ctx.year is not None:
        if ctx.known is not None and (ctx.year, month, day) > (ctx.known.year, ctx.known.month, ctx.known.day):
            return ctx.year - 1
        if ctx.last is not None and (month, day) < (ctx.last.month, 1) and ctx.last.year == ctx.year and (
                ctx.known is None or (ctx.year + 1, month, day) <= (ctx.known.year, ctx.known.month, ctx.known.day)):
            return ctx.year + 1  # accounts run forward: «осенью 2023 …, потом в январе» is January 2024
        return ctx.year
    if ctx.known is None:
        return None
    return ctx.known.year if (month, day) <= (ctx.known.month, ctx.known.day) else ctx.known.year - 1


def _approx(tokens: Sequence[Token], i: int) -> bool:
    return any(t.lower in APPROXIMATELY for t in tokens[max(0, i - 3):i])


def _valid(text: str) -> str | None:
    try:
        return PartialDate.parse(text).text
    except DateParseError:
        return None


def _found(fd: FoundDate, text: str, ctx: _Context) -> str | None:
    """A date the adapter found, completed with the context's year where it lacks one."""
    year = fd.year
    if year is not None and year < 1950 and len(text) < 10:  # «03.04.24»: a two-digit year of this century
        year += 100
    if fd.month is None:
        return f"{year:04d}" if year else None
    if year is None:
        year = _year_for_month(ctx, fd.month, fd.day or 1)
        if year is None:
            return None
    if fd.day is None:
        return f"{year:04d}-{fd.month:02d}"
    return f"{year:04d}-{fd.month:02d}-{fd.day:02d}"


def _month_phrase(tokens: Sequence[Token], i: int, ctx: _Context) -> tuple[str, int, int] | None:
    """«в декабре», «в начале марта», «в конце мая 2023»: (date text, first token, end token)."""
    first = i
    part = None
    if i > 0 and tokens[i - 1].lemma in PART_OF_MONTH:
        part, first = PART_OF_MONTH[tokens[i - 1].lemma], i - 1
    month = MONTHS[tokens[i].lemma]
    end = i + 1
    if (found := _year_of(tokens, end)) is not None:
        year: int | None = found[0]
        end += found[1]
    else:
        year = _year_for_month(ctx, month)
    if year is None:
        return None
    if part is None:
        return f"{year:04d}-{month:02d}", first, end
    last = min(part[1], calendar.monthrange(year, month)[1])
    return f"{year:04d}-{month:02d}-{part[0]:02d}/{year:04d}-{month:02d}-{last:02d}", first, end


def _season_range(season: str, year: int) -> str:
    start, end = SEASONS[season]
    if season == "зима":
        return f"{year - 1:04d}-12/{year:04d}-02"
    return f"{year:04d}-{start:02d}/{year:04d}-{end:02d}"


def _season_phrase(tokens: Sequence[Token], i: int, ctx: _Context) -> tuple[str, int, int] | None:
    """«осенью 2023», «прошлой зимой», «летом»: (date text, first token, end token)."""
    season = SEASON_FORMS.get(tokens[i].lower) or tokens[i].lemma
    first, end = i, i + 1
    before = tokens[i - 1].lemma if i > 0 else ""
    if (found := _year_of(tokens, end)) is not None:
        year: int | None = found[0]
        end += found[1]
    elif before in LAST | THIS and ctx.known is not None:
        first = i - 1
        year = _season_year(season, ctx.known, before in LAST)
    else:
        year = ctx.year if ctx.year is not None else (
            _season_year(season, ctx.known, False) if ctx.known is not None else None)
    if year is None:
        return None
    return _season_range(season, year), first, end


def _season_year(season: str, known: date, last: bool) -> int:
    """The year of the latest such season that has begun by the known date (the one before it for «прошлой»)."""
    start_month, end_month = SEASONS[season]
    year = known.year + (1 if season == "зима" and known.month == 12 else 0)
    begun = date(year - 1 if season == "зима" else year, start_month, 1) <= known
    year = year if begun else year - 1
    ongoing = known <= date(year, end_month, calendar.monthrange(year, end_month)[1])
    return year - 1 if last and ongoing else year


def _count(tokens: Sequence[Token], i: int) -> int | None:
    """A count («две», «3», «пару») at token i, or None."""
    if i < 0 or i >= len(tokens):
        return None
    t = tokens[i]
    if t.lower.isdigit() and len(t.lower) <= 3:
        return int(t.lower)
    return NUMBERS.get(t.lower) or NUMBERS.get(t.lemma)


def _shift(anchor: date, amount: int, unit: str) -> tuple[date, Precision]:
    if unit == "day":
        return anchor + timedelta(days=amount), Precision.DAY
    if unit == "week":
        return anchor + timedelta(weeks=amount), Precision.DAY
    months = amount * (12 if unit == "year" else 6 if unit == "half" else 1)
    month0 = anchor.month - 1 + months
    year, month = anchor.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1])), Precision.MONTH


def _as_text(day: date, precision: Precision) -> str:
    return "~" + (day.isoformat() if precision is Precision.DAY else day.isoformat()[:7])


def _relative(tokens: Sequence[Token], i: int, ctx: _Context) -> tuple[str, int, int] | None:
    """«через две недели» (after the last exact day), «три месяца назад» (before the known date)."""
    unit = UNITS[tokens[i].lemma]
    amount = _count(tokens, i - 1)
    first = i - 1 if amount is not None else i
    amount = amount if amount is not None else 1
    if first > 0 and tokens[first - 1].lemma in ("через", "спустя"):
        if ctx.day is None:
            return None
        day, precision = _shift(ctx.day, amount, unit)
        return _as_text(day, precision), first - 1, i + 1
    if i + 1 < len(tokens) and tokens[i + 1].lower in ("назад", "спустя"):
        anchor = ctx.known if tokens[i + 1].lower == "назад" else ctx.day
        if anchor is None:
            return None
        day, precision = _shift(anchor, -amount if tokens[i + 1].lower == "назад" else amount, unit)
        return _as_text(day, precision), first, i + 2
    return None


def _calendar_relative(tokens: Sequence[Token], i: int, ctx: _Context) -> tuple[str, int, int] | None:
    """«вчера», «в прошлом году», «в этом месяце» (against the known date)."""
    known = ctx.known
    if known is None:
        return None
    word = tokens[i].lower
    if word in ("вчера", "позавчера"):
        return (known - timedelta(days=1 if word == "вчера" else 2)).isoformat(), i, i + 1
    if i + 1 >= len(tokens) or tokens[i].lemma not in LAST | THIS:
        return None
    back = 0 if tokens[i].lemma in THIS else 2 if tokens[i].lemma == "позапрошлый" else 1
    unit = tokens[i + 1].lemma
    if unit == "год":
        return f"{known.year - back:04d}", i, i + 2
    if unit == "месяц":
        day, _ = _shift(known.replace(day=1), -back, "month")
        return day.isoformat()[:7], i, i + 2
    if unit == "неделя":
        monday = known - timedelta(days=known.weekday() + 7 * back)
        return f"{monday.isoformat()}/{(monday + timedelta(days=6)).isoformat()}", i, i + 2
    return None


def _remember(ctx: _Context, text: str) -> None:
    """Let a suggested date inform later ones: its year, and its day when it is exact."""
    pd = PartialDate.parse(text)
    ctx.year = pd.latest.year
    ctx.last = pd.latest if pd.precision is not Precision.YEAR else ctx.last
    if pd.precision is Precision.DAY:
        ctx.day = pd.earliest
    else:
        ctx.day = None  # «через три дня» after «в июне» has no day to count from


def _bare_year(tokens: Sequence[Token], i: int) -> tuple[str, int, int] | None:
    """«с 2022», «в 2023 году», «2023 года» (not «1998 года рождения»)."""
    found = _year_of(tokens, i)
    if found is None or not 1950 <= found[0] <= 2100:
        return None
    end = i + found[1]
    if end < len(tokens) and tokens[end].lemma in ("рождение", "р", "рожд", "г.р"):
        return None
    if found[1] == 1 and not (i > 0 and tokens[i - 1].lower in ("с", "в", "до", "по", "от", "со")):
        return None
    return f"{found[0]:04d}", i, end


def _phrase_at(tokens: Sequence[Token], i: int, ctx: _Context) -> tuple[str, int, int] | None:
    lemma = tokens[i].lemma
    if lemma.isdigit():
        return _bare_year(tokens, i)
    if lemma in MONTHS:
        return _month_phrase(tokens, i, ctx)
    if lemma in SEASONS or tokens[i].lower in SEASON_FORMS:
        return _season_phrase(tokens, i, ctx)
    if lemma in UNITS:
        return _relative(tokens, i, ctx)
    return _calendar_relative(tokens, i, ctx)


def suggest_dates(analysis: Analysis, known: date | None) -> list[Suggestion]:
    """Every date in the account, in text order, each completed from the dates before it."""
    tokens = analysis.tokens
    found = sorted(analysis.dates, key=lambda d: d.start)
    ctx = _Context(known)
    out: list[Suggestion] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        while found and found[0].start < (tokens[i - 1].end if i else 0):
            found.pop(0)  # inside a phrase already read («осенью 2022 года»)
        if found and found[0].start <= tok.start:
            fd = found.pop(0)
            part = fd.day is None and fd.month is not None and i > 0 and tokens[i - 1].lemma in PART_OF_MONTH
            if part and (phrase := _month_phrase(tokens, i, ctx)) is not None:  # «в начале марта 2024»
                if s := _date(analysis, tokens, phrase[1], phrase[2], phrase[0], ctx):
                    out.append(s)
                i = phrase[2]
                continue
            span = analysis.text[fd.start:fd.end]
            text = _found(fd, span, ctx)
            covered_end = next((j for j in range(i, len(tokens)) if tokens[j].start >= fd.end), len(tokens))
            if fd.day is None and fd.month is None and _birth(tokens, covered_end, analysis.text, fd.end):
                text = None
            covered = [j for j in range(i, len(tokens)) if tokens[j].start < fd.end]
            start_tok = covered[0] if covered else i
            if text and (s := _date(analysis, tokens, start_tok, max(covered, default=i) + 1, text, ctx)):
                out.append(s)
            i = max(covered, default=i) + 1
            continue
        phrase = _phrase_at(tokens, i, ctx)
        if phrase is not None:
            text, first, end = phrase
            if s := _date(analysis, tokens, first, end, text, ctx):
                out.append(s)
            i = end
            continue
        i += 1
    return out


def _birth(tokens: Sequence[Token], after: int, text: str, end: int) -> bool:
    """Whether a year is someone's year of birth («1998 года рождения», «1985 г. р.»)."""
    if after < len(tokens) and tokens[after].lemma in ("рождение", "р", "г.р", "рожд"):
        return True
    return bool(text[end:end + 6].replace(" ", "").lower().startswith(("г.р", "р.", "рожд")))


def _date(analysis: Analysis, tokens: Sequence[Token], first: int, end: int, text: str,
          ctx: _Context) -> Suggestion | None:
    if _approx(tokens, first) and not text.startswith("~"):
        text = "~" + text
    valid = _valid(text)
    if valid is None:
        return None
    _remember(ctx, valid)
    start, stop = tokens[first].start, tokens[end - 1].end
    return Suggestion(FactKind.DATE.value, valid, start, stop, analysis.text[start:stop])
