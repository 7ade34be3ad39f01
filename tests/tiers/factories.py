"""Factories of the tiers app (nominations and the mentor programme)."""

import datetime as dt
from decimal import Decimal

import factory

from tests.factories import BranchFactory, EmployeeFactory, PerformanceGradeFactory
from tiers.models import MentoringLog, MentorPairing, MentorRating, TrainerNomination


class TrainerNominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainerNomination

    branch = factory.SubFactory(BranchFactory)
    nominee = factory.SubFactory(EmployeeFactory, branch=factory.SelfAttribute("..branch"))
    nominated_by = factory.SubFactory(EmployeeFactory, branch=factory.SelfAttribute("..branch"))
    reason = "业务扎实、乐于分享"


class MentorPairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorPairing

    mentor = factory.SubFactory(EmployeeFactory)
    mentee = factory.SubFactory(EmployeeFactory)
    started_on = dt.date(2026, 1, 5)


class MentoringLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentoringLog

    pairing = factory.SubFactory(MentorPairingFactory)
    date = dt.date(2026, 3, 2)
    hours = Decimal(2)
    topic = "客户异议处理"


class MentorRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorRating

    pairing = factory.SubFactory(MentorPairingFactory)
    period_start = dt.date(2026, 1, 1)
    score = 90


def grades(employee, *letters: str) -> None:
    """Give ``employee`` one grade per quarter, oldest first, ending with 2026 Q3."""
    if not letters:
        return
    quarters = [(dt.date(2025, 10, 1), dt.date(2025, 12, 31))] + [
        (dt.date(2026, m, 1), dt.date(2026, m + 2, 30 if m in (4, 7) else 31)) for m in (1, 4, 7)
    ]
    for (start, end), letter in zip(quarters[-len(letters) :], letters, strict=True):
        PerformanceGradeFactory(employee=employee, period_start=start, period_end=end, grade=letter)
