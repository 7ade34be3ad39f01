"""The session report: L1 reaction, L2 learning and L4 outcome of one session (page and
CSV/XLSX export of the same figures). Access: ``access.can_view_session_report``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluation.followups.selectors import EMPTY, followup_by_session, followup_comments
from evaluation.permissions import can_enter_session_cost
from evaluation.reports import access
from evaluation.reports.followup import followup_table
from evaluation.reports.roi import roi_table
from evaluation.reports.session import SessionReport, session_report
from evaluation.reports.web import require, respond
from evaluation.roi.selectors import roi_by_session
from hub.exports import Table
from hub.sessions.models import Session


def _rating_charts(report: SessionReport) -> list[dict]:
    """One bar chart per question with a distribution (only when results may be shown)."""
    results = report.results
    if results is None or not results.enough:
        return []
    charts = []
    for index, result in enumerate(results.questions):
        if not result.distribution:
            continue
        charts.append(
            {
                "result": result,
                "chart_id": f"l1-q{index}",
                "spec": {
                    "type": "bar",
                    "labels": [label for label, _count in result.distribution],
                    "datasets": [
                        {
                            "label": _("Answers"),
                            "data": [count for _label, count in result.distribution],
                        }
                    ],
                    "y": {"min": 0},
                },
            }
        )
    return charts


def _fact_rows(report: SessionReport) -> list[list]:
    s = report.session
    satisfaction = report.satisfaction
    lift = report.lift
    rows = [
        [_("Session"), s.title],
        [_("Course"), s.course.title if s.course else ""],
        [_("Trainers"), "、".join(t.name for t in report.trainers)],
        [_("Mode"), s.get_mode_display()],
        [_("Date"), s.starts_at],
        [_("Branch"), s.branch.name if s.branch else _("Company-wide")],
        [_("Delivered hours"), report.delivered_hours],
        [_("Enrolled"), report.headcount.enrolled],
        [_("Attended"), report.headcount.attended],
        [_("Completed"), report.headcount.completed],
        [_("Survey responses"), report.responses],
        [_("Invited to the survey"), report.invited],
        [_("Session satisfaction (0-100)"), satisfaction.mean if satisfaction else None],
        [_("Scored responses"), satisfaction.count if satisfaction else None],
    ]
    if lift is not None:
        rows += [
            [_("Lift (percent)"), lift.lift_display],
            [_("Net lift (percent)"), lift.net_lift_display],
        ]
    return rows


def _tables(report: SessionReport) -> list[Table]:
    tables = [Table(_("Session"), [_("Figure"), _("Value")], _fact_rows(report), widths=(30, 50))]
    results = report.results
    if results is not None and results.enough:
        summary, distribution, comments = [], [], []
        for r in results.questions:
            nps = r.nps
            summary.append(
                [
                    r.question.text,
                    r.question.get_kind_display(),
                    r.answered,
                    r.mean,
                    nps.score if nps else None,
                    nps.promoters if nps else None,
                    nps.passives if nps else None,
                    nps.detractors if nps else None,
                ]
            )
            distribution += [[r.question.text, label, count] for label, count in r.distribution]
            comments += [[r.question.text, text] for text in r.comments]
        tables += [
            Table(
                _("L1 questions"),
                [
                    _("Question"),
                    _("Kind"),
                    _("Answered"),
                    _("Mean (0-100)"),
                    _("NPS"),
                    _("Promoters (9-10)"),
                    _("Passives (7-8)"),
                    _("Detractors (0-6)"),
                ],
                summary,
                widths=(40,),
            ),
            Table(
                _("L1 distribution"),
                [_("Question"), _("Answer"), _("Count")],
                distribution,
                widths=(40, 20),
            ),
            Table(_("Comments"), [_("Question"), _("Comment")], comments, widths=(40, 80)),
        ]
    tables.append(
        Table(
            _("L2 assignments"),
            [
                _("Assignment"),
                _("Maximum score"),
                _("Graded"),
                _("Mean"),
                _("Min"),
                _("Max"),
                _("Mean share of maximum (percent)"),
            ],
            [
                [
                    a.assignment.title,
                    a.assignment.max_score,
                    a.graded,
                    a.mean,
                    a.low,
                    a.high,
                    a.mean_share,
                ]
                for a in report.assignments
            ],
            widths=(30,),
        )
    )
    h5p_rows = [
        [
            h.title or _("All H5P activities"),
            h.all.results,
            h.all.learners,
            h.all.mean_percent,
            h.pre.results,
            h.pre.mean_percent,
            h.post.results,
            h.post.mean_percent,
        ]
        for h in (*report.h5p, *([report.h5p_total] if report.h5p_total else []))
    ]
    tables.append(
        Table(
            _("L2 H5P"),
            [
                _("H5P activity"),
                _("Results"),
                _("Learners"),
                _("Mean score (percent)"),
                _("Results before the session"),
                _("Mean before (percent)"),
                _("Results from the session on"),
                _("Mean after (percent)"),
            ],
            h5p_rows,
            widths=(30,),
        )
    )
    lift = report.lift
    lift_rows = []
    if lift is not None:
        windows = lift.windows
        lift_rows.append(
            [
                report.metric.name_zh if report.metric else lift.metric_code,
                _("Higher is better") if lift.higher_is_better else _("Lower is better"),
                windows.before_start if windows else None,
                windows.day if windows else None,
                windows.after_end if windows else None,
                lift.before,
                lift.after,
                lift.lift_display,
                lift.net_lift_display,
                lift.comparison_units,
                lift.small_sample,
                lift.reason,
            ]
        )
    tables.append(
        Table(
            _("L4 outcome"),
            [
                _("Metric"),
                _("Direction"),
                _("Before from"),
                _("Session day"),
                _("After until"),
                _("Before"),
                _("After"),
                _("Lift (percent)"),
                _("Net lift (percent)"),
                _("Comparison branches"),
                _("Small sample"),
                _("Why undefined"),
            ],
            lift_rows,
            widths=(20,),
        )
    )
    return tables


def _with_l3_and_roi(tables: list[Table], session, followup, comments, roi) -> list[Table]:
    """The report's tables in Kirkpatrick order: header, L1, L2, then L3, L4 and the ROI."""
    *head, outcome = tables
    l3 = followup_table([(session.title, followup)], comments)
    return [*head, l3, outcome, *([roi_table([(session.title, roi)])] if roi else [])]


@login_required
@require_GET
def report(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("course", "branch"), pk=session_id)
    require(access.can_view_session_report(request.user, session))
    figures = session_report(session=session)
    roi = roi_by_session(sessions=[session]).get(session.pk)
    followup = followup_by_session(sessions=[session]).get(session.pk, EMPTY)
    comments = followup_comments(sessions=[session]) if followup.enough else []
    context = {
        "report": figures,
        "session": session,
        "charts": _rating_charts(figures),
        "followup": followup,
        "followup_comments": comments,
        "roi": roi,
        "can_enter_costs": can_enter_session_cost(request.user, session),
    }
    return respond(
        request,
        template="evaluation/reports/session.html",
        context=context,
        tables=lambda: _with_l3_and_roi(_tables(figures), session, followup, comments, roi),
        filename=f"session-report-{session.pk}",
    )
