"""StreamField blocks for courses, templates and guides.

Trainer notes are stored with the course but never rendered on learner-facing pages: the course
template skips them unless ``show_trainer_notes`` is set (trainers and HQ), and the block's own
template checks the same flag, so an ``{% include_block %}`` elsewhere cannot leak them either.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from library.h5p.blocks import H5PBlock
from library.video.blocks import VideoBlock


class ActivityKind(blocks.ChoiceBlock):
    choices = [
        ("lecture", _("Lecture")),
        ("discussion", _("Discussion")),
        ("exercise", _("Exercise")),
        ("role_play", _("Role-play")),
        ("quiz", _("Quiz")),
    ]


class ObjectivesBlock(blocks.StructBlock):
    items = blocks.ListBlock(
        blocks.CharBlock(max_length=200),
        label=_("Objectives"),
        help_text=_("One observable result per line, e.g. “can handle a price objection”."),
    )

    class Meta:
        icon = "tick-inverse"
        label = _("Learning objectives")
        template = "blocks/objectives.html"


class ActivityValue(blocks.StructValue):
    def kind_label(self) -> str:
        return str(dict(ActivityKind.choices).get(self.get("kind"), self.get("kind")))


class ActivityBlock(blocks.StructBlock):
    kind = ActivityKind(label=_("Kind"))
    description = blocks.TextBlock(label=_("Description"), required=False)

    class Meta:
        icon = "pick"
        label = _("Activity")
        value_class = ActivityValue


class ModuleBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    duration_minutes = blocks.IntegerBlock(
        label=_("Duration (minutes)"),
        min_value=1,
        help_text=_("Teaching time of this module; the course outline adds them up."),
    )
    activities = blocks.ListBlock(ActivityBlock(), label=_("Activities"))

    class Meta:
        icon = "list-ol"
        label = _("Module")
        template = "blocks/module.html"


class CaseReferenceBlock(blocks.StructBlock):
    case = blocks.PageChooserBlock(label=_("Case"), page_type="library.CasePage")
    note = blocks.CharBlock(
        label=_("Why this case"),
        required=False,
        max_length=300,
        help_text=_("What learners should look for in the case."),
    )

    class Meta:
        icon = "doc-full"
        label = _("Case reference")
        template = "blocks/case_reference.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(
        label=_("Document"), help_text=_("Slides (PDF or PPTX) or a handout.")
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "doc-full-inverse"
        label = _("Slides or document")
        template = "blocks/document.html"


class AssessmentBlock(blocks.StructBlock):
    method = blocks.CharBlock(
        label=_("Method"),
        max_length=200,
        help_text=_("e.g. written quiz, role-play observed by the trainer."),
    )
    criteria = blocks.TextBlock(label=_("Pass criteria"), required=False)

    class Meta:
        icon = "success"
        label = _("Assessment")
        template = "blocks/assessment.html"


class TrainerNotesBlock(blocks.StructBlock):
    notes = blocks.TextBlock(
        label=_("Notes"), help_text=_("Only trainers and HQ see these; learners never do.")
    )

    class Meta:
        icon = "warning"
        label = _("Trainer notes (never shown to learners)")
        template = "blocks/trainer_notes.html"


class CourseStreamBlock(blocks.StreamBlock):
    """The body shared by course templates and courses, so a template copies 1:1."""

    objectives = ObjectivesBlock()
    module = ModuleBlock()
    case_reference = CaseReferenceBlock()
    document = DocumentBlock()
    video = VideoBlock()
    h5p = H5PBlock()
    assessment = AssessmentBlock()
    trainer_notes = TrainerNotesBlock()


class GuideStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), max_length=200, icon="title", template="blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(label=_("Paragraph"))
    document = DocumentBlock()
