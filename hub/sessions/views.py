"""Session pages. Thin: scoping from ``rules``/``selectors``, writes through ``services``."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.organisation import permissions
from hub.organisation.models import Employee
from hub.sessions import rules, selectors, services
from hub.sessions.forms import (
    AssignForm,
    CancelSessionForm,
    CheckInForm,
    CorrectionForm,
    RecordingForm,
    SessionFilterForm,
    SessionForm,
    SessionSettingsForm,
)
from hub.sessions.ics import enrolment_ics, feed_ics
from hub.sessions.models import Enrolment, Session, SessionSettings
from hub.web import flash_errors, flash_form_errors, form_add_service_errors

# Learners and manager/HQ rosters by page.
PAGE_SIZE = 25


def _me(request: HttpRequest) -> Employee:
    employee = permissions.employee_for(request.user)
    if employee is None:
        raise PermissionDenied
    return employee


def _session_or_404(request: HttpRequest, pk: int) -> Session:
    session = selectors.session_detail(user=request.user, pk=pk)
    if session is None:
        raise Http404
    return session


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _can_schedule(user) -> bool:
    return permissions.is_hq_admin(user) or permissions.is_trainer(user)


def _local_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _next_or(request: HttpRequest, default: str) -> str:
    """The posted ``next`` page when it is one of this site's, else ``default``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    branches = permissions.visible_branches(request.user).order_by("-is_hq", "code")
    form = SessionFilterForm(request.GET or None, branches=branches)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    sessions = selectors.session_list(
        user=request.user,
        status=filters.get("status", ""),
        mode=filters.get("mode", ""),
        branch_id=filters["branch"].pk if filters.get("branch") else None,
        start=_local_day_start(filters["start"]) if filters.get("start") else None,
        end=_local_day_start(filters["end"] + dt.timedelta(days=1)) if filters.get("end") else None,
    )
    if not filters.get("start") and not filters.get("status"):
        sessions = sessions.filter(ends_at__gte=timezone.now())
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "hub/sessions/session_list.html",
        {
            "form": form,
            "page": page,
            "params": params.urlencode(),
            "can_schedule": _can_schedule(request.user),
            "can_configure": permissions.is_hq_admin(request.user),
        },
    )


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    access = permissions.access_for(request.user)
    me = Employee.objects.filter(pk=access.employee_id).first()
    enrolment = selectors.my_enrolment(employee_id=access.employee_id, session=session)
    can_run = rules.can_run_session(request.user, session)
    can_roster = rules.can_see_roster(request.user, session)
    now = timezone.now()
    config = SessionSettings.load()
    active = enrolment is not None and enrolment.status != Enrolment.Status.CANCELLED
    counts = selectors.seat_counts(session=session)
    context = {
        "session": session,
        "enrolment": enrolment if active else None,
        "counts": counts,
        # What Enrol would give now: a seat, or a place on the waitlist.
        "enrol_status": services.seat_status(
            enrolled=counts["enrolled"], capacity=session.capacity
        ),
        "can_run": can_run,
        "can_roster": can_roster,
        # The training needs this session delivers, for the people who work on them.
        "needs": session.training_needs.only("pk", "title") if can_run or can_roster else (),
        "can_assign": access.is_hq_admin or access.is_manager,
        # The services' own rules decide every button: Enrol, cancel, check in, Start, End.
        "can_enrol": (
            me is not None
            and not active
            and services.enrolment_refusal(actor=request.user, session=session, learner=me, now=now)
            is None
        ),
        "cancel_deadline": services.cancel_deadline(session, config),
        "cancel_refusal": (
            services.enrolment_cancel_refusal(
                enrolment=enrolment, actor=request.user, session=session, now=now, settings=config
            )
            if active
            else None
        ),
        "checkin_form": CheckInForm(initial={"code": request.GET.get("code", "")}),
        "show_checkin": (
            active
            and enrolment.status == Enrolment.Status.ENROLLED
            and services.checkin_refusal(session=session, now=now) is None
        ),
    }
    if can_roster:
        context["roster"] = selectors.session_roster(user=request.user, session=session)
    if can_run:
        context["cancel_form"] = CancelSessionForm()
        context["start_refusal"] = services.session_start_refusal(
            session=session, now=now, settings=config
        )
        context["end_refusal"] = services.session_end_refusal(
            session=session, now=now, settings=config
        )
        context["recording_form"] = RecordingForm(initial={"url": session.recording_url})
        context["correction_statuses"] = CorrectionForm.base_fields["status"].choices
    return render(request, "hub/sessions/session_detail.html", context)


