"""hub.registry: the apps' seed steps run in their order, and portal panels add to a page."""

from __future__ import annotations

import pytest

from hub import registry


def test_the_demo_seed_steps_are_discovered_in_their_order():
    steps = registry.discover_seed_steps()
    assert [step.name for step in steps] == [
        "library",
        "new-hire retention",
        "sessions",
        "recordings",
        "live room",
        "needs",
        "onboarding programme",
        "assignments",
        "surveys",
        "manager follow-ups",
        "outcome metrics",
        "refresh lifts",
        "return on training",
        "tiers",
    ]


def test_two_seed_steps_may_not_share_an_order():
    with pytest.raises(ValueError, match="taken by 'library'"):
        registry.seed_step(order=10, name="another")(lambda **kwargs: {})
    assert "another" not in {step.name for step in registry.discover_seed_steps()}


def test_portal_panels_add_their_context(monkeypatch):
    monkeypatch.setattr(registry, "_panels", {})
    registry.portal_panel("home", name="a")(lambda employee: {"a": employee})
    registry.portal_panel("home", name="b")(lambda employee: {"b": employee * 2})
    registry.portal_panel("my_learning", name="c")(lambda employee: {"c": 0})
    assert registry.panels_context("home", 3) == {"a": 3, "b": 6}
    assert registry.panels_context("my_teaching", 3) == {}


def test_evaluation_registers_its_portal_panels():
    pages = {page: set(providers) for page, providers in registry._panels.items()}
    assert pages["home"] >= {"evaluation.due"}
    assert pages["my_learning"] >= {"evaluation.due_and_grades"}
    assert pages["my_teaching"] >= {"evaluation.to_grade"}
