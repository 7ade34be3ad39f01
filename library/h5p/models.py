"""H5P content, the shared libraries it plays with, HQ's allow-list and learners' results.

Files live on disk under ``storage.h5p_root()``: one folder per library version
(``libraries/<machineName>-<major>.<minor>/``) shared by every content that uses it, and one
folder per content (``content/<id>/``) holding its ``h5p.json`` and ``content/`` files.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class H5PAllowedLibrary(models.Model):
    """A library version HQ approved: ``machine_name`` at ``major.minor``.

    Packages may install that version (any patch release of it, as H5P numbers compatible
    fixes); a new major or minor version waits for an HQ admin's approval. Changed only by HQ
    admins, and every change is audited (``library.h5p.approvals``).
    """

    machine_name = models.CharField(_("machine name"), max_length=255)
    major = models.PositiveIntegerField(_("major version"))
    minor = models.PositiveIntegerField(_("minor version"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["machine_name", "major", "minor"]
        verbose_name = _("allowed H5P library")
        verbose_name_plural = _("allowed H5P libraries")
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major", "minor"], name="h5p_allowed_one_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}"


class H5PLibrary(models.Model):
    """One installed library version; its files are on disk once, shared by all content."""

    machine_name = models.CharField(_("machine name"), max_length=255)
    major = models.PositiveIntegerField(_("major version"))
    minor = models.PositiveIntegerField(_("minor version"))
    patch = models.PositiveIntegerField(_("patch version"))
    title = models.CharField(_("title"), max_length=255)
    runnable = models.BooleanField(_("runnable"), default=False)
    # library.json as installed: the player reads it, and the install resolves dependencies
    # of already-installed libraries from it.
    metadata = models.JSONField(_("library.json"), default=dict)
    created = models.DateTimeField(_("installed"), auto_now_add=True)

    class Meta:
        ordering = ["machine_name", "major", "minor"]
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major", "minor"], name="h5p_library_one_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}.{self.patch}"

    @property
    def folder(self) -> str:
        """Its folder under ``libraries/``, named the way H5P and the player expect."""
        return f"{self.machine_name}-{self.major}.{self.minor}"


class H5PContent(index.Indexed, models.Model):
    """An uploaded H5P package (a snippet chosen by the course's H5P block)."""

    title = models.CharField(_("title"), max_length=255)
    main_library = models.ForeignKey(
        H5PLibrary, on_delete=models.PROTECT, related_name="+", verbose_name=_("main library")
    )
    libraries = models.ManyToManyField(
        H5PLibrary, related_name="contents", verbose_name=_("libraries used")
    )
    language = models.CharField(_("language"), max_length=16, blank=True)
    package_name = models.CharField(_("package file name"), max_length=255)
    package_size = models.PositiveBigIntegerField(_("package size (bytes)"))
    # The content's own files on disk (h5p.json and content/; libraries are shared): what
    # counts against the uploader's storage quota.
    stored_bytes = models.PositiveBigIntegerField(_("stored size (bytes)"), default=0)
    h5p_json = models.JSONField(_("h5p.json"), default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)

    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        ordering = ["-created"]
        verbose_name = _("H5P content")
        verbose_name_plural = _("H5P content")

    def __str__(self) -> str:
        return self.title


class H5PPendingPackage(models.Model):
    """An upload that needs library versions HQ has not approved yet.

    Nothing of it is installed or playable: the package file waits in private storage
    (``storage.pending_path``) until an HQ admin approves (the versions join the allow-list and
    the package installs as content of its uploader) or rejects it (row and file go).
    """

    title = models.CharField(_("title"), max_length=255)
    package_name = models.CharField(_("package file name"), max_length=255)
    package_size = models.PositiveBigIntegerField(_("package size (bytes)"))
    # [{"machine_name", "major", "minor", "patch", "title"}]: the versions awaiting approval.
    libraries = models.JSONField(_("libraries awaiting approval"), default=list)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("H5P upload awaiting approval")
        verbose_name_plural = _("H5P uploads awaiting approval")

    def __str__(self) -> str:
        return self.title

    @property
    def library_labels(self) -> list[str]:
        return [
            f"{item['machine_name']} {item['major']}.{item['minor']}.{item.get('patch', 0)}"
            for item in self.libraries
        ]


class H5PVerb(models.TextChoices):
    """xAPI verbs stored as results (others the player emits are ignored)."""

    ANSWERED = "answered", _("answered")
    COMPLETED = "completed", _("completed")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")
    SCORED = "scored", _("scored")


class H5PResult(models.Model):
    """One scored xAPI statement of one learner on one H5P content (append-only)."""

    content = models.ForeignKey(
        H5PContent, on_delete=models.CASCADE, related_name="results", verbose_name=_("H5P content")
    )
    employee = models.ForeignKey(
        "hub.Employee",
        on_delete=models.CASCADE,
        related_name="h5p_results",
        verbose_name=_("learner"),
    )
    verb = models.CharField(_("verb"), max_length=16, choices=H5PVerb.choices)
    score_raw = models.DecimalField(
        _("raw score"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    score_max = models.DecimalField(
        _("maximum score"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    score_scaled = models.DecimalField(_("scaled score"), max_digits=5, decimal_places=4)
    completion = models.BooleanField(_("completed"), null=True)
    success = models.BooleanField(_("successful"), null=True)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("H5P result")
        verbose_name_plural = _("H5P results")
        indexes = [models.Index(fields=["content", "employee", "-created"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(score_raw__gte=0) & Q(score_raw__lte=F("score_max")),
                name="h5p_result_raw_within_max",
            ),
            models.CheckConstraint(
                condition=Q(score_scaled__gte=0) & Q(score_scaled__lte=1),
                name="h5p_result_scaled_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content} · {self.score_raw}/{self.score_max}"


@receiver(post_delete, sender=H5PContent)
def _remove_content_files(sender, instance: H5PContent, **kwargs) -> None:
    """A deleted content's folder goes once the deletion commits (libraries stay shared)."""
    from library.h5p.storage import content_dir, remove_tree

    path = content_dir(instance.pk)
    transaction.on_commit(lambda: remove_tree(path))


@receiver(post_delete, sender=H5PPendingPackage)
def _remove_pending_file(sender, instance: H5PPendingPackage, **kwargs) -> None:
    """A decided (or deleted) upload's package file goes once the deletion commits."""
    from library.h5p.storage import pending_path

    path = pending_path(instance.pk)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
