"""Disclosure control: the one check every number that leaves dutycare goes through (pages, API, CSV, charts,
reports).

A set of linked tables is given as cells (each a count with a key) and the additive relations between them (a
row's cells add up to its total, a region's facilities to the region, ...). `protect` suppresses every cell below
the threshold (primary suppression), then keeps suppressing further cells (secondary suppression) until no
suppressed cell can be recovered from what is still shown: neither exactly from the relations (linear algebra)
nor by the bounds the relations and non-negative counts leave (a linear programme per suppressed cell, which is
what an attacker would solve). Cells a publication already showed (``shown``) are never suppressed again; when
they make protection impossible, the result says so and nothing may be published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEFAULT_THRESHOLD = 10
CellKey = Any
Relation = tuple[tuple[CellKey, int], ...]
"""Cells with coefficients whose weighted sum is zero, e.g. ((with, 1), (without, 1), (total, -1))."""


@dataclass(frozen=True)
class Protected:
    """Which cells may be shown and which are suppressed, and whether protection succeeded at all."""

    values: Mapping[CellKey, int]
    suppressed: frozenset[CellKey]
    primary: frozenset[CellKey]
    threshold: int
    possible: bool = True

    def shown(self, key: CellKey) -> int | None:
        """The count of a cell, or None where it is suppressed."""
        return None if key in self.suppressed else self.values[key]

    def visible(self, *keys: CellKey) -> bool:
        """Whether every one of these cells is shown (a rate or interval built from them may then be shown)."""
        return all(k not in self.suppressed for k in keys)


@dataclass
class _System:
    keys: list[CellKey]
    index: dict[CellKey, int]
    matrix: np.ndarray
    values: np.ndarray
    relations: list[Relation] = field(default_factory=list)


def _system(values: Mapping[CellKey, int], relations: Sequence[Relation]) -> _System:
    keys = list(values)
    index = {k: i for i, k in enumerate(keys)}
    matrix = np.zeros((len(relations), len(keys)))
    for r, relation in enumerate(relations):
        for key, coefficient in relation:
            matrix[r, index[key]] += coefficient
    return _System(keys, index, matrix, np.array([float(values[k]) for k in keys]), list(relations))


def _exactly_determined(s: _System, hidden: list[int]) -> list[int]:
    """Hidden cells whose value follows from the relations alone (their unit vector lies in the row space)."""
    if not hidden or not len(s.relations):
        return []
    sub = s.matrix[:, hidden]
    # A hidden cell is free exactly when some vector of the null space of sub moves it.
    _, sing, vt = np.linalg.svd(sub)
    rank = int((sing > 1e-9).sum())
    null = vt[rank:]
    if null.shape[0] == 0:
        return list(hidden)
    moves = np.abs(null).max(axis=0)
    return [h for h, m in zip(hidden, moves, strict=True) if m < 1e-9]


def _bounded(s: _System, hidden: list[int]) -> list[int]:
    """Hidden cells whose smallest and largest values consistent with everything shown (counts are never
    negative) coincide: what an attacker solving the linear programme would learn."""
    from scipy.optimize import linprog  # imported here: SciPy takes seconds to load, and most commands never solve

    if not hidden:
        return []
    shown = [i for i in range(len(s.keys)) if i not in set(hidden)]
    rows = [r for r in range(len(s.relations)) if np.any(s.matrix[r, hidden])]
    if not rows:
        return []
    a = s.matrix[np.ix_(rows, hidden)]
    b = -s.matrix[np.ix_(rows, shown)] @ s.values[shown] if shown else np.zeros(len(rows))
    out = []
    for j, h in enumerate(hidden):
        c = np.zeros(len(hidden))
        c[j] = 1.0
        low = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        if low.status != 0 or high.status != 0:
            continue  # unbounded above: certainly not recoverable
        if -high.fun - low.fun < 0.5:
            out.append(h)
    return out


def _pair_up(s: _System, hidden: set[int], fixed: set[int]) -> None:
    """The usual first pass of secondary suppression: until no relation holds exactly one suppressed cell, suppress
    one more cell of each such relation, preferring a cell already tied to other suppressed cells, then the
    smallest count (so a part before its total)."""
    members = [set(int(i) for i in np.flatnonzero(s.matrix[r])) for r in range(len(s.relations))]
    of_cell: dict[int, list[int]] = {}
    for r, cells in enumerate(members):
        for c in cells:
            of_cell.setdefault(c, []).append(r)
    changed = True
    while changed:
        changed = False
        for cells in members:
            if len(cells & hidden) != 1:
                continue
            candidates = [c for c in cells if c not in hidden and c not in fixed]
            if not candidates:
                continue
            tied = {c: sum(1 for r in of_cell[c] if members[r] & hidden) for c in candidates}
            pick = min(candidates, key=lambda c: (-tied[c], s.values[c], c))
            hidden.add(pick)
            changed = True


def _next_to_suppress(s: _System, exposed: list[int], hidden: set[int], fixed: set[int]) -> int | None:
    """Another cell to suppress: of the cells sharing a relation with an exposed one, the one that leaves the
    fewest cells exactly determined, then the smallest count (a part before its total)."""
    candidates: set[int] = set()
    for e in exposed:
        for r in np.flatnonzero(s.matrix[:, e]):
            candidates.update(int(i) for i in np.flatnonzero(s.matrix[r]) if i not in hidden and i not in fixed)
    best: tuple[int, float, int] | None = None
    for c in sorted(candidates):
        left = len(_exactly_determined(s, sorted(hidden | {c})))
        rank = (left, float(s.values[c]), c)
        if best is None or rank < best:
            best = rank
    return None if best is None else best[2]


def protect(values: Mapping[CellKey, int], relations: Iterable[Relation], threshold: int = DEFAULT_THRESHOLD,
            shown: Iterable[CellKey] = ()) -> Protected:
    """Suppress every cell below ``threshold`` and enough others that none of them can be recovered."""
    if threshold < 1:
        raise ValueError("the disclosure threshold must be at least 1")
    s = _system(values, list(relations))
    fixed = {s.index[k] for k in shown if k in s.index}
    primary = {i for i, v in enumerate(s.values) if v < threshold}
    if primary & fixed:
        return Protected(values, frozenset(s.keys), frozenset(s.keys[i] for i in primary), threshold, False)
    hidden = set(primary)
    _pair_up(s, hidden, fixed)
    while True:
        ordered = sorted(hidden)
        exposed = _exactly_determined(s, ordered) or _bounded(s, ordered)
        if not exposed:
            break
        extra = _next_to_suppress(s, exposed, hidden, fixed)
        if extra is None:  # nothing left to hide: refuse rather than show a recoverable cell
            return Protected(values, frozenset(s.keys), frozenset(s.keys[i] for i in primary), threshold, False)
        hidden.add(extra)
    return Protected(values, frozenset(s.keys[i] for i in hidden), frozenset(s.keys[i] for i in primary), threshold)

