"""Login, password change and the first-password / reset flow."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, EmployeeFactory

pytestmark = pytest.mark.django_db


def test_login_and_logout(learner):
    client = Client()
    response = client.post(
        reverse("login"), {"username": learner.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == learner.user.pk
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_wrong_password_shows_error_in_chinese(learner):
    response = Client().post(
        reverse("login"), {"username": learner.user.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_password_change(client_for, learner):
    client = client_for(learner)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-better-passphrase-42",
            "new_password2": "a-much-better-passphrase-42",
        },
    )
    assert response.status_code == 302
    learner.user.refresh_from_db()
    assert learner.user.check_password("a-much-better-passphrase-42")


def _reset(email: str) -> None:
    Client().post(reverse("password_reset"), {"email": email})


def test_imported_employee_without_password_gets_a_first_password_link():
    employee = EmployeeFactory()
    employee.user.email = "wang@example.com"
    employee.user.set_unusable_password()
    employee.user.save()
    _reset("WANG@example.com")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "chosen-passphrase-77", "new_password2": "chosen-passphrase-77"},
    )
    assert Client().login(username=employee.user.username, password="chosen-passphrase-77")


def test_leaver_gets_no_reset_link():
    employee = EmployeeFactory(leave_date=dt.date(2024, 6, 30), hire_date=dt.date(2020, 1, 1))
    employee.user.email = "gone@example.com"
    employee.user.save()
    _reset("gone@example.com")
    assert mail.outbox == []
