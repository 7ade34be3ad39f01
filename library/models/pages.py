"""The library's Wagtail page tree.

Library home
├── Course templates (HQ only) → course template pages
├── Courses                     → course pages (derived from a template or not)
├── Case library (案例库)        → case pages
└── Process guides (培训流程指南) → guide pages
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from hub.organisation.models import PositionCategory
from library.blocks import CourseStreamBlock, GuideStreamBlock
from library.permissions import can_create_from_template, can_see_templates


class CourseCategory(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding (初任)")
    APPOINTMENT = "appointment", _("Appointment (任职)")
    SPECIALISED = "specialised", _("Specialised business (专门业务)")
    IN_SERVICE = "in_service", _("In-service (在职)")


# What a page type's view shows that is read through the layers above the page models
# (``library.selectors``, ``library.forms``): ``library.page_context`` registers one
# ``provider(page, request) -> dict`` per page type (``context_provider``), and
# ``LibraryPage.get_context`` adds it, so these models import neither.
_CONTEXT_PROVIDERS: dict[type, Callable[[Page, HttpRequest], dict]] = {}


def context_provider(page_type: type) -> Callable:
    """Decorator: register the function that adds to ``page_type``'s template context."""

    def register(provider: Callable[[Page, HttpRequest], dict]) -> Callable:
        _CONTEXT_PROVIDERS[page_type] = provider
        return provider

    return register


class LibraryPage(Page):
    """Every library page needs a login; ``staff_only`` pages (templates) 404 for learners."""

    staff_only = False

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if self.staff_only and not can_see_templates(request.user):
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["can_see_templates"] = can_see_templates(request.user)
        provider = _CONTEXT_PROVIDERS.get(type(self))
        if provider is not None:
            context.update(provider(self, request))
        return context


class _AuthoredMixin:
    """Courses and cases created in Wagtail's editor get their author (the creating user's
    employee record) and owning branch filled in before the first revision is saved."""

    def save(self, *args, **kwargs):
        if self.author_id is None and self.owner_id is not None and self.pk is None:
            from hub.organisation.models import Employee

            employee = Employee.objects.filter(user_id=self.owner_id).first()
            if employee is not None:
                self.author = employee
                if self.owning_branch_id is None:
                    self.owning_branch_id = employee.branch_id
        return super().save(*args, **kwargs)


class LibraryIndexPage(LibraryPage):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "library.CourseTemplateIndexPage",
        "library.CourseIndexPage",
        "library.CaseIndexPage",
        "library.GuideIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("library home")


class _SectionPage(LibraryPage):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["library.LibraryIndexPage"]
    max_count = 1

    class Meta:
        abstract = True


class CourseTemplateIndexPage(_SectionPage):
    """HQ's standard templates; trainers pick one here to start a course."""

    staff_only = True
    subpage_types = ["library.CourseTemplatePage"]

    class Meta:
        verbose_name = _("course templates section")


class CourseIndexPage(_SectionPage):
    """The course catalogue: filters (category, audience, business area, branch) and paging."""

    subpage_types = ["library.CoursePage"]

    class Meta:
        verbose_name = _("courses section")


class CaseIndexPage(_SectionPage):
    subpage_types = ["library.CasePage"]

    class Meta:
        verbose_name = _("case library")


class GuideIndexPage(_SectionPage):
    subpage_types = ["library.GuidePage"]

    class Meta:
        verbose_name = _("process guides section")


class CourseTemplateTag(TaggedItemBase):
    content_object = ParentalKey(
        "library.CourseTemplatePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class CourseTag(TaggedItemBase):
    content_object = ParentalKey(
        "library.CoursePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class CaseTag(TaggedItemBase):
    content_object = ParentalKey(
        "library.CasePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class _CourseFields(LibraryPage):
    """Metadata and body shared by templates and courses, so one copies into the other."""

    summary = models.TextField(_("summary"), blank=True)
    category = models.CharField(_("category"), max_length=16, choices=CourseCategory.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=PositionCategory.choices)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=1)
    body = StreamField(CourseStreamBlock(), verbose_name=_("content"), blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("category"),
        index.FilterField("audience"),
    ]

    class Meta:
        abstract = True

    def outline(self) -> list:
        """The modules in order, as (title, minutes) pairs."""
        return [
            (block.value["title"], block.value["duration_minutes"])
            for block in self.body
            if block.block_type == "module"
        ]

    def total_minutes(self) -> int:
        return sum(minutes for _title, minutes in self.outline())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["show_trainer_notes"] = can_see_templates(request.user)
        return context


class CourseTemplatePage(_CourseFields):
    business_areas = ClusterTaggableManager(
        through=CourseTemplateTag, blank=True, verbose_name=_("business areas")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("audience"),
                FieldPanel("hours"),
                FieldPanel("business_areas"),
            ],
            heading=_("Metadata"),
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["library.CourseTemplateIndexPage"]
    subpage_types: list[str] = []
    staff_only = True

    class Meta:
        verbose_name = _("course template")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["can_create"] = can_create_from_template(request.user)
        return context


class CoursePage(_AuthoredMixin, _CourseFields):
    business_areas = ClusterTaggableManager(
        through=CourseTag, blank=True, verbose_name=_("business areas")
    )
    owning_branch = models.ForeignKey(
        "hub.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning branch"),
    )
    author = models.ForeignKey(
        "hub.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_courses",
        verbose_name=_("author trainer"),
    )
    derived_from = models.ForeignKey(
        "library.CourseTemplatePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derived_courses",
        verbose_name=_("derived from template"),
    )
    is_standard = models.BooleanField(_("standard (approved by HQ)"), default=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("audience"),
                FieldPanel("hours"),
                FieldPanel("business_areas"),
                FieldPanel("owning_branch"),
            ],
            heading=_("Metadata"),
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("derived_from", read_only=True),
                FieldPanel("author", read_only=True),
                FieldPanel("is_standard", read_only=True),
            ],
            heading=_("Provenance"),
        ),
    ]
    parent_page_types = ["library.CourseIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("course")

    def with_content_json(self, content):
        """``is_standard`` belongs to the page, not to a revision (like ``owner``): HQ's
        approval sets it, and publishing or reverting to an older revision keeps it."""
        page = super().with_content_json(content)
        page.is_standard = self.is_standard
        return page


class CasePage(_AuthoredMixin, LibraryPage):
    scenario = RichTextField(_("scenario"))
    analysis = RichTextField(_("analysis"), blank=True)
    resolution = RichTextField(_("resolution"), blank=True)
    tags = ClusterTaggableManager(through=CaseTag, blank=True, verbose_name=_("tags"))
    owning_branch = models.ForeignKey(
        "hub.Branch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning branch"),
    )
    author = models.ForeignKey(
        "hub.Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_cases",
        verbose_name=_("author"),
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("scenario"),
        index.SearchField("analysis"),
        index.SearchField("resolution"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("scenario"),
        FieldPanel("analysis"),
        FieldPanel("resolution"),
        FieldPanel("tags"),
        FieldPanel("owning_branch"),
    ]
    parent_page_types = ["library.CaseIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("case")


class GuidePage(LibraryPage):
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(GuideStreamBlock(), verbose_name=_("content"), blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["library.GuideIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("process guide")
