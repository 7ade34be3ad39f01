"""Language choice: Chinese (LANGUAGE_CODE) unless the user picked another language.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an English-language
browser would open Lectern in English. HR asked for Chinese by default, English one click away
(the language switcher sets Django's language cookie), so only that cookie counts here.
"""

import contextlib

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request) -> None:
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            with contextlib.suppress(LookupError):  # an unknown language keeps the default
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
