"""Which language a request is served in: German, unless the visitor chose another one.

Django's LocaleMiddleware would also follow the browser's Accept-Language header. This shop does
not: its articles, courses and legal texts are German, many German readers run an English browser,
and a page should not change language behind their back. The choice made with the footer's switch
(Django's set_language view) lives in the language cookie and is the only thing asked here."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request) -> str:
    # Django's own lookup refuses what is missing, too long, unknown or without translations.
    try:
        return translation.get_supported_language_variant(
            request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        )
    except LookupError:
        return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Whatever runs next in this thread (a test, a task run inline) starts in German.
            translation.deactivate()
        # The same address answers in either language, told apart by the cookie.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
