"""The trainer evaluation report: H, S and L of one trainer for a period, with the sessions
behind them (``evaluation.reports.trainer``); HQ, the trainer, the managers of their branch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluation.followups.selectors import EMPTY, followup_by_trainer
from evaluation.reports import access
from evaluation.reports.followup import followup_table
from evaluation.reports.periods import parse_period, period_choices
from evaluation.reports.trainer import TrainerReport, trainer_report
from evaluation.reports.web import require, respond
from hub.exports import Table
from hub.organisation.models import Employee


@login_required
@require_GET
def report(request: HttpRequest, employee_id: int) -> HttpResponse:
    trainer = get_object_or_404(Employee.objects.select_related("branch"), pk=employee_id)
    require(access.can_view_trainer_report(request.user, trainer))
    period = parse_period(request.GET.get("period"))
    figures = trainer_report(trainer=trainer, period=period)
    first, after = period.bounds()
    followup = followup_by_trainer(trainers=[trainer], start=first, end=after).get(
        trainer.pk, EMPTY
    )
    return respond(
        request,
        template="evaluation/reports/trainer.html",
        context={
            "report": figures,
            "trainer": trainer,
            "period": period,
            "periods": period_choices(),
            "charts": charts(figures),
            "followup": followup,
        },
        tables=lambda: [*tables(figures), followup_table([(trainer.name, followup)])],
        filename=f"trainer-{trainer.employee_no}-{period.key}",
    )


def _label(row) -> str:
    return f"{row.starts_at:%m-%d} {row.title}"[:40]


def charts(figures: TrainerReport) -> dict:
    """Hours credited and session satisfaction (≥ 3 responses only) per session."""
    ended = figures.ended_sessions
    labels = [_label(r) for r in ended]
    return {
        "hours": {
            "type": "bar",
            "labels": labels,
            "datasets": [
                {
                    "label": str(_("Hours counted")),
                    "data": [float(r.credited_hours) for r in ended],
                }
            ],
            "y": {"min": 0, "suffix": " h"},
        },
        "satisfaction": {
            "type": "bar",
            "labels": labels,
            "datasets": [
                {
                    "label": str(_("Session satisfaction")),
                    "data": [
                        None if r.shown_satisfaction is None else float(r.shown_satisfaction)
                        for r in ended
                    ],
                }
            ],
            "y": {"min": 0, "max": 100},
        },
    }


def _unknown(value):
    return value if value is not None else _("unknown")


def tables(figures: TrainerReport) -> list[Table]:
    """The page's figures: H, S, L with their inputs, then the sessions behind them."""
    trainer, period = figures.trainer, figures.period
    s = figures.satisfaction
    lift = figures.lift
    if s.mean is None:
        s_value = _("unknown")
    elif figures.satisfaction_shown:
        s_value = s.mean
    else:
        s_value = _("not enough responses")
    summary = Table(
        title=_("Trainer evaluation: %(name)s, %(period)s")
        % {"name": trainer.name, "period": period.label},
        sheet=_("Inputs"),
        headers=[_("Component"), _("Value"), _("Inputs")],
        rows=[
            [
                _("Teaching hours H (h)"),
                figures.teaching_hours,
                _("%(minutes)s credited minutes over %(sessions)s sessions")
                % {"minutes": figures.credited_minutes, "sessions": figures.credited_sessions},
            ],
            [
                _("Satisfaction S (0-100)"),
                s_value,
                _("%(count)s responses over %(sessions)s sessions")
                % {"count": s.count, "sessions": figures.satisfaction_sessions},
            ],
            [
                f"{_('Lift L')} (%)",
                _unknown(lift.lift_display),
                _("mean over %(count)s measured sessions") % {"count": lift.sessions},
            ],
        ],
        widths=(28, 14, 50),
    )
    sessions = Table(
        title=_("Sessions behind the figures"),
        sheet=_("Sessions"),
        headers=[
            _("Date"),
            _("Session"),
            _("Status"),
            _("Trainers"),
            _("Delivered (h)"),
            _("Counted in H (h)"),
            _("Completers"),
            _("Responses"),
            _("Session satisfaction"),
            f"{_('Lift')} (%)",
        ],
        rows=[
            [
                r.starts_at.date(),
                r.title,
                r.status_label,
                r.trainer_count,
                r.delivered_hours,
                r.credited_hours,
                r.completers,
                r.responses,
                r.shown_satisfaction,
                r.measured_lift,
            ]
            for r in figures.sessions
        ],
        widths=(12, 36, 10, 9, 12, 14, 11, 11, 18, 10),
    )
    return [summary, sessions]
