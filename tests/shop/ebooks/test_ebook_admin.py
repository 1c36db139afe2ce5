"""The desk's queue of custom eBooks in the admin: staff only, states and age, assembly, preview."""

import pytest

from shop.ebooks import services as ebooks
from shop.models import CustomEbook, EbookChapter, Product
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.pdf_text import pages_text

pytestmark = pytest.mark.django_db
State = CustomEbook.State
QUEUE = "/admin/shop/customebook/"


@pytest.fixture
def ebook():
    product = Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Ihr individuelles E-Book", price_cents=7900
    )
    order = factories.paid_order(product)
    ebook = CustomEbook.objects.get(order_line__order=order)
    return ebooks.submit_wish(
        ebook_id=ebook.pk, by=order.buyer, working_title="Mein Weg nach oben",
        questions="Gehalt?", articles=[], format="both", note="",
    )  # fmt: skip


@pytest.fixture
def staff(client, django_user_model):
    return sign_in_to_admin(
        client, django_user_model.objects.create_superuser("redaktion", "r@x.de", "pw")
    )


def test_the_queue_lists_requests_with_state_and_age(staff, ebook):
    page = staff.get(QUEUE).content.decode()

    assert "Mein Weg nach oben" in page and ebook.order_line.order.reference in page
    assert "Neu" in page and "Status seit" in page
    assert "Neu" in staff.get(QUEUE, {"state__exact": "new"}).content.decode()
    assert (
        ebook.order_line.order.reference
        not in staff.get(QUEUE, {"state__exact": "delivered"}).content.decode()
    )


def test_actions_move_the_book_and_refuse_what_is_not_allowed(staff, ebook):
    response = staff.post(
        QUEUE, {"action": "move_to_in_assembly", "_selected_action": [ebook.pk]}, follow=True
    )
    assert "1 E-Book(s): In Arbeit." in response.content.decode()

    response = staff.post(
        QUEUE, {"action": "move_to_approved", "_selected_action": [ebook.pk]}, follow=True
    )
    assert "geht nicht" in response.content.decode()
    response = staff.post(
        QUEUE, {"action": "move_to_ready_for_review", "_selected_action": [ebook.pk]},
        follow=True,
    )  # fmt: skip
    assert "mindestens ein Kapitel" in response.content.decode()
    assert CustomEbook.objects.get(pk=ebook.pk).state == State.IN_ASSEMBLY


def test_staff_assemble_chapters_by_position_and_saving_enqueues_a_preview(
    staff, ebook, django_capture_on_commit_callbacks
):
    ebooks.change_state(ebook_id=ebook.pk, to=State.IN_ASSEMBLY, by=None)
    first, second = factories.article(title="Zweiter Text"), factories.article(title="Erster")

    with django_capture_on_commit_callbacks() as enqueued:
        response = staff.post(f"{QUEUE}{ebook.pk}/change/", {
            "title": "Gehalt und mehr", "subtitle": "Für Alice", "preface": "Viel Erfolg!",
            "chapters-TOTAL_FORMS": 2, "chapters-INITIAL_FORMS": 0,
            "chapters-0-position": 2, "chapters-0-article": first.pk,
            "chapters-1-position": 1, "chapters-1-article": second.pk,
            "state_changes-TOTAL_FORMS": 0, "state_changes-INITIAL_FORMS": 0,
        })  # fmt: skip

    assert response.status_code == 302
    assert [c.article.title for c in EbookChapter.objects.filter(ebook=ebook)] == [
        "Erster",
        "Zweiter Text",
    ]
    assert CustomEbook.objects.get(pk=ebook.pk).title == "Gehalt und mehr"
    assert len(enqueued) == 1


def test_the_preview_is_rendered_for_staff_and_served_only_to_them(
    staff, client, ebook, django_user_model
):
    ebooks.change_state(ebook_id=ebook.pk, to=State.IN_ASSEMBLY, by=None)
    EbookChapter.objects.create(ebook=ebook, article=factories.article(title="Kapitel A"))
    CustomEbook.objects.filter(pk=ebook.pk).update(title="Vorschaubuch")

    ebooks.render_preview(ebook_id=ebook.pk)

    change_page = staff.get(f"{QUEUE}{ebook.pk}/change/").content.decode()
    preview_url = f"{QUEUE}{ebook.pk}/preview/"
    assert preview_url in change_page
    response = staff.get(preview_url)
    pages = pages_text(b"".join(response.streaming_content))
    assert "Vorschaubuch" in pages[0] and "Kapitel A" in " ".join(pages)
    assert all("Vorschau für die Redaktion" in page for page in pages)

    staff.logout()
    assert staff.get(preview_url).status_code == 302
    staff.force_login(ebook.buyer)
    assert staff.get(preview_url).status_code == 302


def test_non_staff_cannot_reach_the_queue(client, ebook):
    client.force_login(ebook.buyer)

    for url in (QUEUE, f"{QUEUE}{ebook.pk}/change/", f"{QUEUE}{ebook.pk}/preview/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(QUEUE, {"action": "move_to_cancelled", "_selected_action": [ebook.pk]})
    assert response.status_code == 302
    assert CustomEbook.objects.get(pk=ebook.pk).state == State.NEW
