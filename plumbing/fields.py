from django.conf import settings
from django.db import models


class LanguageField(models.CharField):
    """The language a customer used when they bought, subscribed or declared something: every
    e-mail to them about it is written in it."""

    def __init__(self, verbose_name="Sprache", **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("choices", settings.LANGUAGES)
        kwargs.setdefault("default", settings.LANGUAGE_CODE)
        super().__init__(verbose_name, **kwargs)
