from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from hub.organisation.auth import EmployeeBackend
from hub.organisation.models import Branch, PositionCategory, Role


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or employee number"), required=False, max_length=100, strip=True
    )
    branch = forms.ChoiceField(label=_("Branch"), required=False)
    category = forms.ChoiceField(
        label=_("Position category"),
        required=False,
        choices=[("", _("All categories")), *PositionCategory.choices],
    )
    status = forms.ChoiceField(
        label=_("Employment"),
        required=False,
        choices=[("", _("Current staff")), ("left", _("Leavers")), ("all", _("Everyone"))],
    )

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", _("All branches"))] + [
            (b.code, f"{b.code} · {b.name}") for b in branches
        ]


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    branch = forms.ModelChoiceField(
        label=_("Branch (branch managers only)"),
        queryset=Branch.objects.order_by("code"),
        required=False,
        to_field_name="code",
    )


class FirstPasswordResetForm(PasswordResetForm):
    """Password reset that also serves first logins: people created by the HR import have no
    usable password yet, and Django's form skips them. Leavers never get a link."""

    def get_users(self, email):
        users = (
            get_user_model()
            ._default_manager.select_related("employee")
            .filter(email__iexact=email, is_active=True)
        )
        backend = EmployeeBackend()
        return (user for user in users if backend.user_can_authenticate(user))
