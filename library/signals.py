"""Wagtail workflow signals: HQ's approval of a course makes it standard."""

from django.dispatch import receiver
from wagtail.models import WorkflowState
from wagtail.signals import workflow_approved

from library.models import CoursePage
from library.services import course_mark_standard


@receiver(workflow_approved, sender=WorkflowState)
def mark_approved_course_standard(sender, instance: WorkflowState, user=None, **kwargs) -> None:
    model = instance.content_type.model_class()
    if model is not None and issubclass(model, CoursePage):
        course_mark_standard(course_id=int(instance.object_id))
