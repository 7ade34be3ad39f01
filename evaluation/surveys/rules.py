"""The satisfaction score of one survey response (PRODUCT.md "Exact definitions"; the worked
example is in ``docs/evaluation.md``).

Each rating answered to a question in the satisfaction set is normalised to 0-100:

- rating 1-5: (v - 1) / 4 * 100  (1 → 0, 3 → 50, 5 → 100)
- rating 0-10 (NPS): v / 10 * 100  (0 → 0, 7 → 70, 10 → 100)

The response's satisfaction is the weighted mean of the normalised ratings it answered
(Σ weight * normalised / Σ weight over the answered ones: a skipped optional rating drops out
and the remaining weights are renormalised), rounded half-up to 2 decimals. A response that
answered none of them has no satisfaction (None).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

RATING_5 = "rating_5"
RATING_10 = "rating_10"
RATING_RANGES = {RATING_5: (1, 5), RATING_10: (0, 10)}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# Results (and session satisfaction) are shown only for groups of at least this many responses.
MIN_RESPONSES = 3


def normalise(kind: str, value: int) -> Decimal:
    """A rating on its scale as 0-100 (exact Decimal). ValueError when out of range."""
    low, high = RATING_RANGES[kind]
    if not low <= value <= high:
        raise ValueError(f"{kind} rating {value} outside {low}-{high}")
    return (Decimal(value) - low) / (high - low) * HUNDRED


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def satisfaction_score(ratings: Iterable[tuple[str, int | None, Decimal | int]]) -> Decimal | None:
    """``ratings``: (kind, value or None when skipped, weight) for each question in the
    satisfaction set. Returns the weighted mean of the answered ones, 0-100, half-up to 2
    decimals, or None when none was answered."""
    total = Decimal(0)
    weights = Decimal(0)
    for kind, value, weight in ratings:
        if value is None:
            continue
        weight = Decimal(weight)
        total += normalise(kind, value) * weight
        weights += weight
    if not weights:
        return None
    return round_half_up(total / weights)
