"""``manage.py seed_demo``: the demo company and its well-known logins (see hub.seeding)."""

import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hub.seeding import DEMO_PASSWORD, ROLE_LABELS, SCALES, DemoLogin, SeedConflict, demo_seed

LOGINS_HEADING = f"Demo logins (password: {DEMO_PASSWORD})"
KIND_LABELS = {
    "demo e-mail addresses": gettext_lazy("demo e-mail addresses"),
    "sessions": gettext_lazy("sessions"),
    "session trainers": gettext_lazy("session trainer assignments"),
    "enrolments": gettext_lazy("enrolments"),
    "attendance records": gettext_lazy("attendance records"),
    "recordings": gettext_lazy("session recordings playing the demo video"),
    "live sessions": gettext_lazy("sessions live now"),
    "live questions": gettext_lazy("questions in the live room"),
    "demo media": gettext_lazy("demo media items (video, H5P)"),
    "regions": gettext_lazy("regions"),
    "branches": gettext_lazy("branches"),
    "teams": gettext_lazy("teams"),
    "users": gettext_lazy("user accounts"),
    "employees": gettext_lazy("employees"),
    "performance grades": gettext_lazy("performance grades"),
    "role grants": gettext_lazy("role grants"),
    "group memberships": gettext_lazy("group memberships"),
    "training needs": gettext_lazy("training needs"),
    "need events": gettext_lazy("need events"),
    "training plans": gettext_lazy("training plans"),
    "assignments": gettext_lazy("assignments"),
    "submissions": gettext_lazy("assignment submissions"),
    "assignment grades": gettext_lazy("assignment grades"),
    "trainer nominations": gettext_lazy("trainer nominations"),
    "mentor pairings": gettext_lazy("mentor pairings"),
    "mentoring sessions": gettext_lazy("mentoring sessions"),
    "mentor ratings": gettext_lazy("mentor ratings"),
    # The demo library (library.demo.seed_library).
    "library cases": gettext_lazy("library cases"),
    "search synonym groups": gettext_lazy("search synonym groups"),
    "course templates": gettext_lazy("course templates"),
    "process guides": gettext_lazy("process guides"),
    "published courses": gettext_lazy("published courses"),
    "standard courses": gettext_lazy("of them standard"),
    "draft courses": gettext_lazy("draft courses"),
    "courses in review": gettext_lazy("courses in HQ review"),
}


class Command(BaseCommand):
    help = (
        "Create the demo company: a Chinese HQ with branches, employees, trainers, managers and "
        "a year of performance grades, deterministic for a given --seed, and print the "
        "well-known logins (all with the password 'lectern-demo'). Re-running with the same "
        "seed and scale adds only what is missing, so a second run changes nothing. A database "
        "that holds a company from another seed or scale is refused; seed an empty database "
        "(e.g. after 'manage.py flush') to switch."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="small",
            help="small: HQ + 12 branches, 400 employees (default); "
            "large: HQ + 200 branches, 20,000 employees (the benchmark company).",
        )

    def handle(self, *args, seed: int, scale: str, verbosity: int = 1, **options) -> None:
        try:
            result = demo_seed(seed=seed, scale=SCALES[scale])
        except SeedConflict as exc:
            raise CommandError(str(exc)) from exc
        if verbosity == 0:
            return
        if result.already_seeded:
            self.stdout.write(
                _("The demo company (seed %(seed)s, scale %(scale)s) is already seeded.")
                % {"seed": seed, "scale": scale}
            )
        else:
            added = ", ".join(
                f"{count} {KIND_LABELS.get(kind, kind)}"
                for kind, count in result.created.items()
                if count
            )
            self.stdout.write(
                self.style.SUCCESS(
                    _("Seeded the demo company (seed %(seed)s, scale %(scale)s): %(added)s.")
                    % {"seed": seed, "scale": scale, "added": added}
                )
            )
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(LOGINS_HEADING))
        for line in login_lines(result.plan.logins):
            self.stdout.write(line)
        example = next(
            p.username for p in result.plan.employees if not p.is_login and not p.leave_date
        )
        self.stdout.write("")
        self.stdout.write(
            _(
                "Every other employee logs in with their employee number (e.g. %(example)s) "
                "and the same password; 'admin' is the superuser for /django-admin/."
            )
            % {"example": example}
        )


def role_label(role: str) -> str:
    """The role in Chinese and English, e.g. "内训师 / Trainer"."""
    with translation.override("zh-hans"):
        chinese = str(ROLE_LABELS[role])
    with translation.override("en"):
        english = str(ROLE_LABELS[role])
    return english if chinese == english else f"{chinese} / {english}"


def login_lines(logins: list[DemoLogin]) -> list[str]:
    """One aligned line per login: role, username, name, branch(es)."""
    rows = [
        (role_label(login.role), login.username, login.name or "—", "、".join(login.branches))
        for login in logins
    ]
    widths = [max(_width(row[column]) for row in rows) for column in range(3)]
    lines = []
    for row in rows:
        cells = [_pad(cell, width) for cell, width in zip(row[:3], widths, strict=True)]
        lines.append("  " + "  ".join([*cells, row[3]]).rstrip())
    return lines


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
