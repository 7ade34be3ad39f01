"""Registries through which the apps contribute to the composition layer (``hub.portal``,
``hub.seeding``) without it importing them. Project infrastructure: imports no layer.

- **Seed steps**: each app's ``seeding`` module registers the step that writes its part of the
  demo company (``@seed_step(order=..., name=...)``); ``hub.seeding`` finds them with
  ``discover_seed_steps`` and runs them in ``order``. A step is called as
  ``run(seed=..., scale=..., today=...)`` (``today`` may be None) and returns how many rows of
  each kind it created.
- **Portal panels**: an app registers, per portal page (``"home"``, ``"my_learning"``,
  ``"my_teaching"``), a provider ``provider(employee) -> dict`` of template context
  (``@portal_panel("home")``), connected from its ``AppConfig.ready``; the page adds
  ``panels_context(page, employee)`` to its context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

SeedRun = Callable[..., Mapping[str, int]]
PanelProvider = Callable[[object], dict]


@dataclass(frozen=True)
class SeedStep:
    order: int
    name: str
    run: SeedRun


_seed_steps: dict[str, SeedStep] = {}
_panels: dict[str, dict[str, PanelProvider]] = {}


def seed_step(*, order: int, name: str) -> Callable[[SeedRun], SeedRun]:
    """Decorator: register ``run`` as the demo seed step ``name``, run at ``order``
    (ascending). Registering a name again replaces it; two steps may not share an order."""

    def register(run: SeedRun) -> SeedRun:
        clash = [s.name for s in _seed_steps.values() if s.order == order and s.name != name]
        if clash:
            raise ValueError(f"seed step {name!r}: order {order} is taken by {clash[0]!r}")
        _seed_steps[name] = SeedStep(order=order, name=name, run=run)
        return run

    return register


def discover_seed_steps() -> list[SeedStep]:
    """Import every installed app's ``seeding`` module, then the registered steps in order."""
    autodiscover_modules("seeding")
    return sorted(_seed_steps.values(), key=lambda step: step.order)


def portal_panel(page: str, *, name: str | None = None) -> Callable[[PanelProvider], PanelProvider]:
    """Decorator: ``provider(employee) -> dict`` adds to the context of portal page ``page``."""

    def register(provider: PanelProvider) -> PanelProvider:
        key = name or f"{provider.__module__}.{provider.__qualname__}"
        _panels.setdefault(page, {})[key] = provider
        return provider

    return register


def panels_context(page: str, employee) -> dict:
    """The context every provider registered for ``page`` gives for ``employee``."""
    context: dict = {}
    for provider in _panels.get(page, {}).values():
        context.update(provider(employee))
    return context
