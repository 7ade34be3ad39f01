"""HQ's survey template editor: versions on edit, the rules a template must meet, the default,
and the template a course or a session chooses (used when its survey is created)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluation.surveys import dispatch, editing
from evaluation.surveys.models import SurveyQuestion, SurveyTemplate, SurveyTemplateChoice
from hub.organisation.models import AuditEvent, Role
from hub.sessions.models import Session
from tests.evaluation.helpers import make_session
from tests.evaluation.surveys.helpers import completer, default_template, make_survey
from tests.factories import EmployeeFactory, grant, make_hq_admin

pytestmark = pytest.mark.django_db

Draft = editing.QuestionDraft


def _drafts(text="讲师讲解清楚"):
    return [
        Draft(kind="rating_5", text_zh=text, in_satisfaction=True, weight=Decimal(2),
              section_zh="课程评价"),
        Draft(kind="single", text_zh="形式", options=editing.parse_options("线上 | Online\n线下"),
              section_zh="课程评价"),
        Draft(kind="text", text_zh="建议", required=False, section_zh="意见"),
    ]  # fmt: skip


@pytest.fixture
def admin():
    return make_hq_admin().user


def _save(template, actor, questions=None, **fields):
    return editing.template_save(
        template=template,
        actor=actor,
        name=fields.get("name", "新问卷"),
        anonymous=True,
        questions=_drafts() if questions is None else questions,
    )


def test_an_unused_template_is_rewritten_in_place_with_its_sections(admin):
    template = editing.template_create(actor=admin, name="新问卷")
    saved = _save(template, admin)
    assert saved.pk == template.pk and saved.version == 1
    sections = list(saved.sections.order_by("position"))
    assert [s.title_zh for s in sections] == ["课程评价", "意见"]
    questions = list(SurveyQuestion.objects.filter(section__template=saved))
    assert [q.kind for q in questions] == ["rating_5", "single", "text"]
    assert questions[0].weight == Decimal(2) and questions[0].in_satisfaction
    assert questions[1].options == [{"zh": "线上", "en": "Online"}, {"zh": "线下", "en": ""}]
    assert AuditEvent.objects.filter(action="survey.template").count() == 2


def test_editing_a_template_in_use_creates_a_new_version(admin):
    used = default_template()
    survey = make_survey(make_session())
    before = list(
        SurveyQuestion.objects.filter(section__template=used).values_list("pk", "text_zh")
    )
    saved = _save(used, admin, questions=_drafts("新的问题"))
    assert saved.pk != used.pk and saved.version == used.version + 1
    assert saved.is_current and saved.is_default
    used.refresh_from_db()
    assert not used.is_current and not used.is_default
    # The survey and its questions are untouched.
    survey.refresh_from_db()
    assert survey.template_id == used.pk
    assert (
        list(SurveyQuestion.objects.filter(section__template=used).values_list("pk", "text_zh"))
        == before
    )


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([], "至少"),
        ([Draft(kind="text", text_zh="建议")], "满意度"),
        ([Draft(kind="rating_5", text_zh="好", in_satisfaction=True),
          Draft(kind="single", text_zh="选", options=[{"zh": "只有一个", "en": ""}])], "两个"),
        ([Draft(kind="text", text_zh="建议", in_satisfaction=True)], "评分题"),
        ([Draft(kind="rating_5", text_zh="", in_satisfaction=True)], "中文"),
        ([Draft(kind="rating_5", text_zh="好", in_satisfaction=True, weight=Decimal(0))], "权重"),
    ],
)  # fmt: skip
def test_a_broken_template_is_refused_and_nothing_changes(admin, questions, message):
    from django.utils import translation

    template = editing.template_create(actor=admin, name="新问卷")
    _save(template, admin)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        _save(template, admin, questions=questions, name="改名")
    assert message in " ".join(caught.value.messages)
    template.refresh_from_db()
    assert template.name == "新问卷"
    assert SurveyQuestion.objects.filter(section__template=template).count() == 3


def test_only_hq_admins_edit(admin):
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    with pytest.raises(PermissionDenied):
        editing.template_create(actor=lead.user, name="x")
    with pytest.raises(PermissionDenied):
        _save(default_template(), lead.user)


def test_make_default_moves_the_flag_and_needs_a_satisfaction_question(admin):
    old = default_template()
    empty = editing.template_create(actor=admin, name="空")
    with pytest.raises(ValidationError):
        editing.template_make_default(template=empty, actor=admin)
    new = _save(editing.template_create(actor=admin, name="新"), admin)
    editing.template_make_default(template=new, actor=admin)
    assert list(SurveyTemplate.objects.filter(is_default=True)) == [new]
    old.refresh_from_db()
    assert not old.is_default


def test_a_session_choice_is_used_when_its_survey_is_created(admin):
    special = _save(editing.template_create(actor=admin, name="专项问卷"), admin)
    session = make_session(status=Session.Status.SCHEDULED)
    editing.template_choose(actor=admin, template=special, session=session)
    other = make_session()
    session.status = Session.Status.ENDED
    session.save()
    completer(session)
    assert dispatch.survey_dispatch(session=session) == 1
    assert session.survey.template_id == special.pk
    # A later revision of the chosen family reaches later sessions, not this one.
    assert dispatch.survey_for_session(session=other).template_id == default_template().pk


def test_choice_refused_once_the_survey_exists_or_the_session_ended(admin):
    special = _save(editing.template_create(actor=admin, name="专项问卷"), admin)
    ended = make_session()
    with pytest.raises(ValidationError):
        editing.template_choose(actor=admin, template=special, session=ended)
    scheduled = make_session(status=Session.Status.SCHEDULED)
    make_survey(scheduled)
    with pytest.raises(ValidationError):
        editing.template_choose(actor=admin, template=special, session=scheduled)
    assert not SurveyTemplateChoice.objects.exists()


def test_template_for_session_prefers_session_over_course(admin):
    from library.services import library_install
    from tests.library.test_browse import make_course

    library_install()
    course = make_course("门店连带销售")
    for_course = _save(editing.template_create(actor=admin, name="课程问卷"), admin)
    for_session = _save(editing.template_create(actor=admin, name="场次问卷"), admin)
    session = make_session(status=Session.Status.SCHEDULED)
    session.course = course
    session.save()
    editing.template_choose(actor=admin, template=for_course, course=course)
    assert editing.template_for_session(session) == for_course
    editing.template_choose(actor=admin, template=for_session, session=session)
    assert editing.template_for_session(session) == for_session
    editing.template_unchoose(actor=admin, choice=SurveyTemplateChoice.objects.get(session=session))
    assert editing.template_for_session(session) == for_course


# --- pages ------------------------------------------------------------------------------------


def _formset_post(rows, **fields):
    data = {
        "name": fields.get("name", "门店问卷"),
        "anonymous": "on",
        "description_zh": "",
        "description_en": "",
        "q-TOTAL_FORMS": str(len(rows)),
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"q-{i}-{key}"] = value
        data.setdefault(f"q-{i}-ORDER", str(i + 1))
    return data


def test_admin_edits_through_the_page_and_a_bad_row_is_shown(client, admin):
    template = editing.template_create(actor=admin, name="门店问卷")
    client.force_login(admin)
    url = reverse("evaluation:survey_template_edit", args=[template.pk])
    assert client.get(url).status_code == 200
    good = {"kind": "rating_5", "text_zh": "满意吗", "required": "on", "in_satisfaction": "on",
            "weight": "1"}  # fmt: skip
    bad = {"kind": "single", "text_zh": "选一个", "options": "只有一个", "weight": "1"}
    response = client.post(url, _formset_post([good, bad]))
    assert response.status_code == 400
    assert "两个" in response.content.decode() or "two options" in response.content.decode()
    assert not SurveyQuestion.objects.filter(section__template=template).exists()
    response = client.post(url, _formset_post([good]))
    assert response.status_code == 302
    assert SurveyQuestion.objects.filter(section__template=template).get().text_zh == "满意吗"


@pytest.mark.parametrize(("role", "status"), [(None, 403), (Role.TRAINING_LEAD, 200)])
def test_the_list_is_for_hq(client, role, status):
    person = EmployeeFactory()
    if role:
        grant(person, role)
    client.force_login(person.user)
    assert client.get(reverse("evaluation:survey_templates")).status_code == status


def test_the_lead_reads_but_cannot_edit(client):
    lead = EmployeeFactory()
    grant(lead, Role.TRAINING_LEAD)
    client.force_login(lead.user)
    template = default_template()
    url = reverse("evaluation:survey_template_edit", args=[template.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _formset_post([])).status_code == 403
    page = client.get(reverse("evaluation:survey_templates")).content.decode()
    assert template.name in page and "survey_template_edit" not in page


def test_too_many_or_too_long_options_are_refused(admin):
    template = editing.template_create(actor=admin, name="选项问卷")
    many = [
        Draft(kind="rating_5", text_zh="好", in_satisfaction=True),
        Draft(kind="single", text_zh="选", options=[{"zh": f"{i}", "en": ""} for i in range(21)]),
    ]
    long = [
        Draft(kind="rating_5", text_zh="好", in_satisfaction=True),
        Draft(kind="single", text_zh="选", options=[{"zh": "长" * 201, "en": ""}, {"zh": "短"}]),
    ]
    for questions in (many, long):
        with pytest.raises(ValidationError):
            _save(template, admin, questions=questions)
    assert not SurveyQuestion.objects.filter(section__template=template).exists()


def test_a_double_clicked_create_makes_one_template(client, admin):
    client.force_login(admin)
    url = reverse("evaluation:survey_template_new")
    first = client.post(url, {"name": "门店问卷", "anonymous": "on"})
    second = client.post(url, {"name": "门店问卷", "anonymous": "on"})
    assert first.status_code == second.status_code == 302
    assert SurveyTemplate.objects.filter(name="门店问卷").count() == 1
    assert second.url == reverse("evaluation:survey_templates")  # refused with a message
