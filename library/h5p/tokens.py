"""Short-lived signed tokens that let the sandboxed player fetch one content's files.

The player iframe has an opaque origin, so its requests carry no session cookie: the page
that embeds it (a logged-in learner's) mints a token for that content, and the token in the
file URLs is the only authorisation those files need.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "library.h5p.files"


def file_token(content_id: int) -> str:
    return signing.dumps(content_id, salt=SALT, compress=False)


def token_content_id(token: str) -> int | None:
    """The content id a valid, unexpired token was minted for, else None."""
    try:
        value = signing.loads(token, salt=SALT, max_age=settings.H5P_FILE_TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError):  # ValueError: a signed non-payload
        return None
    return value if isinstance(value, int) else None


def player_url(content_id: int) -> str:
    url = reverse("library:h5p:player", kwargs={"pk": content_id})
    return f"{url}?t={file_token(content_id)}"
