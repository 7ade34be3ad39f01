"""Every URL of the site, POSTed by every demo role, against one table of who is let through.

The table below is the permission map of the whole product: for each URL name (and each verb
of the views that take one), the roles whose POST gets past the permission checks. A deny is
a 403, a 404 or a redirect to the login page, and must leave the data unchanged; anything else
(a page, a redirect elsewhere, a form error) counts as allowed. A URL name missing from the
table fails the test, so a new view cannot ship without deciding who may use it.

One small world is built once for the module (inside a transaction rolled back at the end);
each request runs in a savepoint that is rolled back too, so every request sees the same world.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from evaluation import services as evaluation_services
from evaluation.metrics.models import MetricDefinition, MetricImportBatch, MetricValue
from evaluation.models import FollowUp, Survey, SurveyTemplateChoice
from hub.needs.models import TrainingNeed, TrainingPlan
from hub.organisation.models import ImportBatch, Role
from hub.sessions.models import Attendance, CalendarFeedToken, Enrolment, Session
from live.models import Question
from tests.evaluation.surveys.helpers import default_template as default_survey_template
from tests.factories import BranchFactory, EmployeeFactory, SessionFactory, grant, make_manager
from tests.hub.needs.helpers import make_need
from tests.tiers.factories import (
    MentoringLogFactory,
    MentorPairingFactory,
    TrainerNominationFactory,
)

# --- roles ---------------------------------------------------------------------------------

ANON, LEARNER, TRAINER, MANAGER, LEAD, HQ, ROOT = (
    "anonymous",
    "learner",
    "trainer",  # a trainer who teaches none of the world's sessions
    "manager",  # the manager of the learner's branch
    "lead",  # the training lead (reads everything, writes nothing HQ-wide)
    "hq",  # the HQ training admin
    "root",  # a Django superuser without an employee record
)
ROLES = (ANON, LEARNER, TRAINER, MANAGER, LEAD, HQ, ROOT)

NOBODY: frozenset[str] = frozenset()
ADMINS = frozenset({HQ, ROOT})
HQ_READ = frozenset({LEAD, HQ, ROOT})
EMPLOYEES = frozenset({LEARNER, TRAINER, MANAGER, LEAD, HQ})
SIGNED_IN = EMPLOYEES | {ROOT}
EVERYONE = SIGNED_IN | {ANON}
GET_ONLY = "GET only"  # a POST is refused (405) for everyone; nothing to decide
OPEN = "open"  # logout: anyone, always; it ends in a redirect to the login page


@dataclasses.dataclass(frozen=True)
class Rule:
    allow: frozenset[str] | str
    kwargs: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] | None = None


def rule(allow, kwargs=None, data=None) -> Rule:
    allow = allow if allow in (GET_ONLY, OPEN) else frozenset(allow)
    return Rule(allow, kwargs or (lambda w: {}), data)


# --- the world -----------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    users: dict
    learner: object
    trainer: object
    session: Session  # scheduled, in person, company-wide, taught by ``teacher``
    enrolment: Enrolment  # the learner's in ``session``
    online: Session  # scheduled, live online
    ended: Session  # ended, recorded, with a recording link
    assignment: object
    submission: object
    question: Question  # left on the recording of ``ended``
    open_need: TrainingNeed
    claimed_need: TrainingNeed
    plan: TrainingPlan
    nomination: object
    pairing: object
    log: object
    batch: ImportBatch
    token: CalendarFeedToken
    template: object
    h5p: object
    pending: object
    video: object
    survey: object  # of ``ended``, which the learner completed
    metric_value: object = None
    metric_batch: object = None
    template_choice: object = None  # the scheduled ``session`` uses the default's family
    followup: object = None  # the learner's on ``ended``, addressed to the manager


def _build_world(tmp) -> World:
    from library.h5p.services import h5p_content_create
    from library.models import CourseTemplateIndexPage, CourseTemplatePage
    from library.services import library_install
    from library.video.models import Video
    from tests.library.h5p_packages import allow, build, minimal_files

    hq_branch = BranchFactory(code="HQ", name="总部", is_hq=True)
    branch = BranchFactory()
    other_branch = BranchFactory()
    learner = EmployeeFactory(branch=branch)
    teacher = EmployeeFactory(branch=branch)
    grant(teacher, Role.TRAINER)
    trainer = EmployeeFactory(branch=other_branch)
    grant(trainer, Role.TRAINER)
    manager = make_manager(branch)
    lead = EmployeeFactory(branch=hq_branch)
    grant(lead, Role.TRAINING_LEAD)
    hq = EmployeeFactory(branch=hq_branch)
    grant(hq, Role.HQ_ADMIN)
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Lectern-1")
    users = {
        LEARNER: learner.user,
        TRAINER: trainer.user,
        MANAGER: manager.user,
        LEAD: lead.user,
        HQ: hq.user,
        ROOT: root,
    }

    session = SessionFactory(trainers=[teacher])
    enrolment = Enrolment.objects.create(session=session, learner=learner, status="enrolled")
    online = SessionFactory(trainers=[teacher], mode="live_online", location="")
    Enrolment.objects.create(session=online, learner=learner, status="enrolled")
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    ended = SessionFactory(
        trainers=[teacher],
        mode="recorded",
        location="",
        status="ended",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        recording_url="https://video.example.com/replay.mp4",
    )
    Enrolment.objects.create(session=ended, learner=learner, status="enrolled")
    assignment = evaluation_services.assignment_create(
        session=ended,
        actor=teacher.user,
        title="总结",
        instructions="写一份总结。",
        due_at=timezone.now() + dt.timedelta(days=3),
        max_score=100,
    )
    submission = evaluation_services.submission_create(
        assignment=assignment,
        actor=learner.user,
        text="我的总结",
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    Attendance.objects.create(
        enrolment=Enrolment.objects.get(session=ended, learner=learner),
        status="present",
        completed=True,
    )
    survey = Survey.objects.create(
        session=ended,
        template=default_survey_template(),
        closes_at=timezone.now() + dt.timedelta(days=7),
    )
    question = Question.objects.create(
        session=ended, author=learner, text="第三步怎么做？", origin=Question.Origin.RECORDING
    )
    followup = FollowUp.objects.create(
        session=ended,
        learner=learner,
        sent_at=timezone.now(),
        closes_at=timezone.now() + dt.timedelta(days=21),
    )
    followup.managers.set([manager])

    open_need = make_need(branch=branch, submitted_by=manager)
    claimed_need = make_need(
        branch=branch, submitted_by=manager, status=TrainingNeed.Status.CLAIMED, claimed_by=teacher
    )
    plan = TrainingPlan.objects.create(
        title="分部计划",
        scope=TrainingPlan.Scope.BRANCH,
        branch=branch,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        created_by=manager,
    )
    nomination = TrainerNominationFactory(
        branch=branch, nominee=EmployeeFactory(branch=branch), nominated_by=manager
    )
    pairing = MentorPairingFactory(mentor=teacher, mentee=learner)
    log = MentoringLogFactory(pairing=pairing, hours=Decimal(1))
    batch = ImportBatch.objects.create(
        uploaded_by=hq.user, file="imports/x.csv", original_name="x.csv", sha256="0" * 64
    )
    token = CalendarFeedToken.objects.create(employee=learner)

    library_install()
    template = CourseTemplatePage(
        title="客户异议处理",
        slug="objections",
        summary="课程",
        category="specialised",
        audience="new_hire",
    )
    CourseTemplateIndexPage.objects.get().add_child(instance=template)
    template.save_revision().publish()
    allow("H5P.Demo")
    h5p = h5p_content_create(
        package=build(minimal_files()), name="quiz.h5p", size=1, uploaded_by=None
    )
    # A package that needs a library version HQ has not approved waits in the queue.
    pending = h5p_content_create(
        package=build(minimal_files(library="H5P.Pending")),
        name="pending.h5p",
        size=1,
        uploaded_by=teacher.user,
    )
    video = Video.objects.create(title="开场三步", file="videos/x.mp4", content_type="video/mp4")
    metric = MetricDefinition.objects.create(code="cross_sell", name_zh="连带销售率")
    metric_value = MetricValue.objects.create(
        metric=metric,
        branch=branch,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 1, 31),
        value=Decimal("22.5"),
    )
    metric_batch = MetricImportBatch(
        uploaded_by=hq.user,
        original_name="x.csv",
        sha256="0" * 64,
        status=MetricImportBatch.Status.VALID,
    )
    metric_csv = f"metric,scope,period,value\ncross_sell,{branch.code},2026-02,25\n"
    metric_batch.file.save("x.csv", ContentFile(metric_csv.encode()))

    return World(
        users=users,
        learner=learner,
        trainer=trainer,
        session=session,
        enrolment=enrolment,
        online=online,
        ended=ended,
        assignment=assignment,
        submission=submission,
        question=question,
        open_need=open_need,
        claimed_need=claimed_need,
        plan=plan,
        nomination=nomination,
        pairing=pairing,
        log=log,
        batch=batch,
        token=token,
        template=template,
        h5p=h5p,
        pending=pending,
        video=video,
        survey=survey,
        metric_value=metric_value,
        metric_batch=metric_batch,
        template_choice=SurveyTemplateChoice.objects.create(
            session=session, family=survey.template.family
        ),
        followup=followup,
    )


# --- the table -----------------------------------------------------------------------------


def pk(attr: str, name: str = "pk"):
    return lambda w: {name: getattr(w, attr).pk}


def need_action(attr: str, action: str):
    return lambda w: {"pk": getattr(w, attr).pk, "action": action}


def plan_action(action: str):
    return lambda w: {"pk": w.plan.pk, "action": action}


def transition(verb: str):
    return lambda w: {"pk": w.session.pk, "verb": verb}


SESSION = pk("session")
ENDED = pk("ended", "session_id")
ASSIGNMENT = pk("assignment", "assignment_id")
SUBMISSION = pk("submission", "submission_id")
H5P = pk("h5p")
SETTINGS_FORM = {
    "completion_percent": "60",
    "late_after_minutes": "10",
    "cancel_deadline_hours": "12",
    "checkin_code_minutes": "2",
    "early_start_minutes": "30",
    "end_not_before_start": "on",
}

TABLE: dict[str, Rule] = {
    # accounts and site plumbing: open to everyone (or every signed-in user)
    "home": rule(SIGNED_IN),
    "login": rule(EVERYONE),
    "logout": rule(OPEN),
    "password_change": rule(SIGNED_IN),
    "password_change_done": rule(SIGNED_IN),
    "password_reset": rule(EVERYONE),
    "password_reset_done": rule(EVERYONE),
    "password_reset_confirm": rule(EVERYONE, lambda w: {"uidb64": "MQ", "token": "x-y"}),
    "password_reset_complete": rule(EVERYONE),
    "set_language": rule(EVERYONE, data=lambda w: {"language": "en"}),
    "javascript-catalog": rule(GET_ONLY),
    "favicon": rule(OPEN),
    # people, roles, audit, HR import
    "people": rule({MANAGER, *HQ_READ}),
    "employee": rule(
        {LEARNER, MANAGER, *HQ_READ}, lambda w: {"employee_no": w.learner.employee_no}
    ),
    "employee_roles": rule(
        ADMINS,
        lambda w: {"employee_no": w.learner.employee_no},
        lambda w: {"role": Role.TRAINER},
    ),
    "audit": rule(HQ_READ),
    "imports:upload": rule(ADMINS),
    "imports:template_csv": rule(ADMINS),
    "imports:template_xlsx": rule(ADMINS),
    "imports:detail": rule(ADMINS, pk("batch", "batch_id")),
    "imports:status": rule(ADMINS, pk("batch", "batch_id")),
    "imports:apply": rule(ADMINS, pk("batch", "batch_id")),
    # outcome metrics: values scoped (managers their branches, HQ reads), HQ admins write
    "metrics:values": rule({MANAGER, *HQ_READ}),
    "metrics:value_edit": rule(ADMINS, pk("metric_value"), lambda w: {"value": "30"}),
    "metrics:imports": rule(ADMINS),  # GET for HQ readers; a POST uploads
    "metrics:template_csv": rule(HQ_READ),
    "metrics:import_detail": rule(HQ_READ, pk("metric_batch", "batch_id")),
    "metrics:import_apply": rule(ADMINS, pk("metric_batch", "batch_id")),
    # return on training: HQ reads the assumptions, HQ admins write them; a session's costs
    # are typed by HQ admins and its trainers (the world's trainer teaches none of its sessions)
    "roi:settings": rule(
        ADMINS,
        data=lambda w: {
            "effective_from": "2026-01-01",
            "trainer_hourly_cost": "300",
            "learner_hourly_cost": "80",
            "horizon_months": "12",
        },
    ),
    "roi:metric": rule(
        ADMINS,
        lambda w: {"metric_id": w.metric_value.metric_id},
        lambda w: {"value_per_unit": "200", "recurrence": "monthly"},
    ),
    "roi:session_costs": rule(ADMINS, ENDED, lambda w: {"venue": "500", "materials": "200"}),
    # effectiveness reports: read-only pages (who may GET which: tests/evaluation/reports)
    # survey templates: HQ reads the list, HQ admins create, edit, choose (POST only)
    "evaluation:survey_templates": rule(GET_ONLY),
    "evaluation:survey_template_new": rule(ADMINS, data=lambda w: {"name": "新问卷"}),
    "evaluation:survey_template_edit": rule(
        ADMINS, lambda w: {"template_id": w.survey.template_id}
    ),
    "evaluation:survey_template_default": rule(
        ADMINS, lambda w: {"template_id": w.survey.template_id}
    ),
    "evaluation:survey_template_choose": rule(
        ADMINS, data=lambda w: {"template": w.survey.template_id, "session": w.online.pk}
    ),
    "evaluation:survey_template_unchoose": rule(ADMINS, pk("template_choice", "choice_id")),
    "reports:index": rule(GET_ONLY),
    "reports:session": rule(GET_ONLY, pk("ended", "session_id")),
    "reports:course": rule(GET_ONLY, lambda w: {"course_id": 1}),
    "reports:trainer": rule(GET_ONLY, lambda w: {"employee_id": w.learner.pk}),
    "reports:branch": rule(GET_ONLY, lambda w: {"branch_id": w.learner.branch_id}),
    "reports:overview": rule(GET_ONLY),
    # sessions
    "sessions:list": rule(SIGNED_IN),
    "sessions:create": rule({TRAINER, *ADMINS}),
    "sessions:settings": rule(ADMINS, data=lambda w: SETTINGS_FORM),
    "sessions:detail": rule(SIGNED_IN, SESSION),
    "sessions:edit": rule(ADMINS, SESSION),
    "sessions:enrol": rule(EMPLOYEES, SESSION),  # oneself
    "sessions:assign": rule({MANAGER, *ADMINS}, SESSION),
    "sessions:checkin": rule(EMPLOYEES, SESSION, lambda w: {"code": "123456"}),  # oneself
    "sessions:code": rule(ADMINS, SESSION),
    "sessions:recording": rule(
        ADMINS, SESSION, lambda w: {"url": "https://video.example.com/r.mp4"}
    ),
    "sessions:attendance_correct": rule(
        ADMINS,
        lambda w: {"pk": w.session.pk, "enrolment_pk": w.enrolment.pk},
        lambda w: {"status": "present", "minutes": "60", "reason": "补录"},
    ),
    "sessions:transition[start]": rule(ADMINS, transition("start")),
    "sessions:transition[end]": rule(ADMINS, transition("end")),
    "sessions:transition[cancel]": rule(ADMINS, transition("cancel")),
    "sessions:enrolment_cancel": rule({LEARNER, MANAGER, *ADMINS}, pk("enrolment")),
    "sessions:enrolment_ics": rule({LEARNER}, pk("enrolment")),
    "sessions:calendar_regenerate": rule(EMPLOYEES),
    "sessions:feed": rule(EVERYONE, lambda w: {"token": w.token.token}),  # the token is the key
    "sessions:notifications": rule(EMPLOYEES),
    "portal:learning": rule(EMPLOYEES),
    "portal:teaching": rule({TRAINER}),
    # needs and plans
    "needs:needs": rule({TRAINER, MANAGER, *HQ_READ}),
    "needs:need_create": rule({MANAGER}),
    "needs:need": rule({MANAGER, *HQ_READ}, pk("claimed_need")),
    "needs:need_action[claim]": rule({TRAINER}, need_action("open_need", "claim")),
    "needs:need_action[withdraw]": rule({MANAGER, *ADMINS}, need_action("open_need", "withdraw")),
    "needs:need_action[course]": rule(ADMINS, need_action("claimed_need", "course")),
    "needs:need_action[link_session]": rule(
        ADMINS, need_action("claimed_need", "link_session"), lambda w: {"session": w.session.pk}
    ),
    "needs:need_action[unlink_session]": rule(
        ADMINS, need_action("claimed_need", "unlink_session"), lambda w: {"session": w.session.pk}
    ),
    "needs:need_action[start]": rule(ADMINS, need_action("claimed_need", "start")),
    "needs:need_action[deliver]": rule(ADMINS, need_action("claimed_need", "deliver")),
    "needs:need_action[evaluate]": rule(
        {MANAGER, *ADMINS}, need_action("open_need", "evaluate"), lambda w: {"metric_after": "25"}
    ),
    "needs:plans": rule({TRAINER, MANAGER, *HQ_READ}),
    "needs:plan_create": rule({MANAGER, *ADMINS}),
    "needs:plan": rule({MANAGER, *HQ_READ}, pk("plan")),
    "needs:plan_edit": rule({MANAGER, *ADMINS}, pk("plan")),
    "needs:plan_action[approve]": rule(ADMINS, plan_action("approve")),
    "needs:plan_action[link_need]": rule(
        {MANAGER, *ADMINS}, plan_action("link_need"), lambda w: {"need": w.open_need.pk}
    ),
    "needs:plan_action[unlink_need]": rule(
        {MANAGER, *ADMINS}, plan_action("unlink_need"), lambda w: {"need": w.open_need.pk}
    ),
    "needs:plan_action[link_session]": rule(
        {MANAGER, *ADMINS}, plan_action("link_session"), lambda w: {"session": w.session.pk}
    ),
    "needs:plan_action[unlink_session]": rule(
        {MANAGER, *ADMINS}, plan_action("unlink_session"), lambda w: {"session": w.session.pk}
    ),
    "portal:my_branch": rule({MANAGER}),
    "portal:overview": rule(HQ_READ),
    # assignments (of the ended session; the learner is enrolled there)
    "evaluation:mine": rule(EMPLOYEES),
    "evaluation:session_assignments": rule({LEARNER, MANAGER, *HQ_READ}, ENDED),
    "evaluation:assignment_create": rule(ADMINS, ENDED),
    "evaluation:assignment": rule({LEARNER, MANAGER, *HQ_READ}, ASSIGNMENT),
    "evaluation:assignment_edit": rule(ADMINS, ASSIGNMENT),
    "evaluation:submit": rule({LEARNER}, ASSIGNMENT),
    "evaluation:submissions": rule({MANAGER, *HQ_READ}, ASSIGNMENT),
    "evaluation:submission": rule({LEARNER, MANAGER, *HQ_READ}, SUBMISSION),
    "evaluation:submission_file": rule({LEARNER, MANAGER, *HQ_READ}, SUBMISSION),
    # surveys (of the ended session, which the learner completed)
    "evaluation:survey_answer": rule({LEARNER}, pk("survey", "survey_id")),
    "evaluation:survey_results": rule({MANAGER, *HQ_READ}, pk("survey", "survey_id")),
    "evaluation:session_survey": rule(SIGNED_IN, ENDED),
    "evaluation:survey_settings": rule(
        ADMINS,
        data=lambda w: {
            "reminder_after_days": "3",
            "close_after_days": "7",
            "followup_after_days": "30",
            "followup_reminder_after_days": "7",
            "followup_close_after_days": "21",
        },
    ),
    # manager follow-ups: the list is one's own (GET); only the addressed manager answers
    "evaluation:followups": rule(GET_ONLY),
    "evaluation:followup_answer": rule(
        {MANAGER}, pk("followup", "followup_id"), lambda w: {"rating": "4"}
    ),
    "evaluation:survey_template": rule(HQ_READ, lambda w: {"template_id": w.survey.template_id}),
    "evaluation:grade": rule(ADMINS, SUBMISSION, lambda w: {"score": "90", "feedback": "好"}),
    # nominations and the mentor programme
    "tiers:nominations": rule({MANAGER, *HQ_READ}),
    "tiers:nomination_new": rule({MANAGER}),
    "tiers:nomination": rule({MANAGER, *HQ_READ}, pk("nomination")),
    "tiers:nomination_approve": rule(ADMINS, pk("nomination"), lambda w: {"reason": "同意"}),
    "tiers:nomination_decline": rule(ADMINS, pk("nomination"), lambda w: {"reason": "暂缓"}),
    "tiers:mentoring": rule(SIGNED_IN),
    "tiers:pairings": rule(ADMINS),  # HQ reads it; POST pairs a mentor
    "tiers:programme_update": rule(ADMINS, data=lambda w: {"mentee_limit": "4"}),
    "tiers:pairing_end": rule(ADMINS, pk("pairing")),
    "tiers:log_create": rule({LEARNER}, pk("pairing")),  # the pairing's own people only
    "tiers:rate": rule({LEARNER}, pk("pairing")),
    "tiers:log_confirm": rule({LEARNER}, pk("log")),
    # live rooms, recordings, the monitor and results
    "live:room": rule({LEARNER, *ADMINS}, pk("online", "session_id")),
    "live:room_settings": rule(ADMINS, pk("online", "session_id")),
    "live:recording": rule({LEARNER, *HQ_READ}, pk("ended")),  # the lead reads, never answers
    "live:recording_progress": rule({LEARNER}, pk("ended")),
    "live:recording_questions": rule({LEARNER}, pk("ended")),
    "live:recording_source": rule(ADMINS, pk("ended")),
    "live:recording_report": rule({MANAGER, *HQ_READ}, pk("ended")),
    "live:recording_answer": rule(ADMINS, pk("question"), lambda w: {"answer": "看第三章"}),
    "live:monitor": rule({TRAINER, MANAGER, *HQ_READ}),
    "live:results": rule({LEARNER, MANAGER, *HQ_READ}, ENDED),
    "live:questions_export": rule(
        {MANAGER, *HQ_READ}, lambda w: {"session_id": w.ended.pk, "fmt": "csv"}
    ),
    # the library's own views (Wagtail serves its pages)
    "library:templates": rule(SIGNED_IN),
    "library:course_from_template": rule(
        {TRAINER, *ADMINS}, lambda w: {"template_id": w.template.pk}
    ),
    "library:h5p:upload": rule({TRAINER, *ADMINS}),
    "library:h5p:approvals": rule(ADMINS),
    "library:h5p:approval_approve": rule(ADMINS, pk("pending")),
    "library:h5p:approval_reject": rule(ADMINS, pk("pending")),
    "library:h5p:approval_package": rule(GET_ONLY, pk("pending")),
    "library:h5p:preview": rule(SIGNED_IN, H5P),
    "library:h5p:player": rule(GET_ONLY, H5P),
    "library:h5p:xapi": rule(EMPLOYEES, H5P),  # one's own result
    "library:h5p:score": rule(GET_ONLY, H5P),
    "library:h5p:files": rule(GET_ONLY, lambda w: {"pk": w.h5p.pk, "token": "t"}),
    "library:h5p:h5p_json": rule(GET_ONLY, lambda w: {"pk": w.h5p.pk, "token": "t"}),
    "library:h5p:content": rule(
        GET_ONLY, lambda w: {"pk": w.h5p.pk, "token": "t", "path": "content.json"}
    ),
    "library:h5p:library_file": rule(
        GET_ONLY, lambda w: {"pk": w.h5p.pk, "token": "t", "folder": "H5P.Demo-1.0", "path": "x"}
    ),
    "library:video:detail": rule(SIGNED_IN, pk("video")),
    "library:video:stream": rule(GET_ONLY, pk("video")),
    "library:video:subtitles": rule(GET_ONLY, pk("video")),
    "library:search:index": rule(SIGNED_IN),
    "library:search:synonyms": rule(ADMINS),
}

# Served by Wagtail itself (its admin, documents and page serving), checked by Wagtail.
SKIPPED_PREFIXES = ("cms/", "django-admin/", "documents/", "library/_util/", "static/", "media/")
SKIPPED_NAMES = {"wagtail_serve"}


def _url_names() -> set[str]:
    """Every named URL of the URLconf outside Wagtail's and the admin's own."""
    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and pattern.name not in SKIPPED_NAMES:
                assert pattern.name, f"an unnamed URL cannot be in the table: {route}"
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "", None)
    return names


def test_every_url_has_a_permission_entry():
    """New view without a permission entry: add it to ``TABLE`` with who may use it."""
    in_table = {key.split("[")[0] for key in TABLE}
    missing = sorted(_url_names() - in_table)
    assert not missing, f"URLs without a permission entry in TABLE: {missing}"
    stale = sorted(in_table - _url_names())
    assert not stale, f"TABLE names URLs that no longer exist: {stale}"


# --- the walk ------------------------------------------------------------------------------

FINGERPRINT_APPS = {"hub", "evaluation", "tiers", "live", "library"}


def _fingerprint() -> str:
    """A hash of every row of Lectern's own tables and of the group memberships."""
    digest = hashlib.sha256()
    models = [m for m in apps.get_models() if m._meta.app_label in FINGERPRINT_APPS]
    models.append(get_user_model().groups.through)
    for model in sorted(models, key=lambda m: m._meta.label):
        digest.update(model._meta.label.encode())
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _is_deny(response) -> bool:
    if response.status_code in (403, 404):
        return True
    return response.status_code in (301, 302) and response["Location"].startswith(reverse("login"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("url-permissions")
    with (
        override_settings(
            PRIVATE_MEDIA_ROOT=tmp / "private",
            MEDIA_ROOT=tmp / "media",
            H5P_ROOT=str(tmp / "h5p"),
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = _build_world(tmp)
        built.pristine = _fingerprint()
        yield built
        transaction.set_rollback(True)


def _writes() -> int | None:
    """SQLite's count of rows written on this connection (None on other databases)."""
    return getattr(connection.connection, "total_changes", None)


def _post(world: World, role: str, url: str, data: dict):
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        if role != ANON:
            client.force_login(world.users[role])
        cache.clear()
        writes = _writes()
        response = client.post(url, data)
        changed = False
        if _is_deny(response) and (writes is None or _writes() != writes):
            changed = _fingerprint() != world.pristine  # something wrote: was it our data?
        transaction.set_rollback(True)
    return response, changed


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(TABLE))
def test_url_permissions(world, django_db_blocker, key):
    entry = TABLE[key]
    name = key.split("[")[0]
    url = reverse(name, kwargs=entry.kwargs(world))
    data = entry.data(world) if entry.data else {}
    wrong = []
    with django_db_blocker.unblock():
        for role in ROLES:
            response, changed = _post(world, role, url, data)
            status = response.status_code
            if changed:
                wrong.append(f"{role}: denied ({status}) but data changed")
            if response.status_code >= 500:
                wrong.append(f"{role}: server error {status}")
            elif entry.allow == OPEN:
                continue
            elif entry.allow == GET_ONLY:
                if status != 405 and not _is_deny(response):
                    wrong.append(f"{role}: POST answered {status}, expected 405 or a deny")
            elif (role in entry.allow) == _is_deny(response):
                expected = "allowed" if role in entry.allow else "denied"
                where = response.get("Location", "")
                wrong.append(f"{role}: expected {expected}, got {status} {where}".rstrip())
    assert not wrong, f"POST {url}:\n  " + "\n  ".join(wrong)
