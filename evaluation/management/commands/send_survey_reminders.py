"""Run every hour or so: remind once the completers who have not answered, close overdue
surveys (``evaluation.surveys.dispatch``)."""

from django.core.management.base import BaseCommand

from evaluation.surveys.dispatch import survey_reminders_send, surveys_close_overdue


class Command(BaseCommand):
    help = "Send survey reminders (once per survey) and close overdue surveys."

    def handle(self, *args, **options) -> None:
        reminded = survey_reminders_send()
        closed = surveys_close_overdue()
        self.stdout.write(f"reminded {reminded} learner(s), closed {closed} survey(s)")
