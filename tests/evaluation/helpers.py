"""Sessions, enrolments and files for the assignment tests, built directly on the skeleton
models (the sessions feature owns their services and factories)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evaluation.models import Assignment
from hub.organisation.models import Role
from hub.sessions.models import Enrolment, Session
from tests.factories import EmployeeFactory, grant


def make_trainer(**kwargs):
    trainer = EmployeeFactory(**kwargs)
    grant(trainer, Role.TRAINER)
    return trainer


def make_session(*, trainers=(), branch=None, status=Session.Status.ENDED, days_ago: int = 1):
    starts = timezone.now() - dt.timedelta(days=days_ago, hours=2)
    session = Session.objects.create(
        title="客户沟通技巧",
        branch=branch,
        mode=Session.Mode.IN_PERSON,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=30,
        status=status,
    )
    session.trainers.set(trainers)
    return session


def enrol(session, learner, status=Enrolment.Status.ENROLLED) -> Enrolment:
    return Enrolment.objects.create(session=session, learner=learner, status=status)


def make_assignment(session, *, due_in=dt.timedelta(days=3), **kwargs) -> Assignment:
    fields = {
        "title": f"作业{Assignment.objects.count() + 1}",
        "instructions": "写一份总结。",
        "due_at": timezone.now() + due_in,
        "max_score": 100,
    }
    fields.update(kwargs)
    return Assignment.objects.create(session=session, **fields)


# --- files -------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def office_bytes(main_part: str = "word/document.xml", *, content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document>学习总结</document>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def docx_upload(name: str = "总结.docx"):
    return upload(name, office_bytes())
