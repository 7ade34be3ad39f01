"""The answer page (completers only, once, validation), results (< 3 hidden) and the
template page with its formula."""

import pytest
from django.urls import reverse

from evaluation.models import SurveyReceipt, SurveyResponse
from hub.sessions.models import Session
from tests.evaluation.helpers import enrol, make_session
from tests.evaluation.surveys.helpers import add_responses, answers_for, completer, make_survey
from tests.factories import EmployeeFactory, make_hq_admin

pytestmark = pytest.mark.django_db


def _post_data(survey, **by_kind):
    return {f"q{qid}": values for qid, values in answers_for(survey, **by_kind).items()}


def test_completer_answers_once_on_the_page(client):
    survey = make_survey(make_session())
    learner = completer(survey.session)
    client.force_login(learner.user)
    url = reverse("evaluation:survey_answer", args=[survey.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="viewport"' in page.content
    assert "匿名" in page.content.decode()  # Chinese by default
    first = client.post(url, _post_data(survey))
    assert first.status_code == 302
    second = client.post(url, _post_data(survey))
    assert second.status_code == 200
    assert "已" in second.content.decode() and b"survey-refused" in second.content
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyReceipt.objects.filter(survey=survey).count() == 1


def test_missing_required_rating_shows_a_message_and_stores_nothing(client):
    survey = make_survey(make_session())
    learner = completer(survey.session)
    client.force_login(learner.user)
    response = client.post(
        reverse("evaluation:survey_answer", args=[survey.pk]), _post_data(survey, rating_5="")
    )
    assert response.status_code == 400
    assert response.content.count(b'data-testid="question-error"') == 3
    assert not SurveyResponse.objects.exists() and not SurveyReceipt.objects.exists()


def test_non_completer_is_refused_with_a_clear_message(client):
    survey = make_survey(make_session())
    learner = EmployeeFactory()
    enrol(survey.session, learner)
    client.force_login(learner.user)
    url = reverse("evaluation:survey_answer", args=[survey.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, _post_data(survey))
    assert response.status_code == 403
    assert b"survey-refused" in response.content
    assert not SurveyResponse.objects.exists()


def test_results_hide_figures_below_three_responses(client):
    session = make_session()
    survey = make_survey(session)
    client.force_login(make_hq_admin().user)
    add_responses(survey, 80, 90)
    url = reverse("evaluation:survey_results", args=[survey.pk])
    page = client.get(url)
    assert b'data-testid="not-enough"' in page.content
    assert b'data-testid="satisfaction"' not in page.content
    add_responses(survey, 95)
    page = client.get(url)
    assert b'data-testid="not-enough"' not in page.content
    assert "88.33" in page.content.decode()
    assert b'data-testid="survey-qr"' in page.content  # an in-person session
    assert session.mode == Session.Mode.IN_PERSON


def test_results_show_distribution_and_comments_without_names(client):
    survey = make_survey(make_session())
    learners = [completer(survey.session) for _ in range(3)]
    from evaluation.surveys import services

    for i, learner in enumerate(learners):
        services.response_submit(
            survey=survey, learner=learner, answers=answers_for(survey, text=f"意见{i}")
        )
    client.force_login(make_hq_admin().user)
    body = client.get(reverse("evaluation:survey_results", args=[survey.pk])).content.decode()
    assert all(f"意见{i}" in body for i in range(3))
    assert not any(learner.name in body for learner in learners)


def test_results_are_scoped(client):
    survey = make_survey(make_session())
    client.force_login(EmployeeFactory().user)
    response = client.get(reverse("evaluation:survey_results", args=[survey.pk]))
    assert response.status_code == 404


def test_template_page_shows_the_formula(client):
    survey = make_survey(make_session())
    client.force_login(make_hq_admin().user)
    page = client.get(reverse("evaluation:survey_template", args=[survey.template_id]))
    assert page.status_code == 200
    assert b'data-testid="formula"' in page.content
    assert "标准课后问卷" in page.content.decode()


def test_my_learning_lists_surveys_to_answer(client):
    from evaluation.surveys.dispatch import survey_dispatch

    session = make_session()
    learner = completer(session)
    survey_dispatch(session=session)
    client.force_login(learner.user)
    page = client.get(reverse("portal:learning"))
    assert reverse("evaluation:survey_answer", args=[session.survey.pk]).encode() in page.content


# The follow-up numbers share the settings page (evaluation.followups).
FOLLOWUP_DEFAULTS = {
    "followup_after_days": "30",
    "followup_reminder_after_days": "7",
    "followup_close_after_days": "21",
}


def test_hq_admin_changes_survey_settings_and_it_is_audited(client):
    from evaluation.models import SurveySettings
    from hub.organisation.models import AuditEvent

    client.force_login(make_hq_admin().user)
    response = client.post(
        reverse("evaluation:survey_settings"),
        {"reminder_after_days": "3", "close_after_days": "10", **FOLLOWUP_DEFAULTS},
    )
    assert response.status_code == 302
    settings = SurveySettings.load()
    assert (settings.reminder_after_days, settings.close_after_days) == (3, 10)
    assert AuditEvent.objects.filter(summary__startswith="survey:").count() == 1


def test_a_reminder_after_closing_is_refused_on_the_page_in_chinese(client):
    from evaluation.models import SurveySettings

    client.force_login(make_hq_admin().user)
    response = client.post(
        reverse("evaluation:survey_settings"),
        {"reminder_after_days": "9", "close_after_days": "7", **FOLLOWUP_DEFAULTS},
    )
    assert response.status_code == 200
    assert "提醒须在邀请至少 1 天之后" in response.content.decode()
    settings = SurveySettings.load()
    assert (settings.reminder_after_days, settings.close_after_days) == (2, 7)


def test_my_teaching_links_the_trainers_survey_results(client):
    from tests.evaluation.helpers import make_trainer

    trainer = make_trainer()
    survey = make_survey(make_session(trainers=[trainer]))
    add_responses(survey, 90)
    client.force_login(trainer.user)
    page = client.get(reverse("portal:teaching"))
    assert reverse("evaluation:survey_results", args=[survey.pk]).encode() in page.content
    assert client.get(reverse("evaluation:survey_results", args=[survey.pk])).status_code == 200


def test_results_take_a_fixed_number_of_queries(django_assert_num_queries):
    from evaluation.surveys import selectors as survey_selectors
    from evaluation.surveys import services

    def run(n):
        survey = make_survey(make_session())
        for _ in range(n):
            services.response_submit(
                survey=survey, learner=completer(survey.session), answers=answers_for(survey)
            )
        return survey

    small, big = run(3), run(6)
    with django_assert_num_queries(8) as few:
        survey_selectors.survey_results(small)
    with django_assert_num_queries(len(few.captured_queries)):
        results = survey_selectors.survey_results(big)
    assert results.responses == 6 and results.enough


def test_short_link_sends_completers_to_the_answer_page_and_staff_to_results(client):
    survey = make_survey(make_session())
    learner = completer(survey.session)
    url = reverse("evaluation:session_survey", args=[survey.session_id])
    client.force_login(learner.user)
    assert client.get(url).url == reverse("evaluation:survey_answer", args=[survey.pk])
    client.force_login(make_hq_admin().user)
    assert client.get(url).url == reverse("evaluation:survey_results", args=[survey.pk])
