"""The video snippet in the Wagtail admin: create, edit and delete go through the video services."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.log_actions import log
from wagtail.snippets.views.snippets import CreateView, DeleteView, EditView, SnippetViewSet

from library.video import services as video_services
from library.video.forms import PrivateFileInput, VideoAdminForm
from library.video.models import Video


class _ServiceRefusalOnForm:
    """The service refuses an upload with a ValidationError: show it on the form, store nothing."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)


class VideoCreateView(_ServiceRefusalOnForm, CreateView):
    """Creates through ``video_create`` (sniffing, size limit, all-or-nothing storage)."""

    def save_instance(self):
        data = self.form.cleaned_data
        video = video_services.video_create(
            title=data["title"],
            file=data["file"],
            poster=data.get("poster"),
            subtitles=self.form.new_subtitles() or None,
            subtitle_language=data.get("subtitle_language", ""),
            subtitle_label=data.get("subtitle_label", ""),
            uploaded_by=self.request.user,
        )
        log(instance=video, action="wagtail.create", user=self.request.user)
        return video


class VideoEditView(_ServiceRefusalOnForm, EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        video = video_services.video_update(
            video=self.object,
            title=data["title"],
            poster=data.get("poster"),
            subtitles=self.form.new_subtitles(),
            subtitle_language=data.get("subtitle_language", ""),
            subtitle_label=data.get("subtitle_label", ""),
            actor=self.request.user,
        )
        log(instance=video, action="wagtail.edit", user=self.request.user)
        return video


class VideoDeleteView(DeleteView):
    def delete_action(self):
        log(instance=self.object, action="wagtail.delete", user=self.request.user)
        video_services.video_delete(video=self.object, actor=self.request.user)


class VideoViewSet(SnippetViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    list_display = ["title", "content_type", "size_display", "created"]
    search_fields = ["title"]
    copy_view_enabled = False
    add_view_class = VideoCreateView
    edit_view_class = VideoEditView
    delete_view_class = VideoDeleteView
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("file", widget=PrivateFileInput(url_for=lambda video: video.stream_url)),
            FieldPanel("poster"),
            MultiFieldPanel(
                [
                    FieldPanel(
                        "subtitles",
                        widget=PrivateFileInput(url_for=lambda video: video.subtitles_url),
                    ),
                    FieldPanel("subtitle_language"),
                    FieldPanel("subtitle_label"),
                ],
                heading=_("Subtitles"),
            ),
        ],
        base_form_class=VideoAdminForm,
    )
