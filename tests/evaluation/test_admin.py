"""The Django admin is another way into assignments: it must not skip the services' rules."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from evaluation import services
from evaluation.models import Assignment, Grade, Submission
from tests.evaluation.helpers import make_assignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(session, trainer, enrolled):
    assignment = make_assignment(session, max_score=100)
    submission = services.submission_create(assignment=assignment, actor=enrolled.user, text="答")
    services.submission_grade(submission=submission, actor=trainer.user, score=80)
    return assignment


@pytest.fixture
def superuser_request():
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Lectern-1")
    request = RequestFactory().get("/django-admin/")
    request.user = user
    return request


def test_admin_form_refuses_max_score_below_a_given_score(graded, superuser_request):
    model_admin = admin.site._registry[Assignment]
    form_class = model_admin.get_form(superuser_request, graded)
    data = {
        "session": graded.session_id,
        "title": graded.title,
        "instructions": graded.instructions,
        "due_at_0": graded.due_at.strftime("%Y-%m-%d"),
        "due_at_1": graded.due_at.strftime("%H:%M:%S"),
        "max_score": 50,
        "created_at_0": graded.created_at.strftime("%Y-%m-%d"),
        "created_at_1": graded.created_at.strftime("%H:%M:%S"),
    }
    form = form_class(data, instance=graded)
    assert not form.is_valid()
    assert "max_score" in form.errors
    data["max_score"] = 80  # the boundary: equal to the highest score given
    assert form_class(data, instance=Assignment.objects.get(pk=graded.pk)).is_valid()


@pytest.mark.parametrize("model", [Submission, Grade])
def test_versions_and_grades_are_read_only_in_the_admin(model, graded, superuser_request):
    model_admin = admin.site._registry[model]
    obj = model.objects.get()
    assert model_admin.has_view_permission(superuser_request, obj)
    assert not model_admin.has_add_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request, obj)
