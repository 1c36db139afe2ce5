"""Finding 12: personal PDFs and invoices were served without `Cache-Control: private,
no-store`, so a shared proxy or the browser of a shared machine could keep a buyer's licensed
copy. Now every address that serves one of a buyer's or learner's files says not to."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from courses import certificates
from courses.models import Enrolment
from shop.ebooks import services as ebooks
from shop.models import CustomEbook, Delivery, EbookChapter, Product
from shop.orders import fulfilment, links
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.courses import factories as course_factories

pytestmark = pytest.mark.django_db


def bought_article(client) -> str:
    order = factories.paid_order_of([factories.article().product])
    fulfilment.render_deliveries(order_id=order.pk)
    client.force_login(order.buyer)
    delivery = Delivery.objects.get(order_line__order=order)
    return links.download_url(delivery=delivery, user=order.buyer)


def invoice(client) -> str:
    order = factories.paid_order_of([factories.article().product])
    fulfilment.render_deliveries(order_id=order.pk)  # renders the invoice too
    client.force_login(order.buyer)
    return reverse("shop:invoice", args=[order.invoices.get().pk])


def enrolled(client) -> Enrolment:
    course = course_factories.course(lessons=2)
    product = Product.objects.create(
        kind=Product.Kind.COURSE, course=course, name="eCourse", price_cents=2990
    )
    order = factories.paid_order(product)
    client.force_login(order.buyer)
    return Enrolment.objects.get(learner=order.buyer, course=course)


def course_pdf(client) -> str:
    return reverse("courses:course_pdf", kwargs={"slug": enrolled(client).course.slug})


def certificate_pdf(client) -> str:
    enrolment = enrolled(client)
    certificate = certificates.issue_certificate(enrolment=enrolment)
    certificates.render_certificate(certificate_id=certificate.pk)
    return reverse("courses:certificate_pdf", kwargs={"slug": enrolment.course.slug})


def staff(client):
    sign_in_to_admin(
        client, get_user_model().objects.create_superuser("redaktion", "r@example.com", "pw")
    )


def ebook_preview(client) -> str:
    product = Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Ihr individuelles E-Book", price_cents=7900
    )
    ebook = CustomEbook.objects.get(order_line__order=factories.paid_order(product))
    EbookChapter.objects.create(ebook=ebook, article=factories.article(), position=1)
    ebooks.render_preview(ebook_id=ebook.pk)
    staff(client)
    return reverse("admin:shop_customebook_preview", args=[ebook.pk])


def invoice_in_the_admin(client) -> str:
    order = factories.paid_order_of([factories.article().product])
    fulfilment.render_deliveries(order_id=order.pk)
    staff(client)
    return reverse("admin:shop_invoice_pdf", args=[order.invoices.get().pk])


@pytest.mark.parametrize(
    "address",
    [bought_article, invoice, course_pdf, certificate_pdf, ebook_preview, invoice_in_the_admin],
    ids=lambda address: address.__name__,
)
def test_a_personal_file_is_kept_by_no_cache(client, address):
    response = client.get(address(client))

    assert response.status_code == 200 and response["Content-Type"].startswith("application/")
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
