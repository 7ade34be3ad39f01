"""Authentication: an employee who has left keeps their history but can no longer log in."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist


class EmployeeBackend(ModelBackend):
    """ModelBackend that refuses leavers, both at login and for an existing session."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        try:
            employee = user.employee
        except ObjectDoesNotExist:
            return True  # a technical account (e.g. the superuser) has no employee record
        return not employee.has_left()

    def get_user(self, user_id):
        user_model = get_user_model()
        user = user_model._default_manager.select_related("employee").filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
