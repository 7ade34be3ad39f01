"""What refreshes the stored session lifts (``SessionLift``): a background job
(``tasks.session_lifts_refresh``) queued after the commit of

- a session's delivery (``hub.sessions.signals.session_delivered``): the session and every
  ended session on its metrics (it joins their comparison windows as a trained branch);
- a change of metric values (``services.metric_values_changed``: an import applied, HQ's edit
  of a value): every ended session on those metrics;
- a change of a need's metric link (``NeedMetric`` saved or deleted) or of a linked need's
  sessions: the need's sessions and every ended session on its metric.

``manage.py refresh_lifts`` refreshes everything (from cron: lifts become measurable as time
passes). Connected from ``EvaluationConfig.ready``.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from evaluation.metrics.models import NeedMetric
from evaluation.metrics.services import metric_values_changed
from evaluation.metrics.tasks import session_lifts_refresh
from hub.needs.models import TrainingNeed
from hub.sessions.signals import session_delivered


def refresh_later(*, session_ids=(), metric_ids=()) -> None:
    """Queue one refresh of these sessions and metrics once the current transaction commits."""
    sessions, metrics = sorted(set(session_ids)), sorted(set(metric_ids))
    if sessions or metrics:
        transaction.on_commit(
            lambda: session_lifts_refresh.enqueue(session_ids=sessions, metric_ids=metrics)
        )


@receiver(session_delivered, dispatch_uid="evaluation.metrics.lifts_for_session")
def _session_delivered(sender, *, session, **kwargs) -> None:
    metric_ids = NeedMetric.objects.filter(need__sessions=session).values_list(
        "metric_id", flat=True
    )
    refresh_later(session_ids=[session.pk], metric_ids=list(metric_ids))


@receiver(metric_values_changed, dispatch_uid="evaluation.metrics.lifts_for_values")
def _values_changed(sender, *, metric_ids, **kwargs) -> None:
    refresh_later(metric_ids=metric_ids)


def _need_changed(need_ids) -> None:
    links = NeedMetric.objects.filter(need_id__in=need_ids)
    session_ids = TrainingNeed.sessions.through.objects.filter(
        trainingneed_id__in=need_ids
    ).values_list("session_id", flat=True)
    refresh_later(
        session_ids=list(session_ids), metric_ids=list(links.values_list("metric_id", flat=True))
    )


@receiver(post_save, sender=NeedMetric, dispatch_uid="evaluation.metrics.lifts_for_link")
@receiver(post_delete, sender=NeedMetric, dispatch_uid="evaluation.metrics.lifts_for_unlink")
def _link_changed(sender, *, instance: NeedMetric, **kwargs) -> None:
    _need_changed([instance.need_id])
    refresh_later(metric_ids=[instance.metric_id])


@receiver(
    m2m_changed, sender=TrainingNeed.sessions.through, dispatch_uid="evaluation.metrics.sessions"
)
def _need_sessions_changed(sender, *, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove"}:
        return
    _need_changed(list(pk_set or ()) if reverse else [instance.pk])
    refresh_later(session_ids=[instance.pk] if reverse else pk_set or ())
