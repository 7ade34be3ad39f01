"""Four simultaneous "Apply" clicks on one metric import: applied once, one audit event.

PostgreSQL only: there the batch's row lock decides between live transactions; SQLite
serialises writes anyway."""

import threading

import pytest
from django.db import connection, connections

from evaluation.metrics import services
from evaluation.metrics.models import MetricImportBatch, MetricValue
from hub.organisation.models import AuditEvent
from tests.evaluation.metrics.test_imports import GOOD, upload, world  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writes are only real on PostgreSQL"
    ),
]


def test_parallel_applies_write_once(world):  # noqa: F811 - the imported fixture
    admin = world["admin"].user
    batch = services.metric_import_create(upload=upload(GOOD), actor=admin)
    assert batch.status == MetricImportBatch.Status.VALID
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def apply():
        try:
            barrier.wait(timeout=10)
            outcomes.append(
                services.metric_import_apply(
                    batch=MetricImportBatch.objects.get(pk=batch.pk), actor=admin
                )
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(outcomes) == [False, False, False, True]
    assert MetricValue.objects.count() == 4
    assert AuditEvent.objects.filter(action=AuditEvent.Action.METRIC_IMPORT_APPLIED).count() == 1