@login_required
def session_create(request: HttpRequest) -> HttpResponse:
    if not _can_schedule(request.user):
        raise PermissionDenied
    access = permissions.access_for(request.user)
    initial = {"capacity": 30, "mode": Session.Mode.IN_PERSON}
    if not access.is_hq_admin:
        initial["trainers"] = [access.employee_id]
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            session = services.session_create(actor=request.user, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Session scheduled."))
            return redirect("sessions:detail", pk=session.pk)
    return render(request, "hub/sessions/session_form.html", {"form": form, "session": None})


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    if not rules.can_run_session(request.user, session):
        raise PermissionDenied
    form = SessionForm(request.POST or None, initial=SessionForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        trainers, audience = data.pop("trainers"), data.pop("audience")
        try:
            services.session_update(
                session=session, actor=request.user, trainers=trainers, audience=audience, **data
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Session updated."))
            return redirect("sessions:detail", pk=session.pk)
    return render(request, "hub/sessions/session_form.html", {"form": form, "session": session})


@login_required
@require_POST
def session_transition(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    session = _session_or_404(request, pk)
    actions = {
        "start": services.session_start,
        "end": services.session_end,
    }
    try:
        if verb == "cancel":
            form = CancelSessionForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.session_cancel(session=session, actor=request.user, reason=reason)
        elif verb in actions:
            actions[verb](session=session, actor=request.user)
        else:
            raise Http404
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Session status changed."))
    # The live room page starts and ends its session too, and wants to come back to itself.
    return redirect(_next_or(request, reverse("sessions:detail", args=[session.pk])))


@login_required
@require_POST
def session_recording(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    if not rules.can_run_session(request.user, session):
        raise PermissionDenied
    form = RecordingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid URL."))
        return redirect("sessions:detail", pk=session.pk)
    try:
        services.session_attach_recording(
            session=session, actor=request.user, url=form.cleaned_data["url"]
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Recording attached."))
    return redirect("sessions:detail", pk=session.pk)


@login_required
@require_POST
def session_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    me = _me(request)
    try:
        enrolment = services.enrolment_create(session=session, learner=me, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if enrolment.status == Enrolment.Status.ENROLLED:
            messages.success(request, _("You are enrolled."))
        else:
            messages.info(request, _("The session is full: you are on the waitlist."))
    return redirect("sessions:detail", pk=session.pk)


@login_required
@require_POST
def enrolment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment.objects.select_related("session", "learner"), pk=pk)
    if not permissions.can_view_employee(request.user, enrolment.learner):
        raise Http404
    try:
        services.enrolment_cancel(enrolment=enrolment, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Enrolment cancelled."))
    return redirect(_next_or(request, reverse("sessions:detail", args=[enrolment.session_id])))


@login_required
def session_assign(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    access = permissions.access_for(request.user)
    if not (access.is_hq_admin or access.is_manager):
        raise PermissionDenied
    branches = permissions.visible_branches(request.user).order_by("code")
    form = AssignForm(request.POST or None, branches=branches)
    report = None
    if request.method == "POST" and form.is_valid():
        visible = permissions.visible_employees(request.user)
        numbers = form.employee_numbers()
        learners = list(visible.filter(employee_no__in=numbers).select_related("branch"))
        unknown = sorted(set(numbers) - {e.employee_no for e in learners})
        if form.cleaned_data.get("rule_branch"):
            rule = visible.current().filter(branch=form.cleaned_data["rule_branch"])
            if form.cleaned_data.get("rule_category"):
                rule = rule.filter(position_category=form.cleaned_data["rule_category"])
            seen = {e.pk for e in learners}
            learners += [e for e in rule.select_related("branch") if e.pk not in seen]
        try:
            report = services.enrolment_bulk_create(
                session=session, learners=learners, actor=request.user
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(
                request,
                _("Enrolled %(enrolled)s, waitlisted %(waitlisted)s, skipped %(skipped)s.")
                % report.counts,
            )
            for number in unknown:
                messages.warning(request, _("Unknown employee number: %(no)s") % {"no": number})
    return render(
        request,
        "hub/sessions/session_assign.html",
        {"session": session, "form": form, "report": report},
    )


@login_required
@require_POST
def session_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    me = _me(request)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(services.MSG_CODE_INVALID))
        return redirect("sessions:detail", pk=session.pk)
    try:
        services.attendance_check_in(session=session, learner=me, code=form.cleaned_data["code"])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("You are checked in."))
    return redirect("sessions:detail", pk=session.pk)


@login_required
def session_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The rotating check-in code, as text and as a QR code, for the trainer to show."""
    session = _session_or_404(request, pk)
    if not rules.can_run_session(request.user, session):
        raise PermissionDenied
    if session.mode != Session.Mode.IN_PERSON:
        raise Http404
    minutes = SessionSettings.load().checkin_code_minutes
    now = timezone.now()
    code = rules.checkin_code(session.pk, now, minutes)
    link = request.build_absolute_uri(reverse("sessions:detail", args=[session.pk])) + (
        f"?code={code}"
    )
    expires = rules.checkin_code_expires_at(now, minutes)
    return render(
        request,
        "hub/sessions/session_code.html",
        {
            "session": session,
            "code": code,
            "qr_svg": segno.make(link, error="m").svg_inline(scale=6),
            "expires_at": expires,
            "refresh_seconds": max(5, int((expires - now).total_seconds()) + 1),
        },
    )


@login_required
@require_POST
def attendance_correct(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("learner", "session"), pk=enrolment_pk, session=session
    )
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("sessions:detail", pk=session.pk)
    try:
        services.attendance_correct(enrolment=enrolment, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Attendance corrected."))
    return redirect("sessions:detail", pk=session.pk)


@login_required
def enrolment_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    access = permissions.access_for(request.user)
    enrolment = (
        Enrolment.objects.select_related("session")
        .prefetch_related("session__trainers")
        .filter(pk=pk, learner_id=access.employee_id)
        .first()
    )
    if enrolment is None:
        raise Http404
    response = HttpResponse(
        enrolment_ics(enrolment, base_url=_base_url(request)), content_type="text/calendar"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{enrolment.session_id}.ics"'
    return response


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal feed: no login (calendar apps can't log in), the secret token is the key."""
    from hub.sessions.models import CalendarFeedToken

    owner = CalendarFeedToken.objects.select_related("employee").filter(token=token).first()
    if owner is None or owner.employee.has_left():
        raise Http404
    enrolments = selectors.feed_enrolments(employee=owner.employee)
    body = feed_ics(
        enrolments,
        name=_("%(name)s · training") % {"name": owner.employee.name},
        base_url=_base_url(request),
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    services.calendar_token_regenerate(employee=_me(request))
    messages.success(request, _("A new calendar link was made; the old one no longer works."))
    return redirect("portal:learning")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if request.method == "POST":
        services.notifications_mark_read(employee=me)
        return redirect("sessions:notifications")
    page = Paginator(selectors.notifications_for(employee=me), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "hub/sessions/notifications.html",
        {"page": page, "unread": selectors.unread_notification_count(employee_id=me.pk)},
    )


@login_required
def session_settings(request: HttpRequest) -> HttpResponse:
    """HQ reads the rules; only an HQ admin saves them (the training lead reads)."""
    if not permissions.is_hq(request.user):
        raise PermissionDenied
    can_edit = permissions.is_hq_admin(request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    current = SessionSettings.load()
    form = SessionSettingsForm(request.POST or None, instance=current)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.session_settings_update(
                actor=request.user, **{f: form.cleaned_data[f] for f in form.Meta.fields}
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("sessions:settings")
    return render(request, "hub/sessions/settings.html", {"form": form, "can_edit": can_edit})
