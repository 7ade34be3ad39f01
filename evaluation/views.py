"""Assignment pages. Thin: scoping from ``permissions``, reads from ``selectors``, writes from
``services``. Out-of-scope objects are 404 (nobody learns what exists elsewhere); an action
on a visible object the user may not take is 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation import permissions, selectors, services
from evaluation.forms import AssignmentForm, GradeForm, SubmissionForm
from evaluation.models import Assignment, Submission
from evaluation.uploads import max_bytes
from hub.organisation.permissions import employee_for
from hub.sessions.models import Session
from hub.web import form_add_service_errors


def _assignment_or_404(request: HttpRequest, assignment_id: int) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("session", "created_by"), pk=assignment_id
    )
    if not permissions.can_view_assignment(request.user, assignment):
        raise Http404
    return assignment


def _submission_or_404(request: HttpRequest, submission_id: int) -> Submission:
    submission = get_object_or_404(
        Submission.objects.select_related("assignment__session", "learner__branch"),
        pk=submission_id,
    )
    if not permissions.can_view_submission(request.user, submission):
        raise Http404
    return submission


@login_required
def my_assignments(request: HttpRequest) -> HttpResponse:
    """The learner's open assignments and grades; for trainers also the work to grade."""
    me = employee_for(request.user)
    if me is None:
        raise Http404
    context = {
        "due": selectors.assignments_due_for(me),
        "grades": selectors.grades_for(me),
        "to_grade": selectors.submissions_to_grade_for(me) if me.sessions_taught.exists() else None,
        "now": timezone.now(),
    }
    return render(request, "evaluation/my_assignments.html", context)


@login_required
def session_assignments(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session, pk=session_id)
    if not permissions.can_view_session_assignments(request.user, session):
        raise Http404
    return render(
        request,
        "evaluation/session_assignments.html",
        {
            "session": session,
            "assignments": selectors.session_assignments(session),
            "can_manage": permissions.can_manage_assignments(request.user, session),
            "now": timezone.now(),
        },
    )


@login_required
def assignment_create(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session, pk=session_id)
    if not permissions.can_manage_assignments(request.user, session):
        if permissions.can_view_session_assignments(request.user, session):
            raise PermissionDenied
        raise Http404
    form = AssignmentForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(
                session=session, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Assignment created."))
            return redirect("evaluation:assignment", assignment_id=assignment.pk)
    return render(request, "evaluation/assignment_form.html", {"form": form, "session": session})


@login_required
def assignment_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment_or_404(request, assignment_id)
    if not permissions.can_manage_assignments(request.user, assignment.session):
        raise PermissionDenied
    form = AssignmentForm(request.POST or None, instance=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_update(
                assignment=Assignment.objects.get(pk=assignment.pk),
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Assignment saved."))
            return redirect("evaluation:assignment", assignment_id=assignment.pk)
    return render(
        request,
        "evaluation/assignment_form.html",
        {"form": form, "session": assignment.session, "assignment": assignment},
    )


def _submission_form(data=None, files=None) -> SubmissionForm:
    return SubmissionForm(data, files, limit_label=filesizeformat(max_bytes()))


@login_required
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment_or_404(request, assignment_id)
    me = employee_for(request.user)
    enrolled = permissions.is_enrolled(request.user, assignment.session)
    can_manage = permissions.can_manage_assignments(request.user, assignment.session)
    now = timezone.now()
    return render(
        request,
        "evaluation/assignment_detail.html",
        {
            "assignment": assignment,
            "can_manage": can_manage,
            "can_see_submissions": permissions.can_read_all_work(request.user, assignment.session)
            or permissions.manages_a_learner_of(request.user, assignment.session),
            "my_submissions": selectors.learner_submissions(assignment, me) if me else [],
            "my_grade": selectors.learner_grade(assignment, me) if me else None,
            "can_submit": enrolled and assignment.accepts_submissions(now),
            "enrolled": enrolled,
            "is_open": assignment.is_open(now),
            "form": _submission_form(),
        },
    )


@login_required
def assignment_submit(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment_or_404(request, assignment_id)
    if not permissions.is_enrolled(request.user, assignment.session):
        raise PermissionDenied(services.MSG_NOT_ENROLLED)
    form = _submission_form(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submission_create(
                assignment=assignment,
                actor=request.user,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data["file"] or None,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            if submission.is_late:
                messages.warning(
                    request,
                    _("Version %(version)s submitted after the due date: it is marked late.")
                    % {"version": submission.version},
                )
            else:
                messages.success(
                    request, _("Version %(version)s submitted.") % {"version": submission.version}
                )
            return redirect("evaluation:assignment", assignment_id=assignment.pk)
    return render(
        request,
        "evaluation/assignment_submit.html",
        {
            "assignment": assignment,
            "form": form,
            "accepts": assignment.accepts_submissions(),
            "is_open": assignment.is_open(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def assignment_submissions(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Every learner's latest version and grade: all for trainers and HQ, their branches'
    learners (read only) for a branch manager; learners are refused."""
    assignment = _assignment_or_404(request, assignment_id)
    can_grade = permissions.can_manage_assignments(request.user, assignment.session)
    if not (
        permissions.can_read_all_work(request.user, assignment.session)
        or permissions.manages_a_learner_of(request.user, assignment.session)
    ):
        raise PermissionDenied
    roster = list(selectors.assignment_roster(assignment, viewer=request.user))
    return render(
        request,
        "evaluation/assignment_submissions.html",
        {
            "assignment": assignment,
            "roster": roster,
            "can_grade": can_grade,
            "submitted": sum(1 for row in roster if row.learner.current),
        },
    )


@login_required
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission_or_404(request, submission_id)
    assignment = submission.assignment
    grade = selectors.learner_grade(assignment, submission.learner)
    return render(
        request,
        "evaluation/submission_detail.html",
        {
            "submission": submission,
            "assignment": assignment,
            "history": selectors.submission_history(submission),
            "grade": grade,
            "can_grade": permissions.can_manage_assignments(request.user, assignment.session)
            and submission.is_current,
        },
    )


@login_required
def submission_file(request: HttpRequest, submission_id: int) -> FileResponse:
    """The stored file, as an attachment, only to those who may see the submission."""
    submission = _submission_or_404(request, submission_id)
    if not submission.file:
        raise Http404
    try:
        handle = submission.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=submission.original_filename or submission.file.name.rsplit("/", 1)[-1],
        content_type=submission.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def submission_grade(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission_or_404(request, submission_id)
    assignment = submission.assignment
    if not permissions.can_manage_assignments(request.user, assignment.session):
        raise PermissionDenied
    grade = selectors.learner_grade(assignment, submission.learner)
    initial = {"score": grade.score, "feedback": grade.feedback} if grade else None
    form = GradeForm(request.POST or None, initial=initial, max_score=assignment.max_score)
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_grade(
                submission=submission,
                actor=request.user,
                score=form.cleaned_data["score"],
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Graded %(name)s.") % {"name": submission.learner.name})
            return redirect("evaluation:submissions", assignment_id=assignment.pk)
    return render(
        request,
        "evaluation/submission_grade.html",
        {
            "submission": submission,
            "assignment": assignment,
            "history": selectors.submission_history(submission),
            "grade": grade,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
