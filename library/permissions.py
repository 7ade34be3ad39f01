"""Who may see and do what in the library, on top of ``hub.permissions``.

Wagtail's group page permissions (granted by ``services.library_install``) decide what each role
may edit in the admin; these helpers decide what the learner-facing pages show.
"""

from __future__ import annotations

from hub.permissions import access_for, can_use_cms, is_hq_admin, is_trainer


def can_see_templates(user) -> bool:
    """Course templates and trainer notes: trainers, HQ curators, training leads, superusers."""
    return can_use_cms(user)


def can_create_from_template(user) -> bool:
    """Trainers build their courses from templates; HQ curators may too."""
    return is_trainer(user) or is_hq_admin(user)


def sees_derived_counts(user) -> bool:
    """HQ sees how many courses derive from each template."""
    return access_for(user).is_hq
