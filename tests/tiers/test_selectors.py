"""tiers.selectors: the manager's nomination panel and the mentors' yearly totals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import BranchFactory, EmployeeFactory, make_manager
from tests.tiers.factories import (
    MentoringLogFactory,
    MentorPairingFactory,
    MentorRatingFactory,
    TrainerNominationFactory,
    grades,
)
from tiers import selectors
from tiers.models import MentorProgrammeSettings, TrainerNomination

pytestmark = pytest.mark.django_db

IN_2026 = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)


def nominate(manager, *letters, created_at=IN_2026, **kwargs):
    nominee = EmployeeFactory(branch=manager.branch)
    grades(nominee, *letters)
    return TrainerNominationFactory(
        nominee=nominee,
        branch=manager.branch,
        nominated_by=manager,
        created_at=created_at,
        **kwargs,
    )


def test_high_performers_count_a_and_b_by_latest_grade(manager):
    nominate(manager, "C", "A")  # latest A: counts
    nominate(manager, "A", "B")  # latest B: counts
    nominate(manager, "A", "C")  # latest C: does not count, though graded A before
    nominate(manager, "D")
    nominate(manager)  # no grades
    panel = selectors.nomination_panel(user=manager.user, year=2026)
    assert len(panel.nominations) == 5
    assert panel.high_performers == 2
    assert panel.rule_met
    assert panel.missing == 0


def test_one_high_performer_misses_the_rule(manager):
    nominate(manager, "A")
    nominate(manager, "C")
    panel = selectors.nomination_panel(user=manager.user, year=2026)
    assert panel.high_performers == 1
    assert not panel.rule_met
    assert panel.missing == 1


def test_a_person_nominated_twice_counts_once(manager):
    first = nominate(manager, "A", status=TrainerNomination.Status.DECLINED, decision_reason="x",
                     decided_at=IN_2026)  # fmt: skip
    TrainerNominationFactory(
        nominee=first.nominee, branch=manager.branch, nominated_by=manager, created_at=IN_2026
    )
    panel = selectors.nomination_panel(user=manager.user, year=2026)
    assert len(panel.nominations) == 2
    assert panel.high_performers == 1


def test_only_the_year_and_the_managers_branches_count(manager):
    nominate(manager, "A")
    nominate(manager, "A", created_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC))
    other = make_manager(BranchFactory())
    nominate(other, "A")
    panel = selectors.nomination_panel(user=manager.user, year=2026)
    assert [n.branch for n in panel.nominations] == [manager.branch]
    assert panel.high_performers == 1


def test_recent_grades_are_the_last_four_newest_first(manager):
    nomination = nominate(manager, "D", "C", "B", "A")
    older = nomination.nominee.grades.order_by("period_start").first()
    older.pk, older.period_start, older.period_end = None, dt.date(2025, 7, 1), dt.date(2025, 9, 30)
    older.save()
    panel = selectors.nomination_panel(user=manager.user, year=2026)
    shown = panel.nominations[0].nominee.recent_grades
    assert [g.grade for g in shown] == ["A", "B", "C", "D"]


def test_the_panel_takes_two_queries_however_many_nominations(manager, django_assert_num_queries):
    for letters in (("A",), ("B", "C"), ("C", "A", "B"), ()):
        nominate(manager, *letters)
    selectors.nomination_panel(user=manager.user, year=2026)  # warm the access cache
    with django_assert_num_queries(2):
        few = selectors.nomination_panel(user=manager.user, year=2026)
    for _ in range(10):
        nominate(manager, "A", "B", "C", "D")
    with django_assert_num_queries(2):
        many = selectors.nomination_panel(user=manager.user, year=2026)
    assert len(many.nominations) == len(few.nominations) + 10


def test_candidates_exclude_trainers_pending_leavers_and_other_branches(manager):
    from hub.organisation.models import Role
    from tests.factories import grant

    ok = EmployeeFactory(branch=manager.branch)
    trainer = EmployeeFactory(branch=manager.branch)
    grant(trainer, Role.TRAINER)
    pending = nominate(manager, "A").nominee
    EmployeeFactory(branch=manager.branch, leave_date=timezone.localdate())
    EmployeeFactory()
    candidates = set(selectors.nomination_candidates(user=manager.user))
    assert candidates == {ok}
    assert pending not in candidates


# --- mentors ---------------------------------------------------------------------------------

CONFIRMED = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def mentor_with(hours_per_mentee, ratings, mentees=2, year=2026):
    """A mentor with ``mentees`` pairings in ``year``; each gets confirmed logs of the given
    hours and one rating per score in ``ratings`` (spread over the mentees)."""
    mentor = EmployeeFactory()
    pairings = [
        MentorPairingFactory(mentor=mentor, started_on=dt.date(year, 1, 2)) for _ in range(mentees)
    ]
    for pairing in pairings:
        for index, hours in enumerate(hours_per_mentee):
            MentoringLogFactory(
                pairing=pairing,
                date=dt.date(year, 2, 1) + dt.timedelta(days=7 * index),
                hours=Decimal(hours),
                confirmed_at=CONFIRMED,
            )
    for index, score in enumerate(ratings):
        MentorRatingFactory(
            pairing=pairings[index % mentees],
            period_start=dt.date(year, 1 + 3 * (index // mentees), 1),
            score=score,
        )
    return mentor


def totals_for(mentor, year=2026):
    (row,) = selectors.mentor_year_totals(year=year, mentor_ids=[mentor.pk])
    return row


def test_exactly_40_hours_and_90_qualify():
    mentor = mentor_with(["10", "10"], [90, 90])
    row = totals_for(mentor)
    assert row.confirmed_hours == Decimal(40)
    assert row.mean_rating == Decimal(90)
    assert row.mentees == 2
    assert row.outstanding


def test_just_under_40_hours_does_not_qualify():
    row = totals_for(mentor_with(["10", "9.99"], [100, 100]))
    assert row.confirmed_hours == Decimal("39.98")
    assert not row.outstanding


def test_a_mean_just_under_90_does_not_qualify():
    row = totals_for(mentor_with(["20", "20"], [90, 89]))
    assert row.mean_rating == Decimal("89.5")
    assert not row.outstanding


def test_one_mentee_is_too_few():
    row = totals_for(mentor_with(["20", "20", "10"], [95, 95], mentees=1))
    assert row.confirmed_hours == Decimal(50)
    assert row.mentees == 1
    assert not row.outstanding


def test_unconfirmed_and_other_years_hours_do_not_count():
    mentor = mentor_with(["10", "10"], [95, 95])
    pairing = mentor.mentee_pairings.first()
    MentoringLogFactory(pairing=pairing, date=dt.date(2026, 9, 1), hours=Decimal(8))
    MentoringLogFactory(
        pairing=pairing, date=dt.date(2025, 12, 30), hours=Decimal(8), confirmed_at=CONFIRMED
    )
    row = totals_for(mentor)
    assert row.confirmed_hours == Decimal(40)
    assert row.pending_hours == Decimal(8)


def test_ended_pairings_count_for_their_year():
    mentor = mentor_with(["12.5", "12.5"], [92, 94])
    ended = mentor.mentee_pairings.first()
    ended.ended_on = dt.date(2026, 8, 31)
    ended.save()
    row = totals_for(mentor)
    assert row.mentees == 2
    assert row.active_mentees == 1
    assert row.outstanding
    assert selectors.mentor_year_totals(year=2027, mentor_ids=[mentor.pk])[0].mentees == 1


def test_thresholds_follow_hq_settings():
    mentor = mentor_with(["10", "10"], [90, 90])
    settings = MentorProgrammeSettings.load()
    settings.outstanding_min_hours = Decimal(50)
    settings.save()
    assert not totals_for(mentor).outstanding


def test_totals_take_constant_queries(django_assert_num_queries):
    mentor_with(["2"], [90])
    MentorProgrammeSettings.load()  # created on first use
    with django_assert_num_queries(2):  # the settings row and the mentors
        selectors.mentor_year_totals(year=2026)
    for _ in range(5):
        mentor_with(["2", "3"], [80, 90, 100], mentees=3)
    MentorProgrammeSettings.load()
    with django_assert_num_queries(2):
        rows = selectors.mentor_year_totals(year=2026)
    assert len(rows) == 6
