"""Library fixtures: the installed tree, trainers, a template with every kind of block."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from hub.organisation.models import Role
from library.models import CaseIndexPage, CasePage, CourseTemplateIndexPage, CourseTemplatePage
from library.services import library_install
from tests.factories import EmployeeFactory, grant


@pytest.fixture
def library(db):
    return library_install()


def make_trainer(**kwargs):
    trainer = EmployeeFactory(**kwargs)
    grant(trainer, Role.TRAINER)
    return trainer


@pytest.fixture
def trainer(db, branch):
    return make_trainer(branch=branch)


@pytest.fixture
def other_trainer(db):
    return make_trainer()


@pytest.fixture
def case_page(library):
    index = CaseIndexPage.objects.get()
    case = CasePage(
        title="顾客嫌贵转身要走",
        slug="too-expensive",
        scenario="<p>顾客看中一件外套，听到价格后说“太贵了”。</p>",
        analysis="<p>价格异议背后通常是价值没讲清楚。</p>",
        resolution="<p>导购先认同，再讲面料和售后，最后推荐连带销售的搭配。</p>",
    )
    index.add_child(instance=case)
    case.tags.add("异议处理")
    case.save_revision().publish()
    return case


@pytest.fixture
def document(db):
    return Document.objects.create(
        title="课件.pdf", file=ContentFile(b"%PDF-1.4\n", name="slides.pdf")
    )


@pytest.fixture
def course_template(library, case_page, document):
    """A published template holding one block of every kind."""
    index = CourseTemplateIndexPage.objects.get()
    template = CourseTemplatePage(
        title="客户异议处理",
        slug="objections",
        summary="面向一线导购的异议处理课程。",
        category="specialised",
        audience="new_hire",
        hours="3.5",
        body=[
            {"type": "objectives", "value": {"items": ["能识别价格异议", "能用三步法回应"]}},
            {
                "type": "module",
                "value": {
                    "title": "认识异议",
                    "duration_minutes": 45,
                    "activities": [
                        {"kind": "lecture", "description": "异议的五种类型"},
                        {"kind": "role_play", "description": "两人一组演练"},
                    ],
                },
            },
            {"type": "case_reference", "value": {"case": case_page.pk, "note": "看导购如何认同"}},
            {"type": "document", "value": {"document": document.pk, "caption": "讲义"}},
            {"type": "assessment", "value": {"method": "情景演练", "criteria": "三步法完整"}},
            {"type": "trainer_notes", "value": {"notes": "秘密提示：先让学员自己说出顾虑"}},
        ],
    )
    index.add_child(instance=template)
    template.business_areas.add("零售", "门店")
    template.save_revision().publish()
    template.refresh_from_db()
    return template
