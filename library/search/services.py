"""Writes of the library search: HQ's synonym list."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hub.organisation.models import AuditEvent
from hub.organisation.permissions import is_hq_admin
from hub.organisation.services import audit_record
from library.search.models import SynonymGroup
from library.search.tokens import single_term, synonym_words

MAX_GROUPS = 200
MAX_WORD_LENGTH = 30
MSG_NOT_ALLOWED = _("Only HQ admins may edit the search synonyms.")
MSG_TOO_MANY = _("At most %(max)d synonym groups.")
MSG_ONE_WORD = _("Line %(line)d: a group needs at least two different words.")
MSG_NOT_A_WORD = _(
    "Line %(line)d: “%(word)s” is not one word (Chinese characters, or letters and digits, "
    "at most %(max)d)."
)


def parse_synonym_lines(text: str) -> list[list[str]]:
    """One group per non-empty line, its words separated by commas, 、 or spaces. Raises
    ``ValidationError`` naming the first bad line."""
    groups: list[list[str]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        words = synonym_words(line)
        if not words:
            continue
        for word in words:
            if len(word) > MAX_WORD_LENGTH or single_term(word) is None:
                raise ValidationError(
                    MSG_NOT_A_WORD % {"line": number, "word": word, "max": MAX_WORD_LENGTH}
                )
        if len(words) < 2:
            raise ValidationError(MSG_ONE_WORD % {"line": number})
        groups.append(words)
    if len(groups) > MAX_GROUPS:
        raise ValidationError(MSG_TOO_MANY % {"max": MAX_GROUPS})
    return groups


def synonyms_replace(*, actor, text: str) -> list[SynonymGroup]:
    """Replace HQ's whole synonym list with the groups of ``text`` (``parse_synonym_lines``).

    Preconditions: ``actor`` is an HQ admin (else ``PermissionDenied``). Invalid text raises
    ``ValidationError`` and changes nothing. Writes the groups and, when the list changed, one
    ``search.synonyms`` audit event with the list before and after."""
    if not is_hq_admin(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    groups = parse_synonym_lines(text)
    with transaction.atomic():
        before = [synonym_words(g.words) for g in SynonymGroup.objects.select_for_update()]
        if before == groups:
            return list(SynonymGroup.objects.all())
        SynonymGroup.objects.all().delete()
        rows = SynonymGroup.objects.bulk_create(
            SynonymGroup(words=", ".join(words), updated_by=actor) for words in groups
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.SEARCH_SYNONYMS_CHANGED,
            summary=f"Search synonyms: {len(before)} → {len(groups)} groups",
            data={"before": before, "after": groups},
        )
    return rows
