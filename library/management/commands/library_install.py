"""``manage.py library_install``: create the library tree, its permissions and workflow."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from library.services import library_install


class Command(BaseCommand):
    help = (
        "Create (or complete) the courseware library: the page tree under Wagtail's root, the "
        "default site pointing at it, trainer and HQ page permissions and the 'HQ review' "
        "workflow. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        home = library_install()
        self.stdout.write(_("Library installed at %(url)s") % {"url": home.url})
