"""Receivers: a session's completions are final (``hub.sessions.signals.session_delivered``)
or a learner completed by watching the recording → the completers get the survey.
Connected from ``EvaluationConfig.ready``."""

from __future__ import annotations

from django.dispatch import receiver

from evaluation.surveys.dispatch import survey_dispatch
from hub.sessions.signals import session_delivered


@receiver(session_delivered, dispatch_uid="evaluation.surveys.dispatch_for_session")
def dispatch_for_session(sender, session, **kwargs) -> None:
    survey_dispatch(session=session)
