"""Sending e-mail: every e-mail of the shop, the courses and the newsletter goes through here."""

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

M = TypeVar("M", bound=models.Model)
# (file name, content, MIME type)
Attachment = tuple[str, bytes, str]


def send_email(
    *,
    to: str,
    language: str,
    template: str,
    context: dict,
    attachments: Sequence[Attachment] = (),
    headers: dict[str, str] | None = None,
    quoting: dict[str, str] | None = None,
) -> None:
    """Renders `<template>.subject.txt`, `.txt` and `.html` in `language`, whoever's request or
    worker sends it, and sends them as one message. The subject is one line whatever the
    template or the customer's text put into it: a line break in a header would stop the
    message. `quoting` is what a visitor typed, for a receipt that must repeat it: each text
    goes into the context `quoted`, and the message is then plain text only (no `.html`
    template), so that a stranger's words never become a formatted e-mail of the shop's. The
    layout every e-mail extends (templates/emails/base.*) names the publisher and its address
    in the header and footer."""
    context = {
        **context,
        "publisher_name": settings.PUBLISHER_NAME,
        "publisher_address": settings.INVOICE_SELLER["address"],
        "site_url": settings.SITE_URL,
    }
    context.update({name: quoted(text) for name, text in (quoting or {}).items()})
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}.subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = None if quoting else render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers)
    if html is not None:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()


QUOTED_MAX_CHARACTERS = 1000


def quoted(text: str) -> str:
    """What a visitor typed, as a receipt must repeat it: at most QUOTED_MAX_CHARACTERS, and
    with every link made unclickable ("hxxp", "example[.]com"), so that a stranger's form cannot
    turn the shop's e-mail into theirs. For the plain-text part only, never for a header."""
    if len(text) > QUOTED_MAX_CHARACTERS:
        text = text[: QUOTED_MAX_CHARACTERS - 1] + "…"
    text = re.sub(r"(?i)\b(h)tt(ps?)\b", r"\1xx\2", text)
    return re.sub(r"(?<=[\w-])\.(?=[^\W\d_])", "[.]", text)


def send_once(
    rows: models.QuerySet[M],
    *,
    pk: int,
    mark: str,
    error: str,
    send: Callable[[M], str | None],
    resend: bool = False,
) -> str:
    """Sends what row `pk` stands for once. Under the row's lock, its timestamp field `mark`
    says whether it was sent; it is set in the transaction that sends, so a retried or
    duplicated task finds it set. `send` sends and returns None, or returns why it cannot send
    yet (the outcome, e.g. "not rendered yet"). `resend` sends again on purpose; the mark keeps
    the first time. Returns what happened.

    The row's text field `error` shows staff why the last attempt failed, until one succeeds:
    a task that fails for good leaves it there, so the admin never shows an unsent e-mail as
    sent. The failure is raised again for the task's retry."""
    try:
        with transaction.atomic():
            row = rows.select_for_update(of=("self",)).filter(pk=pk).first()
            if row is None:
                return "nothing to send"
            if getattr(row, mark) and not resend:
                return "already sent"
            not_ready = send(row)
            if not_ready:
                return not_ready
            if not getattr(row, mark):
                setattr(row, mark, timezone.now())
            setattr(row, error, "")
            row.save(update_fields=[mark, error])
    except Exception as failure:
        # The send's transaction is rolled back; the record of its failure must outlive it.
        rows.model._default_manager.filter(pk=pk).update(**{error: describe_failure(failure)})
        raise
    return "sent"


def describe_failure(failure: Exception) -> str:
    """What staff read about a failed send: the error's kind and message, on one line."""
    return " ".join(f"{type(failure).__name__}: {failure}".split())[:1000]
