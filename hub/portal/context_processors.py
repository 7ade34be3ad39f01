"""Navigation for the base template: which links the user's roles open."""

from django.http import HttpRequest

from hub.organisation import permissions
from hub.sessions.selectors import unread_notification_count


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "home_kind": permissions.home_kind(user),
            "people": permissions.can_browse_people(user),
            "cms": permissions.can_use_cms(user),
            "hq_admin": permissions.is_hq_admin(user),
            "django_admin": user.is_superuser,
            "trainer": permissions.is_trainer(user),
            "unread": unread_notification_count(
                employee_id=permissions.access_for(user).employee_id
            ),
        }
    }
