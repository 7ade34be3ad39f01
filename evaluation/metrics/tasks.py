"""Background jobs of outcome metrics (django-tasks): refreshing the stored session lifts."""

from __future__ import annotations

from django_tasks import task

from evaluation.metrics.services import refresh_session_lifts


@task()
def session_lifts_refresh(
    session_ids: list[int] | None = None, metric_ids: list[int] | None = None
) -> dict[str, int]:
    """Refresh the stored lifts of ``session_ids`` and of every ended session linked to one of
    ``metric_ids`` (``services.refresh_session_lifts``; both None: every session)."""
    if session_ids is None and metric_ids is None:
        return refresh_session_lifts()
    return refresh_session_lifts(sessions=session_ids or [], metrics=metric_ids or [])
