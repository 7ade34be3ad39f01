"""The course's H5P activity block: a chosen ``H5PContent`` played in a sandboxed iframe."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class H5PBlock(blocks.StructBlock):
    content = SnippetChooserBlock("library.H5PContent", label=_("H5P content"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "pick"
        label = _("H5P activity")
        template = "blocks/h5p.html"
        help_text = _("Upload packages under Snippets → H5P content; learners' scores are kept.")

    def get_context(self, value, parent_context=None):
        from library.h5p.views import embed_context

        context = super().get_context(value, parent_context=parent_context)
        content = value.get("content") if value else None
        request = (parent_context or {}).get("request")
        if content is not None and request is not None:
            context.update(embed_context(content, request))
        return context
