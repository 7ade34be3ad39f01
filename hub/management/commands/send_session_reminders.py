"""``manage.py send_session_reminders``: remind learners of sessions starting within a day.

Idempotent (each enrolment is reminded once), so cron may run it every hour.
"""

from django.core.management.base import BaseCommand

from hub.sessions.services import session_reminders_send


class Command(BaseCommand):
    help = "Send the day-before reminder of each enrolled session (once per enrolment)."

    def handle(self, *args, **options) -> None:
        sent = session_reminders_send()
        self.stdout.write(f"{sent} reminder(s) queued.")
