"""The branch effectiveness report (``/reports/branches/<id>/``): HQ and the branch's managers.

The view checks access, builds the report (``evaluation.reports.branch.branch_report``) and
turns it into display rows once; the page and the CSV/XLSX export show those same rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluation.metrics.rules import round_percent
from evaluation.reports import access
from evaluation.reports.branch import (
    AFTER,
    BEFORE,
    COHORT_KINDS,
    PIVOT,
    BranchReport,
    branch_report,
)
from evaluation.reports.periods import parse_period, period_choices
from evaluation.reports.roi import roi_table
from evaluation.reports.web import require, respond
from evaluation.roi.selectors import roi_by_branch, roi_by_needs
from hub.exports import Table
from hub.organisation.models import Branch


@login_required
@require_GET
def report(request: HttpRequest, branch_id: int) -> HttpResponse:
    branch = get_object_or_404(Branch.objects.select_related("region"), pk=branch_id)
    require(access.can_view_branch_report(request.user, branch))
    period = parse_period(request.GET.get("period"))
    cohort = request.GET.get("cohort")
    cohort = cohort if cohort in COHORT_KINDS else COHORT_KINDS[0]
    data = branch_report(branch=branch, period=period, cohort=cohort)
    first, after = period.bounds()
    roi = roi_by_branch(branch=branch, start=first, end=after)
    need_roi = roi_by_needs(needs=[p.need for p in data.programmes])
    rows = display_rows(data)
    for row, programme in zip(rows["programmes"], data.programmes, strict=True):
        row["roi"] = need_roi.get(programme.need.pk)
    specs = charts(data, rows)
    context = {
        "report": data,
        "rows": rows,
        "charts": specs,
        "trends": list(zip(rows["trends"], specs["trends"], strict=True)),
        "periods": period_choices(),
        "cohort_kinds": [("month", _("By month")), ("quarter", _("By quarter"))],
        "roi": roi,
    }
    return respond(
        request,
        template="evaluation/reports/branch.html",
        context=context,
        tables=lambda: [
            *tables(data, rows),
            roi_table(
                [
                    (branch.name, roi),
                    *(
                        (p.need.title, need_roi[p.need.pk])
                        for p in data.programmes
                        if p.need.pk in need_roi
                    ),
                ]
            ),
        ],
        filename=f"branch-{branch.code}-{period.key}",
    )


# --- what the page and the export show -------------------------------------------------------


def metric_name(metric) -> str:
    if (get_language() or "").startswith("en") and metric.name_en:
        return metric.name_en
    return metric.name_zh


def _one(value) -> Decimal | None:
    return round_percent(value)


def _cohort_label(cohort, kind: str) -> str:
    if kind == "quarter":
        return _("%(year)s Q%(quarter)s") % {
            "year": cohort.start.year,
            "quarter": (cohort.start.month - 1) // 3 + 1,
        }
    return cohort.start.strftime("%Y-%m")


def _side_label(side: str) -> str:
    return {
        BEFORE: _("before the programme"),
        AFTER: _("after the programme"),
        PIVOT: _("contains the programme start (in neither)"),
    }.get(side, "")


def _programme_row(programme) -> dict:
    lift = programme.lift
    windows = lift.windows if lift is not None else None
    return {
        "need": programme.need,
        "title": programme.need.title,
        "status": programme.need.get_status_display(),
        "metric": metric_name(programme.metric),
        "unit": programme.metric.unit,
        "higher_is_better": programme.metric.higher_is_better,
        "is_retention": programme.is_retention,
        "first_session": programme.first_session,
        "first_day": timezone.localdate(programme.first_session.starts_at)
        if programme.first_session
        else None,
        "sessions": programme.sessions,
        "before_window": (windows.before_start, windows.day) if windows else None,
        "after_window": (windows.day, windows.after_end) if windows else None,
        "before": _one(lift.before) if lift else None,
        "after": _one(lift.after) if lift else None,
        "lift": lift.lift_display if lift else None,
        "net_lift": lift.net_lift_display if lift else None,
        "comparison_lift": _one(lift.comparison_lift) if lift else None,
        "comparison_units": lift.comparison_units if lift and not programme.is_retention else None,
        "small_sample": bool(lift and lift.small_sample and lift.net_lift is not None),
        "reason": (
            lift.reason
            if lift
            else _("No ended session yet: the lift is measured around the first ended session.")
        ),
    }


def _headline_row(metric, lift) -> dict:
    return {
        "metric": metric_name(metric),
        "unit": metric.unit,
        "higher_is_better": metric.higher_is_better,
        "before_window": (lift.windows.before_start, lift.windows.day),
        "after_window": (lift.windows.day, lift.windows.after_end),
        "before": _one(lift.before),
        "after": _one(lift.after),
        "lift": lift.lift_display,
        "net_lift": lift.net_lift_display,
        "comparison_lift": _one(lift.comparison_lift),
        "comparison_units": lift.comparison_units,
        "small_sample": lift.small_sample and lift.net_lift is not None,
        "reason": lift.reason,
    }


def display_rows(data: BranchReport) -> dict:
    pivot_day = timezone.localdate(data.pivot.starts_at) if data.pivot else None
    return {
        "programmes": [_programme_row(p) for p in data.programmes],
        "headline": [_headline_row(metric, lift) for metric, lift in data.headline],
        "headline_day": (
            timezone.localdate(data.headline_session.starts_at) if data.headline_session else None
        ),
        "cohorts": [
            {
                "label": _cohort_label(c, data.cohort_kind),
                "start": c.start,
                "end": c.end,
                "hires": c.hires,
                "eligible": c.eligible,
                "retained": c.retained,
                "rate": _one(c.rate),
                "side": c.side,
                "side_label": _side_label(c.side),
            }
            for c in data.cohorts
        ],
        "pivot_day": pivot_day,
        "pooled": [
            {
                "side": side,
                "cohorts": p.cohorts,
                "eligible": p.eligible,
                "retained": p.retained,
                "rate": _one(p.rate),
            }
            for side, p in ((_("Before"), data.before), (_("After"), data.after))
        ],
        "retention_lift": _one(data.retention_lift),
        "coverage": [
            {
                "label": c.period.label,
                "start": c.period.start,
                "staff": c.staff,
                "trained": c.trained,
                "rate": _one(c.rate),
            }
            for c in data.coverage
        ],
        "satisfaction": data.satisfaction.mean if data.satisfaction.enough else None,
        "trends": [
            {
                "metric": metric_name(t.metric),
                "unit": t.metric.unit,
                "values": [_one(v) for v in t.values],
                "peer_values": [_one(v) for v in t.peer_values],
                "peers": t.peers,
                "points": list(
                    zip(
                        data.months,
                        [_one(v) for v in t.values],
                        [_one(v) for v in t.peer_values],
                        strict=True,
                    )
                ),
            }
            for t in data.trends
        ],
    }


def _number(value) -> float | None:
    return None if value is None else float(value)


def charts(data: BranchReport, rows: dict) -> dict:
    """Chart specs (static/reports/charts.js) from the display rows: each number is in a
    table too."""
    cohort_labels = [
        f"{c['label']} · {c['side_label']}" if c["side"] in (BEFORE, AFTER) else c["label"]
        for c in rows["cohorts"]
    ]
    months = [m.strftime("%Y-%m") for m in data.months]
    trends = []
    for index, trend in enumerate(rows["trends"]):
        datasets = [{"label": data.branch.name, "data": [_number(v) for v in trend["values"]]}]
        if trend["peers"]:
            datasets.append(
                {
                    "label": _("Untrained peers of the region (mean)"),
                    "data": [_number(v) for v in trend["peer_values"]],
                }
            )
        suffix = " %" if trend["unit"] == "%" else ""
        trends.append(
            {
                "id": f"trend-chart-{index}",
                "spec": {
                    "type": "line",
                    "labels": months,
                    "datasets": datasets,
                    "y": {"suffix": suffix},
                },
            }
        )
    return {
        "cohorts": {
            "type": "bar",
            "labels": cohort_labels,
            "datasets": [
                {
                    "label": _("3-month retention"),
                    "data": [_number(c["rate"]) for c in rows["cohorts"]],
                }
            ],
            "y": {"min": 0, "max": 100, "suffix": " %"},
        },
        "coverage": {
            "type": "bar",
            "labels": [c["label"] for c in rows["coverage"]],
            "datasets": [
                {
                    "label": _("Training coverage"),
                    "data": [_number(c["rate"]) for c in rows["coverage"]],
                }
            ],
            "y": {"min": 0, "max": 100, "suffix": " %"},
        },
        "trends": trends,
    }


def _lift_headers() -> list[str]:
    """The columns of one lift figure in an export (programmes and the headline table)."""
    return [
        _("Before window"),
        _("Before"),
        _("After window"),
        _("After"),
        _("Lift (percent)"),
        _("Comparison lift (percent)"),
        _("Net lift (percent)"),
        _("Comparison branches"),
        _("Small sample"),
        _("Why undefined"),
    ]


def _lift_cells(r: dict) -> list:
    """The cells of ``_lift_headers`` for one display row."""
    return [
        _window(r["before_window"]),
        r["before"],
        _window(r["after_window"]),
        r["after"],
        r["lift"],
        r["comparison_lift"],
        r["net_lift"],
        r["comparison_units"],
        _("yes") if r["small_sample"] else "",
        r["reason"],
    ]


def tables(data: BranchReport, rows: dict) -> list[Table]:
    programmes = Table(
        title=_("Programmes and their lift"),
        sheet=_("Programmes"),
        headers=[
            _("Training need"),
            _("Status"),
            _("Metric"),
            _("Unit"),
            _("First ended session"),
            _("Sessions"),
            *_lift_headers(),
        ],
        rows=[
            [
                r["title"],
                r["status"],
                r["metric"],
                r["unit"],
                r["first_day"],
                len(r["sessions"]),
                *_lift_cells(r),
            ]
            for r in rows["programmes"]
        ],
    )
    headline = Table(
        title=_("Before and after the first programme session"),
        sheet=_("Before and after"),
        headers=[
            _("Metric"),
            _("Unit"),
            _("Session day"),
            *_lift_headers(),
        ],
        rows=[
            [
                r["metric"],
                r["unit"],
                rows["headline_day"],
                *_lift_cells(r),
            ]
            for r in rows["headline"]
        ],
    )
    sessions = Table(
        title=_("Programme sessions"),
        sheet=_("Sessions"),
        headers=[_("Training need"), _("Session"), _("Starts at"), _("Status")],
        rows=[
            [r["title"], s.title, s.starts_at, s.get_status_display()]
            for r in rows["programmes"]
            for s in r["sessions"]
        ],
    )
    cohorts = Table(
        title=_("3-month new-hire retention by cohort"),
        sheet=_("Retention cohorts"),
        headers=[
            _("Cohort"),
            _("First day"),
            _("Last day"),
            _("Hires"),
            _("Eligible (90 days passed)"),
            _("Retained"),
            _("Retention (percent)"),
            _("Side of the programme"),
        ],
        rows=[
            [
                c["label"],
                c["start"],
                c["end"],
                c["hires"],
                c["eligible"],
                c["retained"],
                c["rate"],
                c["side_label"],
            ]
            for c in rows["cohorts"]
        ],
    )
    pooled = Table(
        title=_("Retention before and after the programme (pooled)"),
        sheet=_("Retention pooled"),
        headers=[_("Side"), _("Cohorts"), _("Eligible"), _("Retained"), _("Retention (percent)")],
        rows=[
            [p["side"], p["cohorts"], p["eligible"], p["retained"], p["rate"]]
            for p in rows["pooled"]
        ],
    )
    coverage = Table(
        title=_("Training coverage by quarter"),
        sheet=_("Coverage"),
        headers=[_("Quarter"), _("Staff"), _("Trained"), _("Coverage (percent)")],
        rows=[[c["label"], c["staff"], c["trained"], c["rate"]] for c in rows["coverage"]],
    )
    delivery = Table(
        title=_("Sessions held for the branch in %(period)s") % {"period": data.period.label},
        sheet=_("Delivery"),
        headers=[
            _("Sessions delivered"),
            _("Hours delivered"),
            _("Survey responses"),
            _("Satisfaction (0-100)"),
        ],
        rows=[
            [
                data.sessions_delivered,
                data.hours_delivered,
                data.satisfaction.count,
                rows["satisfaction"],
            ]
        ],
    )
    trends = Table(
        title=_("Monthly values of the outcome metrics"),
        sheet=_("Trends"),
        headers=[
            _("Metric"),
            _("Unit"),
            _("Month"),
            data.branch.name,
            _("Untrained peers of the region (mean)"),
        ],
        rows=[
            [t["metric"], t["unit"], month, value, peers]
            for t in rows["trends"]
            for month, value, peers in t["points"]
        ],
    )
    return [programmes, sessions, headline, cohorts, pooled, coverage, delivery, trends]


def _window(window) -> str:
    if window is None:
        return ""
    return f"{window[0].isoformat()} to {window[1].isoformat()}"
