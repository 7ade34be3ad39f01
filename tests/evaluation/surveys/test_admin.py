"""The Django admin never changes a template version in use; its action copies it."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from evaluation.models import SurveySection, SurveyTemplate
from tests.evaluation.helpers import make_session
from tests.evaluation.surveys.helpers import default_template, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_():
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Lectern-1")
    request = RequestFactory().get("/django-admin/")
    request.user = user
    return request


def test_a_template_in_use_is_read_only_and_copied_by_the_action(request_):
    template = default_template()
    model_admin = admin.site._registry[SurveyTemplate]
    assert model_admin.has_change_permission(request_, template)
    make_survey(make_session(), template=template)
    assert not model_admin.has_change_permission(request_, template)
    section = SurveySection.objects.filter(template=template).first()
    assert not admin.site._registry[SurveySection].has_change_permission(request_, section)
    model_admin.new_version(request_, SurveyTemplate.objects.filter(pk=template.pk))
    copy = SurveyTemplate.objects.get(family=template.family, version=2)
    assert copy.is_current and model_admin.has_change_permission(request_, copy)
