"""``manage.py h5p_check FILE...``: validate H5P packages without installing anything."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from library.h5p.validation import validate_package


class Command(BaseCommand):
    help = "Validate .h5p packages: prints “OK <title>” or every error; exits 1 if any is invalid."

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
            if result.is_valid:
                self.stdout.write(f"{file}: OK {result.package.title}")
                continue
            invalid += 1
            self.stdout.write(
                f"{file}: " + _("INVALID (errors: %(count)d)") % {"count": len(result.errors)}
            )
            for error in result.errors:
                self.stdout.write(f"  [{error.code}] {error.message}")
        if invalid:
            raise CommandError(
                _("%(invalid)d of %(total)d packages are invalid.")
                % {"invalid": invalid, "total": len(files)},
                returncode=1,
            )
