"""Is a change in pass rate between two runs of the same cases more than chance? An exact McNemar test."""

from __future__ import annotations

from math import comb


def mcnemar_exact_p(*, regressions: int, fixes: int) -> float:
    """Two-sided exact McNemar p-value on the discordant pairs (pass→fail vs fail→pass), by the binomial test.

    Only cases whose outcome changed carry information; under "no difference" each change is a fair coin.
    """
    changed = regressions + fixes
    if changed == 0:
        return 1.0
    tail = sum(comb(changed, k) for k in range(min(regressions, fixes) + 1)) / 2**changed
    return min(1.0, 2 * tail)
