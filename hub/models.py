"""Registers hub's models with Django; code imports each model from its own layer.

Django imports ``<app>.models`` to find an app's models: hub's live in the organisation,
sessions and needs layers. Nothing else imports this module (an import-linter contract keeps
it so), which is what keeps the layers from importing each other through it.
"""

from hub.needs.models import NeedEvent, TrainingNeed, TrainingPlan  # noqa: F401
from hub.organisation.models import (  # noqa: F401
    AuditEvent,
    Branch,
    Employee,
    ImportBatch,
    PerformanceGrade,
    Region,
    RoleGrant,
    Team,
)
from hub.sessions.models import (  # noqa: F401
    Attendance,
    CalendarFeedToken,
    Enrolment,
    Notification,
    Session,
    SessionSettings,
)
