"""The one scoping API, kind by kind and role by role, from one TABLE.

Every registered kind has one object in branch A and one in branch B; for every role the
table says which of the two ``scoping.visible(access, Model)`` returns (and what
``Model.objects.visible_to`` and ``can_see`` answer: the same) and which of the two the role
may change. The test walks the registry: a kind registered without a row fails.
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from evaluation.models import (
    Assignment,
    FollowUp,
    MetricDefinition,
    MetricValue,
    SessionCost,
    SessionLift,
    Submission,
    Survey,
)
from hub.needs.models import TrainingNeed, TrainingPlan
from hub.organisation import scoping
from hub.organisation.models import Branch, Employee, Role
from hub.organisation.permissions import access_for, can_view_employee, visible_employees
from hub.sessions.models import Attendance, Enrolment, Session
from live.models import LiveRoom, Question, RecordingProgress, RecordingSource
from tests.evaluation.helpers import enrol, make_assignment, make_session
from tests.evaluation.surveys.helpers import default_template as default_survey_template
from tests.factories import (
    BranchFactory,
    EmployeeFactory,
    UserFactory,
    grant,
    make_hq_admin,
    make_manager,
)
from tests.hub.needs.helpers import make_need
from tests.hub.sessions.helpers import make_trainer
from tests.tiers.factories import MentorPairingFactory, TrainerNominationFactory
from tiers.models import MentorPairing, TrainerNomination

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "other", "trainer", "manager", "hq_admin", "lead", "superuser")

# kind → role → (objects visible, objects the role may change), of the "A" and "B" objects.
# owner: a learner of A, who owns the A objects where ownership applies (their record,
# enrolment, attendance, pairing as mentee, submission, recording progress, question);
# other: another learner of A; trainer: trains the A session (from a third branch);
# manager: manages A; lead: the training lead (HQ, reads only).
ALL = {
    "anonymous": ("", ""),
    "owner": ("", ""),
    "other": ("", ""),
    "trainer": ("", ""),
    "manager": ("", ""),
    "hq_admin": ("AB", "AB"),
    "lead": ("AB", ""),
    "superuser": ("AB", "AB"),
}


def row(**overrides) -> dict[str, tuple[str, str]]:
    return {**ALL, **overrides}


TABLE = {
    Branch: row(manager=("A", "A")),
    Employee: row(owner=("A", ""), manager=("A", "A")),
    Session: row(owner=("A", ""), other=("A", ""), trainer=("A", "A"), manager=("A", "")),
    Enrolment: row(owner=("A", "A"), trainer=("A", ""), manager=("A", "A")),
    Attendance: row(owner=("A", ""), trainer=("A", "A"), manager=("A", "")),
    TrainingNeed: row(trainer=("AB", ""), manager=("A", "")),
    TrainingPlan: row(manager=("A", "A")),
    TrainerNomination: row(manager=("A", "")),
    MentorPairing: row(owner=("A", "")),
    Assignment: row(owner=("A", ""), trainer=("A", "A"), manager=("A", "")),
    Submission: row(owner=("A", ""), trainer=("A", "A"), manager=("A", "")),
    # Survey results: read by the session's trainers and managers; learners answer, never see.
    Survey: row(trainer=("A", ""), manager=("A", "")),
    RecordingSource: row(owner=("A", ""), trainer=("A", "A"), manager=("A", "")),
    # Progress is written by the learner's own playback only, never by staff.
    RecordingProgress: row(
        owner=("A", "A"),
        trainer=("A", ""),
        manager=("A", ""),
        hq_admin=("AB", ""),
        superuser=("AB", ""),
    ),
    LiveRoom: row(owner=("A", ""), trainer=("A", "A"), manager=("A", "")),
    Question: row(owner=("A", ""), trainer=("A", "A"), manager=("A", "")),
    # Manager follow-ups: the addressed manager reads and answers; HQ reads, never answers; the
    # learner never sees what their manager wrote, the trainer only aggregated figures.
    FollowUp: row(manager=("A", "A"), hq_admin=("AB", ""), superuser=("AB", "")),
    # Outcome metric values: the managers of the branch (of its team or employee), HQ reads.
    MetricValue: row(manager=("A", "")),
    # Stored session lifts: read like the session's report; only the refresh writes them.
    SessionLift: row(
        trainer=("A", ""), manager=("A", ""), hq_admin=("AB", ""), superuser=("AB", "")
    ),
    # A session's costs (ROI): whoever opens its report; its trainers and HQ admins type them.
    SessionCost: row(trainer=("A", "A"), manager=("A", "")),
}


def _metric_value(branch, learner) -> MetricValue:
    """Branch A's value is the branch's own; branch B's is an employee's (scoped by branch)."""
    metric, _ = MetricDefinition.objects.get_or_create(code="cross_sell", name_zh="连带销售率")
    scope = {"branch": branch} if MetricValue.objects.count() == 0 else {"employee": learner}
    return MetricValue.objects.create(
        metric=metric,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        value=22,
        **scope,
    )


def _followup(session, learner, manager) -> FollowUp:
    followup = FollowUp.objects.create(
        session=session,
        learner=learner,
        sent_at=session.ends_at,
        closes_at=session.ends_at + dt.timedelta(days=21),
    )
    followup.managers.set([manager])
    return followup


@dataclass
class World:
    users: dict
    objects: dict  # model → {"A": obj, "B": obj}


def _objects_of(branch, *, learner, trainer, manager) -> dict:
    session = make_session(trainers=[trainer], branch=branch)
    enrolment = enrol(session, learner)
    attendance = Attendance.objects.create(enrolment=enrolment, status="present", completed=True)
    assignment = make_assignment(session)
    mentor = EmployeeFactory(branch=branch)
    return {
        Branch: branch,
        Employee: learner,
        Session: session,
        Enrolment: enrolment,
        Attendance: attendance,
        TrainingNeed: make_need(branch=branch, submitted_by=manager),
        TrainingPlan: TrainingPlan.objects.create(
            title="年度计划",
            scope=TrainingPlan.Scope.BRANCH,
            branch=branch,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            created_by=manager,
        ),
        TrainerNomination: TrainerNominationFactory(
            branch=branch, nominee=learner, nominated_by=manager
        ),
        MentorPairing: MentorPairingFactory(mentor=mentor, mentee=learner),
        Assignment: assignment,
        Submission: Submission.objects.create(
            assignment=assignment, learner=learner, version=1, text="总结"
        ),
        RecordingSource: RecordingSource.objects.create(session=session, duration_seconds=60),
        RecordingProgress: RecordingProgress.objects.create(session=session, learner=learner),
        LiveRoom: LiveRoom.objects.create(session=session),
        Survey: Survey.objects.create(
            session=session,
            template=default_survey_template(),
            closes_at=session.ends_at + dt.timedelta(days=7),
        ),
        Question: Question.objects.create(session=session, author=learner, text="怎么办?"),
        MetricValue: _metric_value(branch, learner),
        SessionLift: SessionLift.objects.create(
            session=session,
            metric=MetricDefinition.objects.get_or_create(code="cross_sell", name_zh="连带销售率")[
                0
            ],
            branch=branch,
            day=dt.date(2026, 3, 15),
            window_days=90,
            computed_at=timezone.now(),
        ),
        SessionCost: SessionCost.objects.create(session=session, venue=100, materials=0),
        FollowUp: _followup(session, learner, manager),
    }


@pytest.fixture
def world() -> World:
    branch_a, branch_b, branch_c = BranchFactory(), BranchFactory(), BranchFactory()
    owner = EmployeeFactory(branch=branch_a)
    trainer = make_trainer(branch_c)
    manager = make_manager(branch_a)
    lead = EmployeeFactory(branch=branch_c)
    grant(lead, Role.TRAINING_LEAD)
    superuser = UserFactory(username="root")
    superuser.is_superuser = True
    superuser.save()
    a = _objects_of(branch_a, learner=owner, trainer=trainer, manager=manager)
    b = _objects_of(
        branch_b,
        learner=EmployeeFactory(branch=branch_b),
        trainer=make_trainer(branch_b),
        manager=make_manager(branch_b),
    )
    users = {
        "anonymous": AnonymousUser(),
        "owner": owner.user,
        "other": EmployeeFactory(branch=branch_a).user,
        "trainer": trainer.user,
        "manager": manager.user,
        "hq_admin": make_hq_admin().user,
        "lead": lead.user,
        "superuser": superuser,
    }
    return World(users=users, objects={model: {"A": a[model], "B": b[model]} for model in a})


def test_every_registered_kind_has_a_row():
    assert {kind.model for kind in scoping.kinds()} == set(TABLE)


@pytest.mark.parametrize(
    "model", [kind.model for kind in scoping.kinds()], ids=lambda m: m.__name__
)
def test_scoping_table(world, model):
    rows = TABLE[model]  # a kind registered without a row fails here
    pair = world.objects[model]
    assert set(pair) == {"A", "B"}
    for role in ROLES:
        access = access_for(world.users[role])
        expected_visible, expected_change = rows[role]
        pks = [obj.pk for obj in pair.values()]
        seen = set(scoping.visible(access, model).filter(pk__in=pks).values_list("pk", flat=True))
        assert seen == {pair[x].pk for x in expected_visible}, (model.__name__, role)
        chained = model._default_manager.filter(pk__in=pks).visible_to(access)
        assert set(chained.values_list("pk", flat=True)) == seen, (model.__name__, role)
        for name, obj in pair.items():
            assert scoping.can_see(access, obj) == (name in expected_visible), (
                model.__name__,
                role,
                name,
            )
            assert scoping.can_change(access, obj) == (name in expected_change), (
                model.__name__,
                role,
                name,
            )


def test_an_unregistered_kind_is_refused():
    with pytest.raises(LookupError):
        scoping.visible(None, AnonymousUser)


def test_a_manager_outside_their_branch_sees_their_own_record():
    """visible_employees and can_view_employee agree: a person always sees their own record,
    also a manager who works in a branch other than the ones they manage (was: only
    can_view_employee let them)."""
    managed, elsewhere = BranchFactory(), BranchFactory()
    manager = EmployeeFactory(branch=elsewhere)
    grant(manager, Role.BRANCH_MANAGER, managed)
    colleague = EmployeeFactory(branch=elsewhere)
    assert can_view_employee(manager.user, manager)
    assert manager in visible_employees(manager.user)
    assert not can_view_employee(manager.user, colleague)
    assert colleague not in visible_employees(manager.user)


def test_a_company_wide_session_is_overseen_by_every_manager():
    """A manager sees a company-wide session's room and recording (their people take part),
    and in its roster only their own people."""
    branch, other = BranchFactory(), BranchFactory()
    manager = make_manager(branch)
    session = make_session(trainers=[make_trainer()], branch=None, days_ago=1)
    mine = enrol(session, EmployeeFactory(branch=branch))
    enrol(session, EmployeeFactory(branch=other))
    room = LiveRoom.objects.create(session=session)
    assert scoping.can_see(manager.user, room)
    assert list(session.enrolments.visible_to(manager.user)) == [mine]
