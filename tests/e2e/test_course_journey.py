"""A learner's whole journey against the running shop and a real Celery worker: buys the course
through the checkout and Stripe's (stand-in's) signed webhook, signs in, works through two
lessons online, switches to e-mail, receives the next lesson and marks it done from the link,
gets the rest at once, finishes, and receives a certificate that verifies."""

import email
import re
import time
from email import policy
from urllib.parse import urlsplit

import pytest
import requests

from courses.models import Certificate, Enrolment, TaskProgress
from shop.models import Order, Product
from tests import factories as shop_factories
from tests.courses import factories
from tests.pdf_text import pages_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def wait_for_mail(folder, subject_part: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if subject_part in message["Subject"]:
                return message
        time.sleep(0.2)
    subjects = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"]
        for p in sorted(folder.glob("*.eml"))
    ]
    raise AssertionError(f"no e-mail about {subject_part!r}; got {subjects}")


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def csrf_post(browser, url, data=None, **kwargs):
    page = browser.get(url).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return browser.post(
        url, data={**(data or {}), "csrfmiddlewaretoken": token}, headers={"Referer": url}, **kwargs
    )


def tick_all(browser, url):
    page = browser.get(url).text
    task_ids = re.findall(r'name="done-(\d+)"', page)
    assert len(task_ids) == 4
    data = {f"done-{task_id}": "on" for task_id in task_ids}
    data |= {f"answer-{task_id}": "" for task_id in task_ids}
    data[f"answer-{task_ids[0]}"] = "Meine Antwort"
    answer = csrf_post(browser, url, data)
    assert answer.status_code == 200 and "Gespeichert." in answer.text


def mark_done_from(message, *, browser=None, **data):
    """Opens the signed link in a browser that is not signed in (or in the learner's `browser`:
    only there may it set the certificate's name), and confirms."""
    link = re.search(r"http://\S+/lesson-done/\S+/", text_of(message)).group(0)
    browser = browser or requests.Session()
    confirm = browser.get(link)
    assert confirm.status_code == 200 and "als erledigt markieren?" in confirm.text
    done = csrf_post(browser, link, data)
    assert done.status_code == 200 and "ist erledigt" in done.text
    return done


def test_learner_buys_works_online_switches_to_email_finishes_and_gets_a_certificate(
    live_server, stripe, worker, mail_folder
):
    course = factories.course(lessons=4, title="Souverän im neuen Job")
    Product.objects.create(
        kind=Product.Kind.COURSE, course=course, name="eCourse Souverän im neuen Job",
        price_cents=2990,
    )  # fmt: skip
    site = live_server.url
    browser = requests.Session()

    # Buy: the shop's sales page, its checkout, Stripe's page; the signed webhook enrols.
    sales_page = f"{site}/kurse/{course.slug}/"
    checkout = csrf_post_to(
        browser, sales_page, f"{sales_page}kaufen/",
        {"email": "lerner@example.com", **shop_factories.LAPSE_CONSENT},
        allow_redirects=False,
    )  # fmt: skip
    assert checkout.status_code == 303
    assert checkout.headers["Location"].startswith(stripe.url + "/pay/")
    paid = browser.post(checkout.headers["Location"], data={"method": "card"})
    assert paid.status_code == 200 and "Ihre Zahlung ist eingegangen" in paid.text
    order = Order.objects.get()
    assert order.is_paid and order.total_cents == 2990
    enrolment = Enrolment.objects.get(learner=order.buyer, course=course)
    assert enrolment.is_active
    welcome = wait_for_mail(mail_folder, "Ihr Kurs ist freigeschaltet")
    assert f"{site}{course.get_absolute_url()}" in text_of(welcome)

    # Sign in with the shop's one-time link.
    csrf_post(browser, f"{site}/sign-in/", {"email": "lerner@example.com"})
    sign_in_link = re.search(
        r"http://\S+/sign-in/\S+/", text_of(wait_for_mail(mail_folder, "Anmeldelink"))
    )
    csrf_post(browser, sign_in_link.group(0))
    overview = browser.get(f"{site}{course.get_absolute_url()}")
    assert overview.status_code == 200 and "0 von 17 Aufgaben erledigt" in overview.text

    # Two lessons online.
    lesson_urls = re.findall(rf'href="(/courses/{course.slug}/learn/\d+/)"', overview.text)
    assert len(lesson_urls) == 5  # four lessons and the final lesson
    for url in lesson_urls[:2]:
        tick_all(browser, site + url)
    assert "8 von 17 Aufgaben erledigt" in browser.get(f"{site}{course.get_absolute_url()}").text

    # Switch to e-mail: the worker sends the next lesson, lesson 3.
    started = csrf_post_to(browser, f"{site}{course.get_absolute_url()}",
                           f"{site}/courses/{course.slug}/email/",
                           {"action": "start", "interval_days": "1"})  # fmt: skip
    assert "Ihr E-Mail-Kurs ist eingerichtet" in started.text
    lesson_three = wait_for_mail(mail_folder, "Lektion 3 von 4")
    assert lesson_three["To"] == "lerner@example.com"
    for n in range(1, 5):
        assert f"Aufgabe {n} zu Lektion 3" in text_of(lesson_three)
    mark_done_from(lesson_three)
    assert "12 von 17 Aufgaben erledigt" in browser.get(f"{site}{course.get_absolute_url()}").text

    # The rest at once; finish from the e-mails.
    csrf_post_to(browser, f"{site}{course.get_absolute_url()}",
                 f"{site}/courses/{course.slug}/email/", {"action": "send_all"})  # fmt: skip
    mark_done_from(wait_for_mail(mail_folder, "Lektion 4 von 4"))
    finished = mark_done_from(
        wait_for_mail(mail_folder, "Abschlusslektion"),
        browser=browser,
        certificate_name="Robin Beispiel",
    )
    assert "Sie haben den Kurs abgeschlossen" in finished.text

    # The certificate arrives once, and verifies publicly without the e-mail address.
    message = wait_for_mail(mail_folder, "Ihr Zertifikat")
    [attachment] = list(message.iter_attachments())
    [page] = pages_text(attachment.get_content())
    assert "Robin Beispiel" in page and "Souverän im neuen Job" in page
    verify = re.search(r"http://\S+/certificates/[A-Z0-9-]+/", text_of(message)).group(0)
    assert urlsplit(verify).netloc == urlsplit(site).netloc
    public = requests.get(verify)
    assert public.status_code == 200
    assert "Robin Beispiel" in public.text and "Souverän im neuen Job" in public.text
    assert "lerner@example.com" not in public.text
    worker.wait_for_log("deliver_certificate")
    worker.wait_for_log("'sent'")

    assert TaskProgress.objects.filter(enrolment=enrolment, is_done=True).count() == 17
    assert Certificate.objects.get().emailed_at
    subjects = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"]
        for p in mail_folder.glob("*.eml")
    ]
    assert sum("Lektion" in s or "Abschlusslektion" in s for s in subjects) == 3
    assert sum("Ihr Zertifikat" in s for s in subjects) == 1
    assert sum("Ihr Kurs ist freigeschaltet" in s for s in subjects) == 1
    final_overview = browser.get(f"{site}{course.get_absolute_url()}").text
    assert "17 von 17 Aufgaben erledigt" in final_overview and "Geschafft!" in final_overview


def csrf_post_to(browser, page_url, action_url, data, **kwargs):
    """Posts a form of `page_url` to `action_url`, as the browser does."""
    page = browser.get(page_url).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return browser.post(
        action_url,
        data={**data, "csrfmiddlewaretoken": token},
        headers={"Referer": page_url},
        **kwargs,
    )
