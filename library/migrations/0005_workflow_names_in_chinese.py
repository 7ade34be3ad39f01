"""Existing installs: the review workflow and its task get their Chinese names, and Wagtail's
default "Moderators approval" workflow is switched off where ours is installed (what
``library.services.library_install`` now does on a new install)."""

from django.db import migrations

RENAMES = {"HQ review": "总部审核"}
TASK_RENAMES = {"HQ curator approval": "总部课程负责人审批"}
WAGTAIL_DEFAULT = "Moderators approval"


def forwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    for old, new in RENAMES.items():
        if not Workflow.objects.filter(name=new).exists():
            Workflow.objects.filter(name=old).update(name=new)
    for old, new in TASK_RENAMES.items():
        if not Task.objects.filter(name=new).exists():
            Task.objects.filter(name=old).update(name=new)
    if not Workflow.objects.filter(name__in=RENAMES.values()).exists():
        return  # the library is not installed: Wagtail's default stays
    for default in Workflow.objects.filter(name=WAGTAIL_DEFAULT, active=True):
        states = WorkflowState.objects.filter(workflow=default, status="in_progress")
        TaskState.objects.filter(workflow_state__in=states, status="in_progress").update(
            status="cancelled"
        )
        states.update(status="cancelled")
        WorkflowPage.objects.filter(workflow=default).delete()
        WorkflowContentType.objects.filter(workflow=default).delete()
        default.active = False
        default.save(update_fields=["active"])
        Task.objects.filter(workflow_tasks__workflow=default).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0004_h5p_allow_list_versions_required"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
