"""The library's demo seed step (``hub.registry.seed_step``): first after the company, since
the library's authors are the company's trainers (``library.demo.seed_library``)."""

from __future__ import annotations

from collections import Counter

from hub.registry import seed_step
from library.demo import seed_library


@seed_step(order=10, name="library")
def seed_library_step(*, seed: int, today=None, **kwargs) -> Counter[str]:
    return seed_library(seed=seed, today=today)
