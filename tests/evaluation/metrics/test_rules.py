"""Lift and net lift on hand-worked examples (PRODUCT.md "Exact definitions")."""

import datetime as dt
from decimal import Decimal

from evaluation.metrics import rules


def test_lift_higher_is_better():
    # cross-selling 22 → 26: (26 - 22) / 22 x 100 = 18.18…
    lift = rules.lift_percent(Decimal(22), Decimal(26), higher_is_better=True)
    assert rules.round_percent(lift) == Decimal("18.2")


def test_lift_higher_is_better_falling_is_negative():
    assert rules.lift_percent(Decimal(100), Decimal(88), higher_is_better=True) == Decimal(-12)


def test_lift_lower_is_better():
    # complaint rate 8 → 6: (8 - 6) / 8 x 100 = 25
    assert rules.lift_percent(Decimal(8), Decimal(6), higher_is_better=False) == Decimal(25)
    # and rising is worse
    assert rules.lift_percent(Decimal(8), Decimal(10), higher_is_better=False) == Decimal(-25)


def test_lift_before_zero_is_undefined():
    assert rules.lift_percent(Decimal(0), Decimal(5), higher_is_better=True) is None
    assert rules.lift_percent(Decimal(0), Decimal(0), higher_is_better=False) is None


def test_lift_missing_value_is_undefined():
    assert rules.lift_percent(None, Decimal(5), higher_is_better=True) is None
    assert rules.lift_percent(Decimal(5), None, higher_is_better=True) is None


def test_correct_handling_70_to_90():
    lift = rules.lift_percent(Decimal(70), Decimal(90), higher_is_better=True)
    assert rules.round_percent(lift) == Decimal("28.6")


def test_net_lift_hand_built_comparison():
    # trained branch +20 %; comparison branches +5 %, +10 %, -3 % → mean 4 → net 16
    net, comparison, units, small = rules.net_lift(
        Decimal(20), [Decimal(5), Decimal(10), Decimal(-3)]
    )
    assert comparison == Decimal(4)
    assert net == Decimal(16)
    assert units == 3
    assert small is False


def test_net_lift_small_sample_and_missing_units():
    net, comparison, units, small = rules.net_lift(Decimal(20), [Decimal(10), None])
    assert (net, comparison, units, small) == (Decimal(10), Decimal(10), 1, True)


def test_net_lift_without_plain_lift():
    net, comparison, _units, _small = rules.net_lift(None, [Decimal(10)])
    assert net is None and comparison == Decimal(10)


def test_round_half_up():
    assert rules.round_percent(Decimal("12.35")) == Decimal("12.4")
    assert rules.round_percent(Decimal("12.34")) == Decimal("12.3")


def test_windows():
    windows = rules.Windows(day=dt.date(2026, 3, 15))
    assert windows.before_start == dt.date(2025, 12, 15)
    assert windows.after_end == dt.date(2026, 6, 13)


def test_periods():
    assert rules.month_end(dt.date(2024, 2, 10)) == dt.date(2024, 2, 29)
    assert rules.quarter_start(dt.date(2026, 5, 20)) == dt.date(2026, 4, 1)
    assert rules.quarter_end(dt.date(2026, 11, 2)) == dt.date(2026, 12, 31)


def test_retained_one_hire():
    as_of = dt.date(2026, 6, 30)
    assert rules.retained(as_of - dt.timedelta(days=89), None, as_of=as_of) is None
    assert rules.retained(as_of - dt.timedelta(days=90), None, as_of=as_of) is True
    hire = dt.date(2026, 1, 1)
    assert rules.retained(hire, hire + dt.timedelta(days=89), as_of=as_of) is False
    assert rules.retained(hire, hire + dt.timedelta(days=90), as_of=as_of) is False
    assert rules.retained(hire, hire + dt.timedelta(days=91), as_of=as_of) is True
