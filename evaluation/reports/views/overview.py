"""The HQ overview: every branch side by side for a period, ranked by a chosen column, with the
company totals and the trainer sign-up trend (``evaluation.reports.overview``); HQ only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from evaluation.reports import access
from evaluation.reports.overview import Overview, OverviewRow, hq_overview
from evaluation.reports.periods import parse_period, period_choices
from evaluation.reports.web import require, respond
from hub.exports import Table

COLUMNS = (
    ("branch", gettext_lazy("Branch")),
    ("staff", gettext_lazy("Staff")),
    ("coverage", gettext_lazy("Training coverage")),
    ("sessions", gettext_lazy("Sessions")),
    ("hours", gettext_lazy("Hours")),
    ("satisfaction", gettext_lazy("Satisfaction")),
    ("retention", gettext_lazy("3-month retention")),
    ("trainers", gettext_lazy("Trainers")),
    ("signup", gettext_lazy("Trainer sign-up rate")),
)


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    require(access.can_view_overview(request.user))
    period = parse_period(request.GET.get("period"))
    overview = hq_overview(
        period=period, sort=request.GET.get("sort"), region=request.GET.get("region")
    )
    keep = [("sort", overview.sort)]
    if overview.region is not None:
        keep.append(("region", overview.region.code))
    return respond(
        request,
        template="evaluation/reports/overview.html",
        context={
            "overview": overview,
            "period": period,
            "periods": period_choices(),
            "columns": COLUMNS,
            "keep": keep,
            "charts": charts(overview),
        },
        tables=lambda: tables(overview),
        filename=f"overview-{period.key}",
    )


def _number(value):
    return None if value is None else float(value)


def charts(overview: Overview) -> dict:
    rows = overview.rows
    return {
        "branches": {
            "type": "bar",
            "labels": [row.branch.name for row in rows],
            "datasets": [
                {"label": str(_("Training coverage")), "data": [_number(r.coverage) for r in rows]},
                {
                    "label": str(_("Trainer sign-up rate")),
                    "data": [_number(r.signup_rate) for r in rows],
                },
            ],
            "y": {"min": 0, "max": 100, "suffix": " %"},
        },
        "trend": {
            "type": "line",
            "labels": [str(point.period.label) for point in overview.trend],
            "datasets": [
                {
                    "label": str(_("Trainer sign-up rate")),
                    "data": [_number(point.rate) for point in overview.trend],
                },
                {
                    "label": str(_("Baseline")),
                    "data": [float(overview.signup_baseline)] * len(overview.trend),
                    "color": "#6c757d",
                },
                {
                    "label": str(_("Target")),
                    "data": [float(overview.signup_target)] * len(overview.trend),
                    "color": "#198754",
                },
            ],
            "y": {"min": 0, "max": 100, "suffix": " %"},
        },
    }


def _cells(row: OverviewRow) -> list:
    return [
        row.staff,
        row.coverage_trained,
        row.coverage_staff,
        row.coverage,
        row.sessions,
        row.hours,
        row.responses,
        row.shown_satisfaction,
        row.retention_cohort,
        row.retention_retained,
        row.retention_eligible,
        row.retention,
        row.trainers,
        row.signup_rate,
    ]


def tables(overview: Overview) -> list[Table]:
    """The branches (ranked as on the page) with the company row, and the sign-up trend."""
    branches = Table(
        title=_("HQ overview, %(period)s") % {"period": overview.period.label},
        sheet=_("Branches"),
        headers=[
            _("Rank"),
            _("Code"),
            _("Branch"),
            _("Region"),
            _("Staff"),
            _("Trained staff"),
            _("Staff in period"),
            f"{_('Training coverage')} (%)",
            _("Sessions"),
            _("Hours"),
            _("Responses"),
            _("Satisfaction"),
            _("Retention cohort"),
            _("Retained"),
            _("Eligible hires"),
            f"{_('3-month retention')} (%)",
            _("Trainers"),
            f"{_('Trainer sign-up rate')} (%)",
        ],
        rows=[
            [row.rank, row.branch.code, row.branch.name, row.branch.region.name, *_cells(row)]
            for row in overview.rows
        ]
        + [[None, "", _("Company"), "", *_cells(overview.total)]],
    )
    trend = Table(
        title=_("Trainer sign-up rate by quarter"),
        sheet=_("Sign-up trend"),
        headers=[_("Quarter"), _("Staff"), _("Trainers"), f"{_('Trainer sign-up rate')} (%)"],
        rows=[[str(p.period.label), p.staff, p.trainers, p.rate] for p in overview.trend],
    )
    return [branches, trend]
