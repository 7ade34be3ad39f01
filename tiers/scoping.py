"""Scoping of trainer nominations and mentor pairings (see ``hub.organisation.scoping``).

- Nominations: HQ sees every one; a branch manager those of the branches they manage. HQ
  admins decide them (a manager nominates through ``tiers.services.nomination_create``).
- Mentor pairings: HQ sees every pairing; mentor and mentee see their own. HQ admins pair
  and unpair.
"""

from __future__ import annotations

from django.db.models import QuerySet

from hub.organisation import scoping
from hub.organisation.permissions import Access
from tiers.models import MentorPairing, TrainerNomination


def _visible_nominations(access: Access, qs: QuerySet) -> QuerySet:
    return scoping.scoped(qs, access, scoping.branch_q(access, "branch"))


def _visible_pairings(access: Access, qs: QuerySet) -> QuerySet:
    return scoping.scoped(
        qs, access, scoping.own_q(access, "mentor"), scoping.own_q(access, "mentee")
    )


def _hq_admin(access: Access, obj) -> bool:
    return access.is_hq_admin


scoping.register(TrainerNomination, visible=_visible_nominations, change=_hq_admin)
scoping.register(MentorPairing, visible=_visible_pairings, change=_hq_admin)
