"""The course video block: a chosen ``Video`` snippet and an optional caption."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class VideoBlock(blocks.StructBlock):
    video = SnippetChooserBlock(
        "library.Video",
        label=_("Video"),
        help_text=_("Upload MP4 or WebM videos under Snippets → Videos."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video.html"
