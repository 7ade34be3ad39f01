"""The organisation: regions, branches, teams, employees, roles, grades and the audit trail."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from hub.organisation.roles import Role
from hub.organisation.scoping import ScopedQuerySet
from hub.storage import private_storage


def pinyin_key(text: str) -> str:
    """Sort and search key for Chinese text: its toneless pinyin, e.g. 张伟 → "zhangwei"."""
    return "".join(lazy_pinyin(text or "", errors="default")).replace(" ", "").lower()


class Region(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="branches", verbose_name=_("region")
    )
    is_hq = models.BooleanField(_("head office"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-is_hq", "code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        constraints = [
            models.UniqueConstraint(
                fields=["is_hq"], condition=Q(is_hq=True), name="hub_branch_single_hq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="teams", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["branch__code", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="hub_team_unique_per_branch")
        ]

    def __str__(self) -> str:
        return self.name


class PositionCategory(models.TextChoices):
    NEW_HIRE = "new_hire", _("New hire")
    BACKBONE = "backbone", _("Business backbone")
    MANAGER = "manager", _("Manager")


def left_by(today: dt.date, prefix: str = "") -> Q:
    """Q for employees whose leave date has been reached (``prefix`` e.g. "employees__")."""
    return Q(**{f"{prefix}leave_date__isnull": False, f"{prefix}leave_date__lte": today})


class EmployeeQuerySet(ScopedQuerySet):
    def current(self, today: dt.date | None = None) -> EmployeeQuerySet:
        """Staff who have not left (a leave date in the future still counts as staff)."""
        return self.exclude(left_by(today or timezone.localdate()))

    def leavers(self, today: dt.date | None = None) -> EmployeeQuerySet:
        return self.filter(left_by(today or timezone.localdate()))


class Employee(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="employee",
        verbose_name=_("user account"),
    )
    employee_no = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # Toneless pinyin of the name: Chinese names sort by it and can be searched by it.
    name_pinyin = models.CharField(_("name (pinyin)"), max_length=300, db_index=True)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="employees", verbose_name=_("branch")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("team"),
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    position_category = models.CharField(
        _("position category"), max_length=16, choices=PositionCategory.choices
    )
    is_core_role = models.BooleanField(_("core role"), default=False)
    hire_date = models.DateField(_("hire date"))
    leave_date = models.DateField(_("leave date"), null=True, blank=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["name_pinyin", "employee_no"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(leave_date__gte=models.F("hire_date")),
                name="hub_employee_leave_after_hire",
            )
        ]
        indexes = [models.Index(fields=["branch", "name_pinyin"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"

    def save(self, *args, **kwargs) -> None:
        self.name_pinyin = pinyin_key(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin"}
        super().save(*args, **kwargs)

    def has_left(self, on: dt.date | None = None) -> bool:
        """True once the leave date has been reached: history stays, login is refused."""
        on = on or timezone.localdate()
        return self.leave_date is not None and self.leave_date <= on


class PerformanceGrade(models.Model):
    """One review result for one period; later issues read the latest grades."""

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="grades", verbose_name=_("employee")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["employee", "-period_start"]
        verbose_name = _("performance grade")
        verbose_name_plural = _("performance grades")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "period_start"], name="hub_grade_one_per_period"
            ),
            models.CheckConstraint(
                condition=~Q(grade="") | Q(score__isnull=False), name="hub_grade_has_value"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="hub_grade_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        value = self.grade or f"{self.score}"
        return f"{self.period_start:%Y-%m}…{self.period_end:%Y-%m}: {value}"

    @property
    def is_high(self) -> bool:
        """A or B: what the manager nomination rule counts as a high performer."""
        return self.grade in {self.Grade.A, self.Grade.B}


class RoleGrant(models.Model):
    """A role held by an employee; a branch manager holds one grant per managed branch."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("employee")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("branch"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )

    class Meta:
        ordering = ["role", "branch__code"]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "role", "branch"], name="hub_rolegrant_unique_with_branch"
            ),
            models.UniqueConstraint(
                fields=["employee", "role"],
                condition=Q(branch__isnull=True),
                name="hub_rolegrant_unique_without_branch",
            ),
            models.CheckConstraint(
                condition=(Q(role="branch_manager") & Q(branch__isnull=False))
                | (~Q(role="branch_manager") & Q(branch__isnull=True)),
                name="hub_rolegrant_branch_only_for_managers",
            ),
        ]

    def __str__(self) -> str:
        if self.branch_id:
            return f"{self.get_role_display()} · {self.branch}"
        return str(self.get_role_display())


class AuditEvent(models.Model):
    """Who did what to the organisation: imports, role changes, account changes."""

    class Action(models.TextChoices):
        IMPORT_APPLIED = "import.applied", _("HR data imported")
        ROLE_GRANTED = "role.granted", _("Role granted")
        ROLE_REVOKED = "role.revoked", _("Role revoked")
        NOMINATION_APPROVED = "nomination.approved", _("Trainer nomination approved")
        NOMINATION_DECLINED = "nomination.declined", _("Trainer nomination declined")
        MENTOR_PAIRED = "mentor.paired", _("Mentor paired")
        MENTOR_UNPAIRED = "mentor.unpaired", _("Mentor pairing ended")
        MENTOR_RULES_CHANGED = "mentor.rules", _("Mentor programme rules changed")
        ATTENDANCE_CORRECTED = "attendance.corrected", _("Attendance corrected")
        SESSION_CANCELLED = "session.cancelled", _("Session cancelled")
        SESSION_RULES_CHANGED = "session.rules", _("Attendance and enrolment rules changed")
        H5P_LIBRARY_ALLOWED = "h5p.library.allowed", _("H5P library version allowed")
        H5P_LIBRARY_CHANGED = "h5p.library.changed", _("Allowed H5P library changed")
        H5P_LIBRARY_REMOVED = "h5p.library.removed", _("H5P library version no longer allowed")
        H5P_APPROVAL_REQUESTED = "h5p.approval.requested", _("H5P upload awaits approval")
        H5P_UPLOAD_APPROVED = "h5p.approval.approved", _("H5P upload approved")
        H5P_UPLOAD_REJECTED = "h5p.approval.rejected", _("H5P upload rejected")
        LOGIN_LOCKED_OUT = "login.locked_out", _("Login locked out")
        SEARCH_SYNONYMS_CHANGED = "search.synonyms", _("Search synonyms changed")
        METRIC_IMPORT_APPLIED = "metric.import.applied", _("Outcome metric values imported")
        METRIC_VALUE_EDITED = "metric.value.edited", _("Outcome metric value edited")
        SURVEY_TEMPLATE_CHANGED = "survey.template", _("Survey template changed")
        ROI_INPUTS_CHANGED = "roi.inputs", _("Return-on-training inputs changed")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    summary = models.CharField(_("summary"), max_length=300)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"


class ImportBatch(models.Model):
    """One uploaded HR file: validated first (dry run), applied all-or-nothing on request."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Validating")
        VALID = "valid", _("Ready to apply")
        INVALID = "invalid", _("Has errors")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UPLOADED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("HR import")
        verbose_name_plural = _("HR imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(self.rows_done * 100 / self.rows_total))
