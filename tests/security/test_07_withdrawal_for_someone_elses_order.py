"""Finding 7: order references counted up, so a stranger who knew a buyer's address guessed the
buyer's order and filed a declaration that matched it; one staff click would have refunded it.
Now references are drawn at random, and a matched declaration can be refunded only once the
contract's own address has confirmed it with the link the shop e-mails there. The receipt
(§ 356a BGB) still goes to the address given, at once."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone

from shop.models import CustomEbook, Order, Subscription, WithdrawalDeclaration
from shop.orders import services
from shop.withdrawals import services as withdrawals
from shop.withdrawals import tasks
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.shop.adviser.subscriber import subscribe_by_link
from tests.shop.withdrawals.declarations import ADMIN, OWNER_LINK_PATH, declare, receipts

pytestmark = pytest.mark.django_db

PENDING = "Bestätigung durch den Vertragsinhaber ausstehend"
FORM = re.compile(r"20\d\d-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("redaktion", "r@example.com", "pw")
    return sign_in_to_admin(client, user)


def refund(staff, declaration):
    data = {"action": "refund", "_selected_action": [declaration.pk]}
    return staff.post(ADMIN, data, follow=True).content.decode()


def owner_link(outbox):
    [request] = [m for m in outbox if OWNER_LINK_PATH in m.body]
    return request, urlsplit(re.search(r"http://\S+" + OWNER_LINK_PATH + r"\S+/", request.body)[0])


# References nobody can guess.


def test_order_references_are_random_not_counted(client, stripe_server, settings):
    # Twenty checkouts from one client are more than a client may start in ten minutes.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "checkout": "100/10m"}
    article = factories.article()
    for _ in range(20):
        client.post(
            f"/artikel/{article.slug}/kaufen/",
            {"email": "a@example.com", **factories.LAPSE_CONSENT},
        )

    references = list(Order.objects.order_by("pk").values_list("reference", flat=True))
    assert all(FORM.fullmatch(reference) for reference in references)
    assert len(set(references)) == 20
    # Knowing one's own reference tells nothing about the next buyer's.
    assert len({reference[5:9] for reference in references}) > 10


def test_a_subscription_gets_an_abo_nummer_of_the_same_random_form(client, stripe_server):
    factories.adviser_product()

    subscribe_by_link(client, "leserin@example.com")

    reference = Subscription.objects.get().reference
    assert reference.startswith("A") and FORM.fullmatch(reference[1:])


def test_a_reference_drawn_twice_is_drawn_again(monkeypatch):
    taken = factories.paid_order(factories.article().product)
    drawn = iter([taken.reference, taken.reference, "2026-NEW0-0001"])
    monkeypatch.setattr(services, "new_order_reference", lambda: next(drawn))

    order = services.create_order(product=factories.article().product, email="b@example.com")

    assert order.reference == "2026-NEW0-0001"
    assert Order.objects.filter(reference=taken.reference).count() == 1


def test_the_form_shows_the_new_reference_form(client):
    page = client.get("/vertrag-widerrufen/").content.decode()

    assert "2026-K7QF-2MZP" in page and "2026-000123" not in page


@pytest.mark.parametrize("typed", [str.lower, lambda r: r.replace("0", "O"), lambda r: f" {r} "])
def test_a_reference_is_read_as_readers_type_it(client, run_tasks, typed):
    order = factories.paid_order(factories.custom_ebook_product())
    order.reference = "2026-K0QF-2MZ1"
    order.save(update_fields=["reference"])

    declare(client, run_tasks, contract=typed(order.reference))

    assert WithdrawalDeclaration.objects.get().order == order


def test_an_old_counted_reference_still_names_its_order(client, run_tasks):
    order = factories.paid_order(factories.custom_ebook_product())
    Order.objects.filter(pk=order.pk).update(reference="2026-000123")

    declare(client, run_tasks, contract="2026-000123")

    assert WithdrawalDeclaration.objects.get().order == order


# The owner confirms before staff can refund.


def test_a_declaration_in_the_buyers_name_is_not_refunded_without_the_buyers_click(
    client, staff, run_tasks, stripe_server, outbox
):
    order = factories.paid_order(factories.custom_ebook_product(), buyer_email="alice@example.com")
    # A stranger who knows Alice's address and her order's reference files in her name.
    declare(client, run_tasks, contract=order.reference, email="ALICE@example.com")
    declaration = WithdrawalDeclaration.objects.get()

    assert declaration.order == order and declaration.is_withdrawable
    [receipt] = receipts(outbox)
    assert receipt.to == ["alice@example.com"]  # the receipt goes to the address given
    request, link = owner_link(outbox)
    assert request.to == [order.email] and order.reference in request.body
    assert "Alice Beispiel" not in request.body  # nothing the visitor typed
    assert PENDING in staff.get(ADMIN).content.decode()

    page = refund(staff, declaration)

    assert PENDING in page and "erstattet und erledigt" not in page
    assert stripe_server.refunds == []
    assert WithdrawalDeclaration.objects.get().handled_at is None
    assert CustomEbook.objects.get(order_line__order=order).state == CustomEbook.State.AWAITING_WISH


def test_after_the_owners_click_staff_refund_it(client, staff, run_tasks, stripe_server, outbox):
    url = services.start_checkout(
        product=factories.custom_ebook_product(), email="alice@example.com"
    )
    paid = stripe_server.complete(url.rsplit("/", 1)[1])["data"]["object"]
    services.complete_checkout(session=paid)
    order = Order.objects.get()
    declare(client, run_tasks, contract=order.reference)
    _request, link = owner_link(outbox)
    owner = type(client)()

    shown = owner.get(link.path)  # a mail scanner opening the link confirms nothing
    assert (
        shown.status_code == 200 and "Ja, dieser Widerruf stammt von mir" in shown.content.decode()
    )
    assert WithdrawalDeclaration.objects.get().owner_confirmed_at is None
    confirmed = owner.post(link.path)
    again = owner.post(link.path)

    assert "Ihr Widerruf ist bestätigt" in confirmed.content.decode()
    assert again.status_code == 200
    declaration = WithdrawalDeclaration.objects.get()
    assert declaration.owner_confirmed_at is not None
    assert PENDING not in staff.get(ADMIN).content.decode()
    assert "1 Widerruf(e) erstattet und erledigt" in refund(staff, declaration)
    [made] = stripe_server.refunds
    assert (made["payment_intent"], made["amount"]) == (order.stripe_payment_intent, 7900)


@pytest.mark.parametrize(
    "tamper", [lambda path: path[:-3] + "xx/", lambda path: OWNER_LINK_PATH + "x/"]
)
def test_a_tampered_link_confirms_nothing(client, run_tasks, outbox, tamper):
    order = factories.paid_order(factories.custom_ebook_product())
    declare(client, run_tasks, contract=order.reference)
    _request, link = owner_link(outbox)

    response = client.post(tamper(link.path))

    assert (
        response.status_code == 400 and "Bestätigungslink gilt nicht" in response.content.decode()
    )
    assert WithdrawalDeclaration.objects.get().owner_confirmed_at is None


def test_the_link_expires_after_30_days(client, run_tasks, outbox):
    order = factories.paid_order(factories.custom_ebook_product())
    declare(client, run_tasks, contract=order.reference)
    _request, link = owner_link(outbox)

    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        response = client.post(link.path)

    assert response.status_code == 400
    assert WithdrawalDeclaration.objects.get().owner_confirmed_at is None


def test_an_unmatched_declaration_sends_no_owner_link(client, run_tasks, outbox):
    order = factories.paid_order(factories.custom_ebook_product(), buyer_email="alice@example.com")

    declare(client, run_tasks, contract=order.reference, email="mallory@example.com")

    assert [m.to for m in outbox] == [["mallory@example.com"]]
    assert OWNER_LINK_PATH not in outbox[0].body


def test_a_lost_owner_link_is_sent_by_the_next_beat(run_tasks, outbox):
    order = factories.paid_order(factories.custom_ebook_product())
    declaration = withdrawals.declare(
        name="Alice", email=order.email, contract=order.reference, message=""
    )  # committed, but the broker lost both tasks

    with run_tasks(), time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert tasks.resend_missing_withdrawal_receipts.delay().get() == 2

    assert len(receipts(outbox)) == 1
    _request, link = owner_link(outbox)
    declaration.refresh_from_db()
    assert declaration.owner_request_sent_at is not None
