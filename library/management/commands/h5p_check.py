"""``manage.py h5p_check FILE...``: validate H5P packages without installing anything, and say
for each library version a valid package needs whether it is installed, allowed by HQ, or
would make the upload wait for an HQ admin's approval."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from library.h5p.services import h5p_library_plan
from library.h5p.validation import validate_package


class Command(BaseCommand):
    help = (
        "Validate .h5p packages: prints “OK <title>” and the allow-list verdict of each library "
        "version, or every error; exits 1 if any is invalid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files: list[str], **options) -> None:
        invalid = 0
        for file in files:
            path = Path(file)
            if not path.is_file():
                self.stdout.write(f"{file}: " + _("no such file"))
                invalid += 1
                continue
            with path.open("rb") as package:
                result = validate_package(package, name=path.name)
            errors = result.errors
            if result.is_valid:
                plan = h5p_library_plan(result.package)
                errors = plan.errors
            if not errors:
                self.stdout.write(f"{file}: OK {result.package.title}")
                self.write_verdicts(plan)
                continue
            invalid += 1
            self.stdout.write(
                f"{file}: " + _("INVALID (errors: %(count)d)") % {"count": len(errors)}
            )
            for error in errors:
                self.stdout.write(f"  [{error.code}] {error.message}")
        if invalid:
            raise CommandError(
                _("%(invalid)d of %(total)d packages are invalid.")
                % {"invalid": invalid, "total": len(files)},
                returncode=1,
            )

    def write_verdicts(self, plan) -> None:
        rows = [(key, str(library), _("already installed")) for key, library in plan.use.items()]
        for key, library in plan.install.items():
            verdict = _("needs HQ approval") if key in plan.unapproved else _("allowed")
            version = f"{library.machine_name} {library.major}.{library.minor}.{library.patch}"
            rows.append((key, version, verdict))
        for _key, version, verdict in sorted(rows):
            self.stdout.write(f"  {version}: {verdict}")
