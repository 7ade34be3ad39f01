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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATING_5 = "rating_5"
RATING_10 = "rating_10"
RATING_RANGES = {RATING_5: (1, 5), RATING_10: (0, 10)}
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# Results (and session satisfaction) are shown only for groups of at least this many responses.
MIN_RESPONSES = 3
# Net promoter score on a 0-10 question: promoters answer 9-10, detractors 0-6, passives 7-8.
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6


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


def mean_normalised(kind: str, counts: Mapping[int, int]) -> Decimal | None:
    """The mean of a rating question's answers normalised to 0-100, from its distribution
    (value → how many answered it), half-up to 2 decimals; None when nobody answered.
    E.g. 1-5 answers 5, 4, 4, 3 → (100 + 75 + 75 + 50) / 4 = 75.00."""
    answered = sum(counts.values())
    if not answered:
        return None
    total = sum(normalise(kind, value) * n for value, n in counts.items())
    return round_half_up(total / answered)


@dataclass(frozen=True)
class NetPromoter:
    """Net promoter score of a 0-10 question: promoters (9-10) minus detractors (0-6) as a
    share of everyone who answered, in percentage points (-100 to +100)."""

    promoters: int
    passives: int
    detractors: int

    @property
    def answered(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> Decimal | None:
        """Half-up to 1 decimal; None when nobody answered. 2 promoters, 1 passive and 1
        detractor → (2 - 1) / 4 x 100 = 25.0."""
        if not self.answered:
            return None
        value = Decimal(self.promoters - self.detractors) * HUNDRED / self.answered
        return round_half_up(value, Decimal("0.1"))


def net_promoter(counts: Mapping[int, int]) -> NetPromoter:
    """``counts``: value (0-10) → how many answered it."""
    return NetPromoter(
        promoters=sum(n for v, n in counts.items() if v >= NPS_PROMOTER_MIN),
        passives=sum(n for v, n in counts.items() if NPS_DETRACTOR_MAX < v < NPS_PROMOTER_MIN),
        detractors=sum(n for v, n in counts.items() if v <= NPS_DETRACTOR_MAX),
    )
