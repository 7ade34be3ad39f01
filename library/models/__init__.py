from library.video.models import Video  # noqa: F401

from .pages import (  # noqa: F401
    CaseIndexPage,
    CasePage,
    CourseIndexPage,
    CoursePage,
    CourseTemplateIndexPage,
    CourseTemplatePage,
    GuideIndexPage,
    GuidePage,
    LibraryIndexPage,
)
