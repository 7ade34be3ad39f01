"""Small helpers the views of every app share: showing a service's refusal to the user."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Each message of a service's ValidationError as an error message on the next page."""
    for message in exc.messages:
        messages.error(request, message)


def flash_form_errors(request: HttpRequest, form: Form) -> None:
    """A posted form's errors as error messages, for forms posted from another page."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def form_add_service_errors(form: Form, exc: ValidationError) -> None:
    """A service's ValidationError on the form that fed it: field errors on their fields (the
    rest on the form), so the page shows them where the user typed."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def query_without(request: HttpRequest, drop: str = "page") -> str:
    """The request's query string without ``drop`` (e.g. for the links of a paginator)."""
    params = request.GET.copy()
    params.pop(drop, None)
    return params.urlencode()
