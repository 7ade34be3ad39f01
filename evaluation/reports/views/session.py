"""The session report (placeholder: being built)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.http import require_GET


@login_required
@require_GET
def report(request, **kwargs):
    raise Http404
