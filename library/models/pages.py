"""The library's Wagtail page tree.

Library home
├── Course templates (HQ only) → course template pages
├── Courses                     → course pages (derived from a template or not)
├── Case library (案例库)        → case pages
└── Process guides (培训流程指南) → guide pages
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from hub.models import PositionCategory

from ..blocks import CourseStreamBlock, GuideStreamBlock


class CourseCategory(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding (初任)")
    APPOINTMENT = "appointment", _("Appointment (任职)")
    SPECIALISED = "specialised", _("Specialised business (专门业务)")
    IN_SERVICE = "in_service", _("In-service (在职)")


class LibraryIndexPage(Page):
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


class _SectionPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["library.LibraryIndexPage"]
    max_count = 1

    class Meta:
        abstract = True


class CourseTemplateIndexPage(_SectionPage):
    subpage_types = ["library.CourseTemplatePage"]

    class Meta:
        verbose_name = _("course templates section")


class CourseIndexPage(_SectionPage):
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


class _CourseFields(Page):
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

    class Meta:
        verbose_name = _("course template")


class CoursePage(_CourseFields):
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
    ]
    parent_page_types = ["library.CourseIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("course")


class CasePage(Page):
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


class GuidePage(Page):
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
