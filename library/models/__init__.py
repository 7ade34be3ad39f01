from library.h5p.models import (  # noqa: F401
    H5PAllowedLibrary,
    H5PContent,
    H5PLibrary,
    H5PPendingPackage,
    H5PResult,
)
from library.models.pages import (  # noqa: F401
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
from library.search.models import SearchEntry  # noqa: F401
from library.video.models import Video  # noqa: F401
