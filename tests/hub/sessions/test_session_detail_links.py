"""The session page links to the session's assignments for those who may open them."""

import pytest
from django.urls import reverse

from tests.factories import EmployeeFactory, EnrolmentFactory, SessionFactory
from tests.hub.sessions.helpers import make_trainer

pytestmark = pytest.mark.django_db

LINK = 'data-testid="session-assignments"'


def _page(client_for, employee, session):
    response = client_for(employee).get(reverse("sessions:detail", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_trainer_and_enrolled_learner_see_the_assignments_link(client_for):
    trainer = make_trainer()
    session = SessionFactory(trainers=[trainer])
    enrolled = EnrolmentFactory(session=session).learner
    target = reverse("evaluation:session_assignments", args=[session.pk])
    for employee in (trainer, enrolled):
        html = _page(client_for, employee, session)
        assert LINK in html
        assert f'href="{target}"' in html
        assert client_for(employee).get(target).status_code == 200


def test_waitlisted_or_unenrolled_learner_gets_no_link(client_for):
    session = SessionFactory(trainers=[make_trainer()], capacity=1)
    waitlisted = EnrolmentFactory(session=session, status="waitlisted").learner
    outsider = EmployeeFactory()
    for employee in (waitlisted, outsider):
        assert LINK not in _page(client_for, employee, session)
        # the page behind the link refuses them too
        target = reverse("evaluation:session_assignments", args=[session.pk])
        assert client_for(employee).get(target).status_code == 404


def test_session_page_names_the_need_it_delivers_to_its_trainer_not_to_learners(client_for):
    from tests.factories import make_manager
    from tests.hub.needs.helpers import make_need

    trainer = make_trainer()
    session = SessionFactory(trainers=[trainer], branch=trainer.branch)
    need = make_need(branch=trainer.branch, submitted_by=make_manager(trainer.branch))
    need.sessions.add(session)
    learner = EnrolmentFactory(session=session).learner
    assert 'data-testid="session-needs"' in _page(client_for, trainer, session)
    assert need.title in _page(client_for, trainer, session)
    assert "You run this session." in _page(client_for, trainer, session)
    assert 'data-testid="session-needs"' not in _page(client_for, learner, session)
