"""The course report: the course's sessions the viewer may see, side by side, with pooled and
per-trainer figures (page and CSV/XLSX export). 404 for an unknown course, 403 when none of
its sessions is visible (``access.report_sessions``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluation.followups.selectors import followup_pooled
from evaluation.reports import access
from evaluation.reports.course import CourseReport, course_report
from evaluation.reports.followup import followup_table
from evaluation.reports.roi import roi_table
from evaluation.reports.web import require, respond
from evaluation.roi.selectors import roi_by_course
from hub.exports import Table
from library.models import CoursePage

# A page lists the latest sessions and the busiest trainers (the pooled figures cover all;
# the export lists all), so it stays fast however long the course's history.
LISTED_SESSIONS = 100
LISTED_TRAINERS = 50


def _metric_name(report: CourseReport, code: str) -> str:
    metric = report.metrics.get(code)
    return metric.name_zh if metric is not None else code


def _tables(report: CourseReport) -> list[Table]:
    pooled = report.satisfaction
    summary = [
        [_("Course"), report.course.title],
        [_("Sessions"), len(report.rows)],
        [_("Course satisfaction (0-100)"), report.shown_satisfaction],
        [_("Scored responses"), pooled.count],
    ]
    sessions = []
    for row in report.rows:
        lift = row.lift
        sessions.append(
            [
                row.session.title,
                row.session.starts_at,
                "、".join(t.name for t in row.trainers),
                row.responses,
                row.shown_satisfaction,
                row.learning.graded if row.learning else None,
                row.learning.mean_share if row.learning else None,
                _metric_name(report, lift.metric_code) if lift else "",
                lift.lift_display if lift else None,
                lift.net_lift_display if lift else None,
            ]
        )
    trainers = [
        [
            t.trainer.name,
            t.trainer.employee_no,
            t.sessions,
            t.satisfaction.count if t.satisfaction else 0,
            t.shown_satisfaction,
            t.lift_display,
            t.lift_sessions,
        ]
        for t in report.trainers
    ]
    return [
        Table(_("Course"), [_("Figure"), _("Value")], summary, widths=(30, 50)),
        Table(
            _("Sessions"),
            [
                _("Session"),
                _("Date"),
                _("Trainers"),
                _("Responses"),
                _("Session satisfaction (0-100)"),
                _("Grades"),
                _("L2 mean share of maximum (percent)"),
                _("Metric"),
                _("Lift (percent)"),
                _("Net lift (percent)"),
            ],
            sessions,
            widths=(30, 18, 20),
        ),
        Table(
            _("Trainers"),
            [
                _("Trainer"),
                _("Employee no."),
                _("Sessions"),
                _("Scored responses"),
                _("Satisfaction (0-100)"),
                _("Mean lift (percent)"),
                _("Sessions with a measured lift"),
            ],
            trainers,
            widths=(20,),
        ),
    ]


@login_required
@require_GET
def report(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(CoursePage, pk=course_id)
    sessions = access.report_sessions(request.user).filter(course=course)
    require(sessions.exists())
    exporting = "export" in request.GET
    figures = course_report(
        course=course,
        sessions=sessions,
        limit=None if exporting else LISTED_SESSIONS,
        trainer_limit=None if exporting else LISTED_TRAINERS,
    )
    roi = roi_by_course(course=course, sessions=sessions)
    followup = followup_pooled(sessions=sessions)
    context = {
        "roi": roi,
        "followup": followup,
        "report": figures,
        "course": course,
        "chart": figures.satisfaction_chart(str(_("Session satisfaction"))),
    }
    return respond(
        request,
        template="evaluation/reports/course.html",
        context=context,
        tables=lambda: [
            *_tables(figures),
            followup_table([(course.title, followup)]),
            roi_table([(course.title, roi)]),
        ],
        filename=f"course-report-{course.pk}",
    )
