"""The demo library: HQ's templates, courses trainers derived from them, cases and guides.

``seed_library`` runs after the demo company is written (``hub.seeding.write.demo_seed``) and
uses that company's trainers as authors. It is deterministic for a seed and idempotent: once
the demo templates exist it adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from modelsearch import index as search_index
from modelsearch.signal_handlers import post_save_signal_handler
from wagtail.models import Page, ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from hub.organisation.models import Employee, Role
from library.demo_content import CASES, GUIDES, TEMPLATES, CaseSpec, TemplateSpec
from library.h5p.demo import seed_demo_h5p
from library.models import (
    CaseIndexPage,
    CasePage,
    CoursePage,
    CourseTemplateIndexPage,
    CourseTemplatePage,
    GuideIndexPage,
    GuidePage,
)
from library.search.models import SynonymGroup
from library.services import course_create_from_template, library_install
from library.services import review_workflow as hq_review_workflow
from library.video.demo import seed_demo_video

COURSE_COUNT = 24
DRAFT_SLOTS = frozenset({3, 10})
IN_REVIEW_SLOTS = frozenset({7, 16, 21})
DEMO_TRAINER_LOGIN = "trainer"
MEDIA_TEMPLATE = "cross-selling"
MEDIA_VIDEO_CAPTION = "示范视频：三步完成一次自然的连带推荐"
MEDIA_H5P_CAPTION = "课前小测：你会怎样做连带推荐？"


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@contextmanager
def _indexing_deferred() -> Iterator[None]:
    """Skip the search and reference indexing Wagtail repeats on every save and revision of
    the seed's pages (half its run time); ``_index_library`` indexes each page once after."""
    models = [
        model
        for model in search_index.get_indexed_models()
        if getattr(model, "search_auto_update", True)
    ]
    for model in models:
        post_save.disconnect(post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in models:
            post_save.connect(post_save_signal_handler, sender=model)


def _index_library(home: Page) -> None:
    for page in Page.objects.descendant_of(home, inclusive=True).specific().iterator():
        search_index.insert_or_update_object(page)
        ReferenceIndex.create_or_update_for_object(page)


def _block(kind: str, value) -> dict:
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def _paragraphs(text: str) -> str:
    return f"<p>{text}</p>"


def _template_body(
    spec: TemplateSpec, case_ids: dict[str, int], media: dict[str, int] | None = None
) -> list[dict]:
    body = [_block("objectives", {"items": list(spec.objectives)})]
    if media and spec.slug == MEDIA_TEMPLATE:
        # The cross-selling template (and every course derived from it) carries the demo
        # video and the demo H5P quick check.
        body.append(_block("video", {"video": media["video"], "caption": MEDIA_VIDEO_CAPTION}))
        body.append(_block("h5p", {"content": media["h5p"], "caption": MEDIA_H5P_CAPTION}))
    for module in spec.modules:
        body.append(
            _block(
                "module",
                {
                    "title": module.title,
                    "duration_minutes": module.minutes,
                    "activities": [
                        {"kind": kind, "description": text} for kind, text in module.activities
                    ],
                },
            )
        )
    for slug, note in spec.cases:
        body.append(_block("case_reference", {"case": case_ids[slug], "note": note}))
    method, criteria = spec.assessment
    body.append(_block("assessment", {"method": method, "criteria": criteria}))
    body.append(_block("trainer_notes", {"notes": spec.notes}))
    return body


def _publish(page, *, user, when: dt.datetime) -> None:
    page.save_revision(user=user).publish(user=user)
    type(page).objects.filter(pk=page.pk).update(first_published_at=when, last_published_at=when)


def _trainers(rng: random.Random) -> list[Employee]:
    trainers = list(
        Employee.objects.filter(role_grants__role=Role.TRAINER)
        .select_related("user", "branch")
        .order_by("employee_no")
        .distinct()
    )
    rng.shuffle(trainers)
    # The well-known "trainer" demo login gets a draft course to open in the editor.
    known = next((t for t in trainers if t.user.username == DEMO_TRAINER_LOGIN), None)
    if known is not None and len(trainers) > min(DRAFT_SLOTS):
        trainers.remove(known)
        trainers.insert(min(DRAFT_SLOTS), known)
    return trainers


def _write_case(
    index: CaseIndexPage, spec: CaseSpec, author: Employee | None, user, when: dt.datetime
) -> CasePage:
    case = CasePage(
        title=spec.title,
        slug=spec.slug,
        scenario=_paragraphs(spec.scenario),
        analysis=_paragraphs(spec.analysis),
        resolution=_paragraphs(spec.resolution),
        author=author,
        owning_branch=author.branch if author else None,
        owner=user,
    )
    case.tags.add(*spec.tags)
    index.add_child(instance=case)
    _publish(case, user=user, when=when)
    return case


# HQ's starting synonym list for the search (HQ admins edit it at /library/search/synonyms/).
DEMO_SYNONYMS = ["客户, 顾客, 消费者", "投诉, 抱怨", "导购, 店员, 销售顾问"]


def seed_library(*, seed: int, today: dt.date | None = None) -> Counter[str]:
    """Write the demo library once: 6 templates, 24 derived courses, 16 cases, 3 guides.

    Preconditions: the demo company is written (its trainers author the courses and cases; with
    no trainer the courses are skipped). Calls ``library_install``. Most courses are published
    (every fourth one standard, as if HQ approved it), two stay drafts and three wait in the
    "HQ review" workflow. Returns how many pages of each kind it created (nothing on a re-run).
    """
    created: Counter[str] = Counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        home = library_install()
        if not SynonymGroup.objects.exists():
            SynonymGroup.objects.bulk_create(SynonymGroup(words=w) for w in DEMO_SYNONYMS)
            created["search synonym groups"] += len(DEMO_SYNONYMS)
        if CourseTemplatePage.objects.filter(slug=TEMPLATES[0].slug).exists():
            return created
        with _indexing_deferred():
            created = _write_library(seed=seed, today=today)
        _index_library(home)
    return created


def _write_library(*, seed: int, today: dt.date) -> Counter[str]:
    created: Counter[str] = Counter()
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    trainers = _trainers(rng)
    hq_user = (
        get_user_model()
        .objects.filter(employee__role_grants__role=Role.HQ_ADMIN)
        .order_by("username")
        .first()
    )

    media = {
        "video": seed_demo_video(uploaded_by=hq_user).pk,
        "h5p": seed_demo_h5p(uploaded_by=hq_user).pk,
    }
    created["demo media"] += 2

    case_index = CaseIndexPage.objects.get()
    case_ids: dict[str, int] = {}
    for n, spec in enumerate(CASES):
        author = trainers[n % len(trainers)] if trainers else None
        when = _aware(today - dt.timedelta(days=200 - 9 * n))
        case = _write_case(case_index, spec, author, hq_user, when)
        case_ids[spec.slug] = case.pk
        created["library cases"] += 1

    template_index = CourseTemplateIndexPage.objects.get()
    templates: list[CourseTemplatePage] = []
    for n, spec in enumerate(TEMPLATES):
        template = CourseTemplatePage(
            title=spec.title,
            slug=spec.slug,
            summary=spec.summary,
            category=spec.category,
            audience=spec.audience,
            hours=spec.hours,
            body=_template_body(spec, case_ids, media),
            owner=hq_user,
        )
        template.business_areas.add(*spec.areas)
        template_index.add_child(instance=template)
        _publish(template, user=hq_user, when=_aware(today - dt.timedelta(days=180 - n)))
        templates.append(CourseTemplatePage.objects.get(pk=template.pk))
        created["course templates"] += 1

    guide_index = GuideIndexPage.objects.get()
    for n, spec in enumerate(GUIDES):
        body = []
        for heading, text in spec.sections:
            body += [_block("heading", heading), _block("paragraph", _paragraphs(text))]
        guide = GuidePage(
            title=spec.title, slug=spec.slug, summary=spec.summary, body=body, owner=hq_user
        )
        guide_index.add_child(instance=guide)
        _publish(guide, user=hq_user, when=_aware(today - dt.timedelta(days=170 - n)))
        created["process guides"] += 1

    if trainers:
        created += _write_courses(templates, trainers, hq_user, today)
    return created


def _write_courses(
    templates: list[CourseTemplatePage], trainers: list[Employee], hq_user, today: dt.date
) -> Counter[str]:
    created: Counter[str] = Counter()
    workflow = hq_review_workflow()
    specs = {spec.slug: spec for spec in TEMPLATES}
    for n in range(COURSE_COUNT):
        template = templates[n % len(templates)]
        variants = specs[template.slug].variants or ("分部版",)
        variant = variants[(n // len(templates)) % len(variants)]
        trainer = trainers[n % len(trainers)]
        course = course_create_from_template(
            template=template,
            actor=trainer.user,
            title=f"{template.title}（{trainer.branch.name}·{variant}）",
        )
        course = CoursePage.objects.get(pk=course.pk)
        course.summary = (
            f"{template.summary}{trainer.branch.name}结合本地门店情况改编（{variant}）。"
        )
        local_module = _block(
            "module",
            {
                "title": f"{trainer.branch.name}门店实战：{variant}",
                "duration_minutes": 30 + 15 * (n % 3),
                "activities": [
                    {
                        "kind": "discussion",
                        "description": f"结合{trainer.branch.name}本月数据复盘课程要点",
                    },
                    {"kind": "exercise", "description": "回到门店完成一项实践任务并拍照分享"},
                ],
            },
        )
        blocks = list(course.body.raw_data)
        after_modules = 1 + max(i for i, b in enumerate(blocks) if b["type"] == "module")
        course.body = [*blocks[:after_modules], local_module, *blocks[after_modules:]]
        if n in DRAFT_SLOTS:
            course.save_revision(user=trainer.user)
            created["draft courses"] += 1
            continue
        if n in IN_REVIEW_SLOTS:
            course.save_revision(user=trainer.user)
            workflow.start(course, trainer.user)
            created["courses in review"] += 1
            continue
        when = _aware(today - dt.timedelta(days=150 - 5 * n))
        if n % 4 == 0 and hq_user is not None:
            # Submitted by the trainer and approved by HQ: published and standard.
            course.save_revision(user=trainer.user)
            task_state = workflow.start(course, trainer.user).current_task_state
            task_state.task.specific.on_action(
                task_state, hq_user, "approve", comment="内容完整，符合总部标准，批准发布。"
            )
            CoursePage.objects.filter(pk=course.pk).update(
                first_published_at=when, last_published_at=when
            )
            created["published courses"] += 1
            created["standard courses"] += 1
        else:
            _publish(course, user=hq_user, when=when)
            created["published courses"] += 1
    return created
