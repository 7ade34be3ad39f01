"""``manage.py import_people FILE [--dry-run] [--actor USERNAME]``: the HR import from a shell.

Same validation and apply as the web page (``hub.organisation.imports``): all-or-nothing,
every bad row listed as ``line N: column: message``, exit status 1 when the file has errors.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hub.organisation.imports.apply import plan_apply
from hub.organisation.imports.validation import plan_file
from hub.organisation.permissions import is_hq_admin


class Command(BaseCommand):
    help = "Import branches and employees from a CSV or XLSX file (upsert by employee number)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )
        parser.add_argument(
            "--actor", help="username recorded as the importer in the audit log (an HQ admin)"
        )

    def handle(self, *args, file: Path, dry_run: bool, actor: str | None, **options) -> None:
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(_("No user named %(name)s.") % {"name": actor})
            if not is_hq_admin(user):
                raise CommandError(_("%(name)s is not an HQ admin.") % {"name": actor})
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc}
            ) from exc

        plan = plan_file(
            data=data,
            file_name=file.name,
            max_rows=settings.LECTERN_IMPORT_MAX_ROWS,
            progress=self._progress(),
        )
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(error.as_text())
            raise CommandError(
                _("%(errors)s error(s) in %(rows)s row(s) of %(file)s; nothing was imported.")
                % {"errors": len(plan.errors), "rows": plan.error_rows, "file": file.name}
            )
        if dry_run:
            self.stdout.write(_("Dry run, nothing was written.") + " " + plan.summary())
            return
        plan_apply(plan=plan, actor=user)
        self.stdout.write(self.style.SUCCESS(_("Imported.") + " " + plan.summary()))

    def _progress(self):
        """Report on stderr each time another tenth of the rows has been checked."""
        last_tenth = -1

        def report(done: int, total: int) -> None:
            nonlocal last_tenth
            tenth = done * 10 // total if total else 10
            if tenth > last_tenth:
                last_tenth = tenth
                self.stderr.write(
                    _("checked %(done)s of %(total)s rows (%(percent)s%%)")
                    % {"done": done, "total": total, "percent": tenth * 10}
                )

        return report
