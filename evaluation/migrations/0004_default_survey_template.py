"""The default post-session survey 标准课后问卷, on every install (not only the demo).

Satisfaction set: content, trainer delivery and usefulness (1-5) and the NPS question (0-10),
each weight 1; the comment is free text. See docs/evaluation.md.
"""

import uuid

from django.db import migrations

# A fixed family so the template is recognisable across installs.
DEFAULT_FAMILY = uuid.UUID("5b3f0c1e-7a52-4c6e-9d1a-0d6f3e2a9c01")

SECTIONS = [
    (
        "课程评价",
        "About the session",
        [
            ("rating_5", "课程内容对我有帮助、条理清晰", "The content was clear and relevant", True),
            ("rating_5", "讲师讲解清楚、互动充分", "The trainer explained well and engaged us", True),
            ("rating_5", "所学内容能用于我的日常工作", "I can use what I learned in my work", True),
            (
                "rating_10",
                "您向同事推荐本课程的可能性有多大？（0-10）",
                "How likely are you to recommend this session to a colleague? (0-10)",
                True,
            ),
        ],
    ),
    (
        "意见与建议",
        "Comments",
        [("text", "还有什么想告诉我们的？", "Anything else you would like to tell us?", False)],
    ),
]


def create(apps, schema_editor):
    Template = apps.get_model("evaluation", "SurveyTemplate")
    if Template.objects.filter(family=DEFAULT_FAMILY).exists():
        return
    Section = apps.get_model("evaluation", "SurveySection")
    Question = apps.get_model("evaluation", "SurveyQuestion")
    template = Template.objects.create(
        family=DEFAULT_FAMILY,
        version=1,
        name="标准课后问卷",
        description_zh="每次课程结束后发给完成学习的学员，匿名填写，约 1 分钟。",
        description_en="Sent to every learner who completed a session; anonymous, about 1 minute.",
        anonymous=True,
        is_default=True,
        is_current=True,
    )
    for s_pos, (title_zh, title_en, questions) in enumerate(SECTIONS):
        section = Section.objects.create(
            template=template, position=s_pos, title_zh=title_zh, title_en=title_en
        )
        for q_pos, (kind, text_zh, text_en, required) in enumerate(questions):
            Question.objects.create(
                section=section,
                position=q_pos,
                kind=kind,
                text_zh=text_zh,
                text_en=text_en,
                required=required,
                in_satisfaction=kind != "text",
                weight=1,
            )


def remove(apps, schema_editor):
    apps.get_model("evaluation", "SurveyTemplate").objects.filter(
        family=DEFAULT_FAMILY, surveys__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0003_surveys")]

    operations = [migrations.RunPython(create, remove)]
