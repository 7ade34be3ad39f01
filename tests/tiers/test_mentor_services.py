"""tiers.services: mentor_pair / mentor_unpair / mentoring_log_* / mentor_rate."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from hub.organisation.models import AuditEvent, Role
from tests.factories import EmployeeFactory, grant
from tests.tiers.factories import (
    MentoringLogFactory,
    MentorPairingFactory,
    TrainerNominationFactory,
)
from tiers import services
from tiers.models import MentoringLog, MentorPairing, MentorProgrammeSettings, MentorRating
from tiers.rules import quarter_start

pytestmark = pytest.mark.django_db


def pair(hq_admin, mentor, mentee, **kwargs):
    return services.mentor_pair(mentor=mentor, mentee=mentee, actor=hq_admin.user, **kwargs)


def test_hq_pairs_a_mentor_and_it_is_audited(hq_admin, branch):
    mentor, mentee = EmployeeFactory(branch=branch), EmployeeFactory(branch=branch)
    pairing = pair(hq_admin, mentor, mentee)
    assert pairing.is_active
    assert pairing.created_by == hq_admin.user
    assert pairing.started_on == timezone.localdate()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MENTOR_PAIRED).count() == 1


@pytest.mark.parametrize("role", [None, Role.TRAINER, Role.TRAINING_LEAD])
def test_only_hq_admin_pairs(branch, role):
    actor = EmployeeFactory(branch=branch)
    if role:
        grant(actor, role)
    with pytest.raises(PermissionDenied):
        services.mentor_pair(mentor=EmployeeFactory(), mentee=EmployeeFactory(), actor=actor.user)


def test_manager_cannot_pair(manager, branch):
    with pytest.raises(PermissionDenied):
        services.mentor_pair(
            mentor=EmployeeFactory(branch=branch),
            mentee=EmployeeFactory(branch=branch),
            actor=manager.user,
        )


def test_mentor_limit_third_mentee_ok_fourth_refused(hq_admin):
    mentor = EmployeeFactory()
    for _ in range(3):
        pair(hq_admin, mentor, EmployeeFactory())
    with pytest.raises(ValidationError) as refused:
        pair(hq_admin, mentor, EmployeeFactory())
    assert "3" in refused.value.messages[0]
    assert MentorPairing.objects.active().filter(mentor=mentor).count() == 3


def test_mentor_limit_is_configurable(hq_admin):
    settings = MentorProgrammeSettings.load()
    settings.mentee_limit = 2
    settings.save()
    mentor = EmployeeFactory()
    pair(hq_admin, mentor, EmployeeFactory())
    pair(hq_admin, mentor, EmployeeFactory())
    with pytest.raises(ValidationError):
        pair(hq_admin, mentor, EmployeeFactory())
    settings.mentee_limit = 4
    settings.save()
    pair(hq_admin, mentor, EmployeeFactory())
    pair(hq_admin, mentor, EmployeeFactory())
    assert MentorPairing.objects.active().filter(mentor=mentor).count() == 4


def test_an_ended_pairing_frees_a_place(hq_admin):
    mentor = EmployeeFactory()
    first = pair(hq_admin, mentor, EmployeeFactory())
    for _ in range(2):
        pair(hq_admin, mentor, EmployeeFactory())
    services.mentor_unpair(pairing=first, actor=hq_admin.user)
    pair(hq_admin, mentor, EmployeeFactory())
    assert MentorPairing.objects.active().filter(mentor=mentor).count() == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MENTOR_UNPAIRED).count() == 1


def test_a_mentee_has_one_active_mentor(hq_admin):
    mentee = EmployeeFactory()
    pair(hq_admin, EmployeeFactory(), mentee)
    with pytest.raises(ValidationError) as refused:
        pair(hq_admin, EmployeeFactory(), mentee)
    assert services.MSG_MENTEE_TAKEN in refused.value.messages


def test_the_database_refuses_two_active_mentors_too():
    first = MentorPairingFactory()
    with pytest.raises(IntegrityError):
        MentorPairingFactory(mentee=first.mentee)


def test_the_database_refuses_two_pending_nominations():
    first = TrainerNominationFactory()
    with pytest.raises(IntegrityError):
        TrainerNominationFactory(nominee=first.nominee, branch=first.branch)


def test_nobody_mentors_themselves(hq_admin):
    person = EmployeeFactory()
    with pytest.raises(ValidationError) as refused:
        pair(hq_admin, person, person)
    assert services.MSG_SELF_MENTOR in refused.value.messages


def test_leavers_cannot_be_paired(hq_admin):
    leaver = EmployeeFactory(leave_date=timezone.localdate())
    with pytest.raises(ValidationError):
        pair(hq_admin, leaver, EmployeeFactory())
    with pytest.raises(ValidationError):
        pair(hq_admin, EmployeeFactory(), leaver)


def test_unpair_is_hq_only_and_idempotent(hq_admin):
    pairing = MentorPairingFactory()
    with pytest.raises(PermissionDenied):
        services.mentor_unpair(pairing=pairing, actor=pairing.mentor.user)
    services.mentor_unpair(pairing=pairing, actor=hq_admin.user)
    services.mentor_unpair(pairing=pairing, actor=hq_admin.user)
    pairing.refresh_from_db()
    assert pairing.ended_on == timezone.localdate()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MENTOR_UNPAIRED).count() == 1


# --- logs ---------------------------------------------------------------------------------


def log(pairing, actor, **kwargs):
    values = {"date": timezone.localdate(), "hours": Decimal("1.5"), "topic": "大额存单营销话术"}
    return services.mentoring_log_create(pairing=pairing, actor=actor.user, **(values | kwargs))


def test_the_mentor_logs_a_session_unconfirmed():
    pairing = MentorPairingFactory()
    entry = log(pairing, pairing.mentor)
    assert entry.hours == Decimal("1.5")
    assert not entry.is_confirmed


def test_the_mentee_and_others_cannot_log(hq_admin):
    pairing = MentorPairingFactory()
    for actor in (pairing.mentee, hq_admin, EmployeeFactory()):
        with pytest.raises(PermissionDenied):
            log(pairing, actor)
    assert not MentoringLog.objects.exists()


@pytest.mark.parametrize(
    ("hours", "ok"),
    [(Decimal(0), False), (Decimal("0.01"), True), (Decimal(24), True), (Decimal("24.01"), False)],
)
def test_hours_are_above_zero_and_at_most_a_day(hours, ok):
    pairing = MentorPairingFactory()
    if ok:
        assert log(pairing, pairing.mentor, hours=hours).hours == hours
    else:
        with pytest.raises(ValidationError):
            log(pairing, pairing.mentor, hours=hours)


def test_no_logs_in_the_future_before_the_start_or_after_the_end(hq_admin):
    pairing = MentorPairingFactory(started_on=timezone.localdate() - dt.timedelta(days=10))
    with pytest.raises(ValidationError):
        log(pairing, pairing.mentor, date=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        log(pairing, pairing.mentor, date=pairing.started_on - dt.timedelta(days=1))
    log(pairing, pairing.mentor, date=pairing.started_on)
    services.mentor_unpair(pairing=pairing, actor=hq_admin.user)
    pairing.refresh_from_db()
    with pytest.raises(ValidationError):
        log(pairing, pairing.mentor)


def test_only_the_mentee_confirms_their_own_logs():
    entry = MentoringLogFactory()
    other_pairing = MentorPairingFactory()
    for actor in (entry.pairing.mentor, other_pairing.mentee, EmployeeFactory()):
        with pytest.raises(PermissionDenied):
            services.mentoring_log_confirm(log=entry, actor=actor.user)
    entry.refresh_from_db()
    assert not entry.is_confirmed
    services.mentoring_log_confirm(log=entry, actor=entry.pairing.mentee.user)
    entry.refresh_from_db()
    first = entry.confirmed_at
    assert first is not None
    services.mentoring_log_confirm(log=entry, actor=entry.pairing.mentee.user)
    entry.refresh_from_db()
    assert entry.confirmed_at == first


# --- ratings -------------------------------------------------------------------------------


def test_the_mentee_rates_once_per_period():
    pairing = MentorPairingFactory()
    rating = services.mentor_rate(pairing=pairing, score=95, actor=pairing.mentee.user)
    assert rating.period_start == quarter_start(timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        services.mentor_rate(pairing=pairing, score=80, actor=pairing.mentee.user)
    assert services.MSG_ALREADY_RATED in refused.value.messages
    next_period = dt.date(2030, 1, 1)
    services.mentor_rate(
        pairing=pairing, score=80, actor=pairing.mentee.user, period_start=next_period
    )
    assert MentorRating.objects.filter(pairing=pairing).count() == 2


def test_no_rating_for_a_period_after_the_pairing_ended():
    pairing = MentorPairingFactory(started_on=dt.date(2026, 1, 5), ended_on=dt.date(2026, 3, 31))
    with pytest.raises(ValidationError) as refused:
        services.mentor_rate(
            pairing=pairing, score=95, actor=pairing.mentee.user, period_start=dt.date(2026, 4, 1)
        )
    assert services.MSG_PAIRING_ENDED in refused.value.messages
    # The quarter the pairing ended in can still be rated.
    rating = services.mentor_rate(
        pairing=pairing, score=95, actor=pairing.mentee.user, period_start=dt.date(2026, 1, 1)
    )
    assert rating.pk is not None


def test_only_the_mentee_rates():
    pairing = MentorPairingFactory()
    for actor in (pairing.mentor, EmployeeFactory()):
        with pytest.raises(PermissionDenied):
            services.mentor_rate(pairing=pairing, score=100, actor=actor.user)


@pytest.mark.parametrize(("score", "ok"), [(-1, False), (0, True), (100, True), (101, False)])
def test_scores_run_from_0_to_100(score, ok):
    pairing = MentorPairingFactory()
    if ok:
        services.mentor_rate(pairing=pairing, score=score, actor=pairing.mentee.user)
    else:
        with pytest.raises(ValidationError):
            services.mentor_rate(pairing=pairing, score=score, actor=pairing.mentee.user)


def test_hq_changes_the_limit_audited(hq_admin):
    services.mentor_programme_update(mentee_limit=2, actor=hq_admin.user)
    assert MentorProgrammeSettings.load().mentee_limit == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.MENTOR_RULES_CHANGED)
    assert event.data == {"mentee_limit": [3, 2]}
    with pytest.raises(ValidationError):
        services.mentor_programme_update(mentee_limit=0, actor=hq_admin.user)


@pytest.mark.parametrize("role", [Role.TRAINER, Role.TRAINING_LEAD, Role.BRANCH_MANAGER])
def test_only_hq_admin_changes_the_limit(branch, role):
    actor = EmployeeFactory(branch=branch)
    grant(actor, role, branch if role == Role.BRANCH_MANAGER else None)
    with pytest.raises(PermissionDenied):
        services.mentor_programme_update(mentee_limit=5, actor=actor.user)
    assert MentorProgrammeSettings.load().mentee_limit == 3


def test_lowering_the_limit_keeps_pairings_but_blocks_new_ones(hq_admin):
    mentor = EmployeeFactory()
    for _ in range(3):
        pair(hq_admin, mentor, EmployeeFactory())
    services.mentor_programme_update(mentee_limit=2, actor=hq_admin.user)
    assert MentorPairing.objects.active().filter(mentor=mentor).count() == 3
    with pytest.raises(ValidationError):
        pair(hq_admin, mentor, EmployeeFactory())
