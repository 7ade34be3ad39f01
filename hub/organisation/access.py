"""``Access``: what one user may see and change, the value every rule and the scoping API
read. Computed from the user's employee record and role grants by
``hub.organisation.permissions.access_for`` (once per request, cached on the user)."""

from __future__ import annotations

from dataclasses import dataclass

from hub.organisation.roles import HQ_ROLES, Role


@dataclass(frozen=True)
class Access:
    """What one user may see, computed once per request and cached on the user object."""

    employee_id: int | None
    branch_id: int | None
    roles: frozenset[str]
    managed_branch_ids: frozenset[int]
    is_superuser: bool

    @property
    def is_hq(self) -> bool:
        """Reads every branch (HQ admin, training lead, superuser). Never a write check."""
        return self.is_superuser or bool(self.roles & HQ_ROLES)

    @property
    def is_hq_admin(self) -> bool:
        """Writes company-wide (HQ admin, superuser): the check of every HQ write."""
        return self.is_superuser or Role.HQ_ADMIN in self.roles

    @property
    def is_manager(self) -> bool:
        """Manages at least one branch."""
        return bool(self.managed_branch_ids)

    def manages(self, branch_id: int | None) -> bool:
        """Manages this branch (never a company-wide ``None``)."""
        return branch_id is not None and branch_id in self.managed_branch_ids


NO_ACCESS = Access(None, None, frozenset(), frozenset(), False)
