"""Buying an eCourse goes through the same checkout and webhook, and grants an enrolment."""

import pytest

from courses.selectors import has_access
from devstripe import signing
from shop.models import Order, Product
from shop.orders import fulfilment, services
from tests import factories
from tests.courses import factories as course_factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_product():
    course = course_factories.course(lessons=3, title="Souverän verhandeln")
    return Product.objects.create(
        kind=Product.Kind.COURSE, course=course, name="eCourse Souverän verhandeln",
        price_cents=2990,
    )  # fmt: skip


def test_course_sales_page_shows_price_with_19_percent_vat(client, course_product):
    page = client.get("/kurse/" + course_product.course.slug + "/").content.decode()

    assert "Souverän verhandeln" in page and "29,90 €" in page
    assert "inkl. 19 % MwSt. (4,77 €)" in page and "Kurs kaufen" in page


def test_unpublished_course_is_not_for_sale(client, course_product):
    course = course_product.course
    course.status = course.Status.DRAFT
    course.save()

    assert client.get(f"/kurse/{course.slug}/").status_code == 404
    assert (
        client.post(f"/kurse/{course.slug}/kaufen/", {"email": "a@example.com"}).status_code == 404
    )


def test_paying_for_a_course_enrols_the_buyer_and_mails_the_course_link(
    client, stripe_server, post_event, course_product, outbox
):
    checkout = client.post(
        f"/kurse/{course_product.course.slug}/kaufen/",
        {"email": "lerner@example.com", **factories.LAPSE_CONSENT},
    )
    assert checkout.status_code == 303
    order = Order.objects.get()
    assert order.total_cents == 2990 and order.lines.get().vat_cents == 477

    post_event(signing.event("checkout.session.completed", factories.completed_session(order)))
    order.refresh_from_db()
    fulfilment.render_deliveries(order_id=order.pk)
    assert fulfilment.send_delivery_email(order_id=order.pk) == "sent"

    assert has_access(learner=order.buyer, course=course_product.course)
    [message] = outbox
    assert "Ihr Kurs ist freigeschaltet" in message.subject
    assert f"/courses/{course_product.course.slug}/learn/" in message.body
    [(name, _, mimetype)] = message.attachments
    assert (name, mimetype) == (f"{order.invoices.get().number}.pdf", "application/pdf")


def test_library_links_a_bought_course_to_its_learn_page(client, course_product):
    order = services.create_order(product=course_product, email="lerner@example.com")
    services.complete_checkout(session=factories.completed_session(order))
    client.force_login(Order.objects.get().buyer)

    page = client.get("/library/").content.decode()

    assert "Souverän verhandeln" in page
    assert f'href="/courses/{course_product.course.slug}/learn/"' in page
