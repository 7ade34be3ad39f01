"""Wagtail registrations of the library."""

from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .h5p.admin_views import (
    ALLOWED_LIBRARY_POLICY,
    CONTENT_POLICY,
    H5PAllowedLibraryViewSet,
    H5PContentViewSet,
)
from .h5p.models import H5PAllowedLibrary, H5PContent
from .video.admin_views import VideoViewSet

register_permission_policy(H5PContent, CONTENT_POLICY)
register_permission_policy(H5PAllowedLibrary, ALLOWED_LIBRARY_POLICY)
register_snippet(H5PContentViewSet)
register_snippet(H5PAllowedLibraryViewSet)
register_snippet(VideoViewSet)
