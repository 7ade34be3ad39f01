"""Ten simultaneous "Create template" posts with one name (a double click, a reload): one
template. PostgreSQL only (SQLite serialises writes anyway)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from evaluation.surveys import editing
from evaluation.surveys.models import SurveyTemplate
from tests.factories import make_hq_admin

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writes are only real on PostgreSQL"
    ),
]


def test_parallel_creates_make_one_template():
    admin = make_hq_admin().user
    barrier = threading.Barrier(10)
    outcomes, errors = [], []

    def create():
        try:
            barrier.wait(timeout=10)
            editing.template_create(actor=admin, name="门店问卷")
            outcomes.append("created")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(outcomes) == ["created"] + ["refused"] * 9
    assert SurveyTemplate.objects.filter(name="门店问卷").count() == 1
