"""After choosing English, the pages a buyer and learner see are English, with money and dates
written the English way; German stays the default with its own notation."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.utils import translation

from courses import links as course_links
from courses.models import Certificate, Course, Enrolment, LearningTask, Lesson
from shop.models import Article, CancellationNotice, CustomEbook, Order, Product, Series
from shop.money import format_eur
from shop.orders import fulfilment
from tests import factories
from tests.courses import factories as course_factories
from tests.i18n.german_words import german_words_in, visible_text
from tests.worker import worker_runs

pytestmark = pytest.mark.django_db


@dataclass
class Shop:
    article: Article
    series: Series
    course: Course
    enrolment: Enrolment
    ebook: CustomEbook
    buyer: object


@pytest.fixture
def shop():
    """One of everything on sale, with neutral content (the editors' German is not under test),
    and a buyer who owns one of each."""
    articles = [factories.article(title=f"Salary talks {n}", price_cents=490) for n in (1, 2)]
    series = factories.series(parts=articles, price_cents=790, title="Salary series")
    Series.objects.update(description="Two texts.")
    course = course_factories.course(lessons=2, title="Negotiating")
    Article.objects.update(teaser="Twenty minutes.", author="Jana Example", body="Plain text.")
    Course.objects.update(description="Short lessons.")
    Lesson.objects.update(title="Step", body="Body.", reflection="Looking back.")
    LearningTask.objects.update(prompt="Prompt.", expected_answer="A hint.", checklist="One\nTwo")
    course_product = Product.objects.create(
        kind=Product.Kind.COURSE, course=course, name="Negotiating course", price_cents=2990,
    )  # fmt: skip
    factories.adviser_product()
    ebook_product = Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Custom eBook", price_cents=7900
    )
    email = "reader@example.com"
    for product in (articles[0].product, series.product, course_product, ebook_product):
        order = factories.paid_order(product, buyer_email=email)
        fulfilment.render_deliveries(order_id=order.pk)
    buyer = order.buyer
    enrolment = Enrolment.objects.get(learner=buyer)
    return Shop(
        article=articles[0], series=series, course=course, enrolment=enrolment,
        ebook=CustomEbook.objects.get(buyer=buyer), buyer=buyer,
    )  # fmt: skip


def key_pages(shop: Shop) -> dict[str, str]:
    course, enrolment = shop.course, shop.enrolment
    first = course_factories.regular_lessons(course)[0]
    final = course_factories.final_lesson(course)
    certificate = Certificate.objects.create(
        enrolment=enrolment, code="ABCD-EFGH-IJKL-MNOP", learner_name="Lea S.",
        course_title=course.title, issued_on=date(2026, 3, 1),
    )  # fmt: skip
    return {
        "catalog": "/",
        "article": shop.article.get_absolute_url(),
        "series": shop.series.get_absolute_url(),
        "course for sale": f"/kurse/{course.slug}/",
        "custom eBook for sale": "/individuelles-e-book/",
        "library": "/library/",
        "my courses": "/courses/",
        "course": course.get_absolute_url(),
        "lesson": f"/courses/{course.slug}/learn/{first.pk}/",
        "locked final lesson": f"/courses/{course.slug}/learn/{final.pk}/",
        "lesson done link": course_links.lesson_done_url(enrolment=enrolment, lesson=first),
        "eBook wish": f"/library/e-book/{shop.ebook.pk}/wunsch/",
        "certificate": certificate.get_absolute_url(),
        "payment cancelled": "/checkout/cancelled/",
        "KI-Berater": "/ki-berater/",
        "KI-Berater welcome": "/ki-berater/willkommen/",
        "cancel contracts": "/vertraege-kuendigen/",
        "sign in": "/sign-in/",
    }


def test_key_pages_in_english_have_no_german_left(in_english, shop):
    in_english.force_login(shop.buyer)
    german_left = {}
    for name, path in key_pages(shop).items():
        response = in_english.get(path)
        assert response.status_code == 200, (name, path)
        page = response.content.decode()
        assert '<html lang="en">' in page
        german_left[name] = german_words_in(visible_text(page))

    assert german_left == {name: [] for name in german_left}


def test_the_same_pages_stay_german_without_a_choice(client, shop):
    """The check above can fail: the same pages in German are full of those words."""
    client.force_login(shop.buyer)
    for name, path in key_pages(shop).items():
        page = client.get(path).content.decode()
        assert german_words_in(visible_text(page)), name


def test_catalog_article_and_library_read_english(in_english, shop):
    # A visitor sees the prices; the buyer, who owns everything but the eBook, their library.
    catalog = in_english.get("/").content.decode()
    article = in_english.get(shop.article.get_absolute_url()).content.decode()
    in_english.force_login(shop.buyer)
    owners_catalog = in_english.get("/").content.decode()
    owners_article = in_english.get(shop.article.get_absolute_url()).content.decode()
    library = in_english.get("/library/").content.decode()

    assert "Articles as PDF" in catalog and "€4.90" in catalog and "incl. VAT" in catalog
    assert "€7.90" in catalog and "€29.90" in catalog and "€79.00" in catalog
    for text in ["March 1, 2026", "€4.90", "incl. 7% VAT (€0.32)", "Buy as PDF", "Your e-mail"]:
        assert text in article
    assert "In your library" in owners_catalog and "Go to the course" in owners_catalog
    assert "In your library" in owners_article and "Go to your library" in owners_article
    for text in ["My library", "Signed in as reader@example.com", "Download PDF",
                 "Download the complete PDF", "Go to the course", "Awaiting your request",
                 "Series · 2 articles", "Custom eBook"]:  # fmt: skip
        assert text in library


def test_money_and_dates_follow_the_language(client, shop):
    page = client.get(shop.article.get_absolute_url()).content.decode()
    assert "1. März 2026" in page and "inkl. 7 % MwSt. (0,32 €)" in page

    with translation.override("de"):
        assert [format_eur(c) for c in (5, 490, 123450, 100000000, -1990)] == [
            "0,05 €", "4,90 €", "1.234,50 €", "1.000.000,00 €", "-19,90 €",
        ]  # fmt: skip
    with translation.override("en"):
        assert [format_eur(c) for c in (5, 490, 123450, 100000000, -1990)] == [
            "€0.05", "€4.90", "€1,234.50", "€1,000,000.00", "-€19.90",
        ]  # fmt: skip


def test_the_series_page_counts_and_prices_in_english(in_english, shop):
    page = in_english.get(shop.series.get_absolute_url()).content.decode()

    assert "Series · 2 articles" in page
    assert "Bought separately €9.80, as a series €7.90: you save €1.90." in page


def test_a_form_error_is_english_too(in_english, shop, stripe_server):
    response = in_english.post(f"/artikel/{shop.article.slug}/kaufen/", {"email": "no-at-sign"})

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    refused = in_english.post(
        f"/artikel/{shop.article.slug}/kaufen/",
        {"email": "a@example.com", "discount_code": "NOPE", **factories.LAPSE_CONSENT},
    )
    assert refused.status_code == 400
    assert "We don&#x27;t recognise this discount code." in refused.content.decode()
    assert not Order.objects.filter(email__in=["no-at-sign", "a@example.com"]).exists()


def test_the_learner_sees_choice_labels_and_messages_in_english(in_english, shop):
    in_english.force_login(shop.buyer)
    course = shop.course

    response = in_english.post(
        f"/courses/{course.slug}/email/", {"action": "start", "interval_days": "7"}, follow=True
    )

    page = response.content.decode()
    assert "Your e-mail course is set up. The next lesson is on its way." in page
    assert "You receive one lesson weekly, sent to reader@example.com." in page
    assert '<html lang="en">' in page


def test_the_cancel_button_works_in_english_too(in_english, shop, outbox):
    data = {"name": "Rea Der", "email": "reader@example.com", "kind": "ordinary",
            "effective": "next_possible"}  # fmt: skip

    confirm = in_english.post("/vertraege-kuendigen/", data).content.decode()
    with worker_runs():
        received = in_english.post("/vertraege-kuendigen/", {**data, "confirm": "1"})

    assert "Confirm cancellation" in confirm and "Cancel now" in confirm
    assert "Regular cancellation" in confirm
    assert german_words_in(visible_text(confirm)) == []
    assert "Your cancellation has been received" in received.content.decode()
    assert CancellationNotice.objects.get().language == "en"  # for the worker's retry too
    [message] = outbox
    assert message.subject == "We have received your cancellation"
    assert german_words_in(message.body) == []
