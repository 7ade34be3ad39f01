"""Run daily (or hourly): remind once the completers who have not answered, close overdue
surveys (``evaluation.surveys.dispatch``); send the manager follow-ups now due, remind once,
close overdue ones (``evaluation.followups.services``). Every step is idempotent."""

from django.core.management.base import BaseCommand

from evaluation.followups.services import (
    followup_reminders_send,
    followups_close_overdue,
    followups_dispatch,
)
from evaluation.surveys.dispatch import survey_reminders_send, surveys_close_overdue


class Command(BaseCommand):
    help = (
        "Send survey reminders (once per survey) and close overdue surveys; send manager "
        "follow-ups that are due, remind once, close overdue ones."
    )

    def handle(self, *args, **options) -> None:
        reminded = survey_reminders_send()
        closed = surveys_close_overdue()
        self.stdout.write(f"reminded {reminded} learner(s), closed {closed} survey(s)")
        sent = followups_dispatch()
        followups_reminded = followup_reminders_send()
        followups_closed = followups_close_overdue()
        self.stdout.write(
            f"follow-ups: sent {sent['sent']}, no manager {sent['no_manager']}, "
            f"reminded {followups_reminded}, closed {followups_closed}"
        )
