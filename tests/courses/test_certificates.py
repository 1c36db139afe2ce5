"""The certificate: issued once on completing the final lesson, rendered, mailed once, and
verified publicly by its code without the learner's e-mail address."""

import re

import pytest

from courses import certificates, tasks
from courses.models import Certificate
from tests.courses import factories
from tests.pdf_text import pages_text

pytestmark = pytest.mark.django_db


def test_the_certificate_pdf_names_the_learner_the_course_the_date_and_the_code(
    enrolment, course, outbox, run_tasks
):
    with run_tasks():
        factories.finish_course(enrolment)

    certificate = Certificate.objects.get()
    assert certificate.learner_name == "Lea S."  # first name and the last name's initial
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", certificate.code)
    [page] = pages_text(outbox[0].attachments[0][1])
    assert "Zertifikat" in page and "Lea S." in page and course.title in page
    assert certificate.code in page and certificate.issued_on.strftime("%Y") in page
    assert "lea@example.com" not in page


def test_the_verification_page_shows_name_course_and_date_but_never_the_email(
    client, enrolment, course, run_tasks
):
    with run_tasks():
        factories.finish_course(enrolment)
    certificate = Certificate.objects.get()

    page = client.get(f"/certificates/{certificate.code}/")
    lower_case = client.get(f"/certificates/{certificate.code.lower()}/")

    content = page.content.decode()
    assert page.status_code == 200 and lower_case.status_code == 200
    assert "Dieses Zertifikat ist echt" in content
    assert "Lea S." in content and course.title in content
    assert "lea@example.com" not in content and "lea@" not in content


def test_an_unknown_code_is_not_found(client):
    assert client.get("/certificates/AAAA-BBBB-CCCC-DDDD/").status_code == 404


def test_a_learner_without_a_name_is_not_shown_by_email(enrolment, run_tasks):
    enrolment.learner.first_name = enrolment.learner.last_name = ""
    enrolment.learner.save()

    with run_tasks():
        factories.finish_course(enrolment)

    assert Certificate.objects.get().learner_name == certificates.FALLBACK_NAME


def test_the_certificate_is_mailed_once_however_often_the_tasks_run(enrolment, outbox, run_tasks):
    with run_tasks():
        factories.finish_course(enrolment, certificate_name="Lea Maria Schmidt")
    certificate = Certificate.objects.get()

    tasks.deliver_certificate(certificate.pk)
    assert tasks.send_certificate_email(certificate.pk) == "already sent"
    with run_tasks():
        factories.finish_course(enrolment)

    assert len(outbox) == 1
    assert Certificate.objects.count() == 1
    assert certificate.learner_name == "Lea Maria Schmidt"


def test_a_certificate_is_not_mailed_before_its_pdf_is_rendered(enrolment, outbox):
    factories.finish_course(enrolment)  # no worker: issued, not rendered
    certificate = Certificate.objects.get()

    assert certificates.send_certificate_email(certificate_id=certificate.pk) == "not rendered yet"
    certificates.render_certificate(certificate_id=certificate.pk)
    assert certificates.send_certificate_email(certificate_id=certificate.pk) == "sent"

    assert len(outbox) == 1
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None


def test_codes_are_unguessable_and_distinct():
    codes = {certificates.new_code() for _ in range(1000)}

    assert len(codes) == 1000
