"""The roles beyond Learner and the groups of them the access rules use (no model here:
``RoleGrant`` rows hold the roles; ``hub.organisation.access`` and the scoping API read these)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles beyond Learner (every active employee is a learner)."""

    TRAINER = "trainer", _("Trainer")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    HQ_ADMIN = "hq_admin", _("HQ curator / training admin")
    TRAINING_LEAD = "training_lead", _("Training lead")


# Roles that read every branch's data.
HQ_ROLES = frozenset({Role.HQ_ADMIN, Role.TRAINING_LEAD})
# Roles whose holders may enter the Wagtail admin at /cms/ (the training lead only reads there).
CMS_ROLES = frozenset({Role.TRAINER, Role.HQ_ADMIN, Role.TRAINING_LEAD})
# Roles that write content in the admin (courses, H5P, videos): the CMS roles but the lead.
AUTHOR_ROLES = frozenset({Role.TRAINER, Role.HQ_ADMIN})
