"""One scoping API: which objects of each kind a user may see, and whether they may change one.

Every kind of object registers its rule here once (``register``), from its own layer's
``scoping`` module, so this bottom layer imports no upper one:

- ``visible(who, Model)`` → the queryset of ``Model`` rows ``who`` may see;
  ``Model.objects.visible_to(who)`` is the same rule as a queryset method (chain it after
  other filters, e.g. ``session.enrolments.visible_to(access)``);
- ``can_see(who, obj)`` / ``can_change(who, obj)`` answer for one object of any registered
  kind.

``who`` is a user or an ``Access`` (``access_for(user)``). The rules are built on the
primitives below: ``branch_q`` (the rows of the branches a manager manages) and ``own_q``
(the user's own rows), combined by ``scoped`` (HQ reads everything, else the union of the
conditions, nothing when none applies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet

from hub.organisation.access import Access

# A condition no row meets (an empty IN: Django skips the query when it stands alone).
NOTHING = Q(pk__in=[])


# How a user becomes an ``Access``: ``hub.organisation.permissions`` installs its
# ``access_for`` here when imported (it reads the models, whose querysets import this module,
# so this module may not import it).
_access_for: Callable[[object], Access] | None = None


def use_access_resolver(resolver: Callable[[object], Access]) -> None:
    global _access_for
    _access_for = resolver


def as_access(who) -> Access:
    """``who`` is a user (anonymous included) or an ``Access`` already computed."""
    if isinstance(who, Access):
        return who
    if _access_for is None:
        raise RuntimeError("hub.organisation.permissions is not loaded (HubConfig.ready loads it)")
    return _access_for(who)


def branch_q(access: Access, path: str = "branch") -> Q:
    """Rows whose ``path`` (a branch) is one the user manages; NOTHING for a non-manager."""
    if not access.managed_branch_ids:
        return NOTHING
    return Q(**{f"{path}__in": access.managed_branch_ids})


def own_q(access: Access, path: str = "pk") -> Q:
    """Rows whose ``path`` (an employee) is the user themselves; NOTHING without a record."""
    if access.employee_id is None:
        return NOTHING
    return Q(**{path: access.employee_id})


def scoped(qs: QuerySet, access: Access, *conditions: Q) -> QuerySet:
    """HQ (who reads every branch) gets ``qs``; anyone else the rows meeting one of
    ``conditions``; none at all when no condition applies to them."""
    if access.is_hq:
        return qs
    live = [q for q in conditions if q is not NOTHING]
    if not live:
        return qs.none()
    condition = live[0]
    for q in live[1:]:
        condition |= q
    return qs.filter(condition)


# --- the registry ------------------------------------------------------------------------------

VisibleRule = Callable[["Access", QuerySet], QuerySet]
ObjectRule = Callable[["Access", models.Model], bool]


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    visible: VisibleRule
    change: ObjectRule
    see: ObjectRule | None = None


_KINDS: dict[type[models.Model], Kind] = {}


def register(
    model: type[models.Model],
    *,
    visible: VisibleRule,
    change: ObjectRule,
    see: ObjectRule | None = None,
) -> None:
    """Register ``model``'s rules: ``visible(access, queryset)`` narrows a queryset of the
    model to what the user may see; ``change(access, obj)`` says whether they may change one.
    ``see(access, obj)`` is optional: without it ``can_see`` asks the database through
    ``visible``."""
    _KINDS[model] = Kind(model=model, visible=visible, change=change, see=see)


def kinds() -> list[Kind]:
    """Every registered kind (the scoping test walks them all)."""
    return list(_KINDS.values())


def _kind(model: type[models.Model]) -> Kind:
    try:
        return _KINDS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no scoping rule: register one") from None


def visible(who, model: type[models.Model]) -> QuerySet:
    """The rows of ``model`` that ``who`` may see."""
    return _kind(model).visible(as_access(who), model._default_manager.all())


def can_see(who, obj: models.Model) -> bool:
    kind = _kind(type(obj))
    access = as_access(who)
    if kind.see is not None:
        return kind.see(access, obj)
    return kind.visible(access, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def can_change(who, obj: models.Model) -> bool:
    return _kind(type(obj)).change(as_access(who), obj)


class ScopedQuerySet(QuerySet):
    """A queryset that knows its model's scoping rule: ``.visible_to(who)``."""

    def visible_to(self, who) -> QuerySet:
        return _kind(self.model).visible(as_access(who), self)
