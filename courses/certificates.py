"""Certificates: issued in the transaction that completes the final lesson, rendered by the
worker, e-mailed once. Rendering and e-mailing are separate steps, so a retried e-mail never
renders again."""

import base64
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from courses import emails
from courses.models import Certificate, Enrolment
from documents import pdf as documents
from plumbing.mail import send_once
from plumbing.tasks import enqueue_on_commit

CERTIFICATE_TEMPLATE = "courses/pdf/certificate.html"
FALLBACK_NAME = gettext_lazy("Teilnehmerin / Teilnehmer")


def new_code() -> str:
    """80 random bits in four groups a reader can type: e.g. K7QF-2MZP-XA4D-9RTC."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def display_name(enrolment: Enrolment) -> str:
    """The name they entered, else first name and last name's initial; never the e-mail."""
    if enrolment.certificate_name:
        return enrolment.certificate_name
    user = enrolment.learner
    first, last = user.first_name.strip(), user.last_name.strip()
    if first:
        return f"{first} {last[0]}." if last else first
    with translation.override(enrolment.language):  # stored, so in the certificate's language
        return str(FALLBACK_NAME)


def issue_certificate(*, enrolment: Enrolment) -> Certificate:
    """Idempotent; the caller holds the enrolment's lock. Delivery starts after commit."""
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    for _ in range(3):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    enrolment=enrolment,
                    code=new_code(),
                    learner_name=display_name(enrolment),
                    course_title=enrolment.course.title,
                    issued_on=timezone.localdate(),
                )
            break
        except IntegrityError:
            # A code that exists already (80 bits: not in this universe), or a concurrent issue.
            existing = Certificate.objects.filter(enrolment=enrolment).first()
            if existing is not None:
                return existing
    else:
        raise RuntimeError("could not find a free certificate code")
    enqueue_on_commit("courses.tasks.deliver_certificate", certificate.pk)
    return certificate


def render_certificate(*, certificate_id: int) -> None:
    """Idempotent: a certificate that has its PDF is left alone."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("enrolment")
            .get(pk=certificate_id)
        )
        if certificate.file:
            return
        # The learner's own document, so in the language they bought the course in.
        with translation.override(certificate.enrolment.language):
            html = render_to_string(
                CERTIFICATE_TEMPLATE,
                {
                    "title": gettext("Zertifikat: %(course)s")
                    % {"course": certificate.course_title},
                    "certificate": certificate,
                    "verify_url": settings.SITE_URL + certificate.get_absolute_url(),
                    "publisher_name": settings.PUBLISHER_NAME,
                },
            )
        pdf = documents.render_pdf(html=html)
        certificate.file.save(f"zertifikat-{certificate.code}.pdf", ContentFile(pdf), save=False)
        certificate.save(update_fields=["file"])


def send_certificate_email(*, certificate_id: int) -> str:
    """One e-mail per certificate, with its PDF: "sent", "already sent" or "not rendered yet"."""
    return send_once(
        Certificate.objects.select_related("enrolment__learner", "enrolment__course"),
        pk=certificate_id,
        mark="emailed_at",
        error="email_error",
        send=_send_rendered,
    )


def _send_rendered(certificate: Certificate) -> str | None:
    if not certificate.file:
        return "not rendered yet"
    emails.send_certificate(certificate=certificate)
    return None
