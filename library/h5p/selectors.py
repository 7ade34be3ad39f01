"""Reads for H5P: content for the player, a learner's best and latest score."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from hub.organisation.models import Employee
from library.h5p.models import H5PContent, H5PPendingPackage, H5PResult


def h5p_content_for_player(*, pk: int) -> H5PContent | None:
    return (
        H5PContent.objects.select_related("main_library")
        .prefetch_related("libraries")
        .filter(pk=pk)
        .first()
    )


def h5p_content_uses_library(*, content_id: int, folder: str) -> bool:
    """Whether ``folder`` (``<machineName>-<major>.<minor>``) is one of the content's libraries."""
    name, _, version = folder.rpartition("-")
    major, _, minor = version.partition(".")
    if not (name and major.isdigit() and minor.isdigit()):
        return False
    return H5PContent.libraries.through.objects.filter(
        h5pcontent_id=content_id,
        h5plibrary__machine_name=name,
        h5plibrary__major=int(major),
        h5plibrary__minor=int(minor),
    ).exists()


@dataclass(frozen=True)
class ScoreSummary:
    best: H5PResult | None
    latest: H5PResult | None
    attempts: int


def h5p_results_of(*, content: H5PContent, employee: Employee) -> QuerySet[H5PResult]:
    return H5PResult.objects.filter(content=content, employee=employee)


def h5p_score_summary(*, content: H5PContent, employee: Employee) -> ScoreSummary:
    """Best (highest scaled score, earliest on a tie), latest result and the number of
    results: three small indexed queries (one when there is none)."""
    results = h5p_results_of(content=content, employee=employee)
    latest = results.order_by("-created", "-pk").first()
    if latest is None:
        return ScoreSummary(None, None, 0)
    best = results.order_by("-score_scaled", "created", "pk").first()
    return ScoreSummary(best=best, latest=latest, attempts=results.count())


def h5p_pending_queue(*, uploaded_by=None) -> QuerySet[H5PPendingPackage]:
    """Uploads waiting for HQ approval, oldest first (only ``uploaded_by``'s if given)."""
    queue = H5PPendingPackage.objects.select_related("uploaded_by")
    return queue.filter(uploaded_by=uploaded_by) if uploaded_by is not None else queue


def course_h5p_content_ids(course) -> list[int]:
    """The ids of the H5P contents a course's body plays (its ``h5p`` blocks), in page order,
    each once. Read from the stream's stored data: no query."""
    ids: list[int] = []
    for block in course.body.raw_data:
        if block.get("type") != "h5p":
            continue
        content_id = (block.get("value") or {}).get("content")
        if isinstance(content_id, int) and content_id not in ids:
            ids.append(content_id)
    return ids
