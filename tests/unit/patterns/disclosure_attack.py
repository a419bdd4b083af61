"""The attacker of disclosure control: from published counts and the sums that tie them, the smallest and largest
value each suppressed cell can take (a linear programme per cell, counts never negative)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from scipy.optimize import linprog

Relation = Sequence[tuple[Hashable, int]]


def bounds(published: Mapping[Hashable, int | None],
           relations: Sequence[Relation]) -> dict[Hashable, tuple[float, float]]:
    """For every cell published as None, the range the attacker narrows it to."""
    hidden = [k for k, v in published.items() if v is None]
    where = {k: i for i, k in enumerate(hidden)}
    a = np.zeros((len(relations), len(hidden)))
    b = np.zeros(len(relations))
    for r, relation in enumerate(relations):
        for key, coefficient in relation:
            value = published[key]
            if value is None:
                a[r, where[key]] += coefficient
            else:
                b[r] -= coefficient * value
    out = {}
    for key, j in where.items():
        c = np.zeros(len(hidden))
        c[j] = 1
        low = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
        assert low.status == 0, "the published figures are inconsistent"
        out[key] = (float(low.fun), float("inf") if high.status == 3 else float(-high.fun))
    return out


def recovered(published: Mapping[Hashable, int | None], relations: Sequence[Relation]) -> list[Hashable]:
    """The suppressed cells whose value the attacker pins down exactly."""
    return [k for k, (low, high) in bounds(published, relations).items() if high - low < 0.5]
