""" "Vertrag widerrufen" (§ 356a BGB): a declaration without signing in, a confirmation step, the
declaration recorded and confirmed by e-mail at once, matched only with the order's own address,
and the staff's refund through Stripe."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from shop.ebooks import services as ebooks
from shop.legal import texts as legal
from shop.models import CustomEbook, Order, Product, WithdrawalDeclaration
from shop.orders import services
from shop.payments import stripe_api
from shop.withdrawals import services as withdrawals
from shop.withdrawals import tasks
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.shop.withdrawals.declarations import ADMIN, declare, main, receipts

pytestmark = pytest.mark.django_db
State = CustomEbook.State
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def ebook_product():
    return Product.objects.create(
        kind=Product.Kind.CUSTOM_EBOOK, name="Ihr individuelles E-Book", price_cents=7900
    )


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("redaktion", "r@example.com", "pw")
    return sign_in_to_admin(client, user)


def bought_through_stripe(stripe_server, product, *, email="alice@example.com", consent=None):
    if legal.asks_lapse_consent(product.kind) and consent is None:
        # An order from before checkout asked for the consent.
        order = services.create_order(product=product, email=email)
        session_id = stripe_api.create_checkout_session(
            order=order, success_url="http://shop.test/", cancel_url="http://shop.test/"
        )["id"]
        Order.objects.filter(pk=order.pk).update(stripe_session_id=session_id)
    else:
        url = services.start_checkout(product=product, email=email, lapse_consent_version=consent)
        session_id = url.rsplit("/", 1)[-1]
    session = stripe_server.complete(session_id)["data"]["object"]
    services.complete_checkout(session=session)
    return Order.objects.get(stripe_session_id=session["id"])


def test_every_page_links_vertrag_widerrufen_in_its_footer(client):
    for url in ["/", "/sign-in/", "/vertrag-widerrufen/"]:
        footer = client.get(url).content.decode().split("<footer>")[1]
        assert '<a href="/vertrag-widerrufen/">Vertrag widerrufen</a>' in footer


@time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN), tick=False)
def test_a_declaration_is_confirmed_on_a_second_page_recorded_and_acknowledged_by_email(
    client, run_tasks, ebook_product, outbox
):
    order = factories.paid_order(ebook_product)
    data = {
        "name": "Alice Beispiel", "email": "Alice@Example.com", "contract": order.reference,
        "message": "Ich habe es mir anders überlegt.",
    }  # fmt: skip

    review = client.post("/vertrag-widerrufen/", data)

    page = review.content.decode()
    assert review.status_code == 200 and "Widerruf bestätigen</button>" in page
    assert "Alice Beispiel" in page and order.reference in page and "anders überlegt" in page
    assert not WithdrawalDeclaration.objects.exists() and outbox == []

    with run_tasks():
        done = client.post("/vertrag-widerrufen/", {**data, "confirm": "1"}, follow=True)

    assert done.redirect_chain == [("/vertrag-widerrufen/eingegangen/", 302)]
    assert "Ihr Widerruf ist eingegangen" in done.content.decode()
    assert "23. November 2026, 09:30 Uhr" in done.content.decode()
    declaration = WithdrawalDeclaration.objects.get()
    assert (declaration.name, declaration.email, declaration.contract, declaration.message) == (
        "Alice Beispiel", "alice@example.com", order.reference, "Ich habe es mir anders überlegt.",
    )  # fmt: skip
    assert declaration.received_at == datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN)
    assert declaration.order == order and declaration.is_withdrawable
    assert "noch nicht begonnen" in declaration.assessment
    [message] = receipts(outbox)
    assert message.to == ["alice@example.com"]
    assert "Eingangsbestätigung" in message.subject
    for text in ["23. November 2026, 09:30 Uhr", "Alice Beispiel", order.reference,
                 "anders überlegt", "Ihr Vertrag kann widerrufen werden"]:  # fmt: skip
        assert text in message.body
    assert declaration.confirmation_sent_at is not None


def test_reloading_the_received_page_declares_nothing_twice(client, run_tasks, outbox):
    declare(client, run_tasks, contract="2026-000001")

    assert client.get("/vertrag-widerrufen/eingegangen/").status_code == 200
    assert WithdrawalDeclaration.objects.count() == 1 and len(outbox) == 1


def test_the_confirmation_email_goes_out_once_however_often_the_task_runs(run_tasks, outbox):
    with run_tasks():
        declaration = withdrawals.declare(
            name="Bob", email="bob@example.com", contract="x", message=""
        )

    assert withdrawals.send_receipt(declaration_id=declaration.pk) == "already sent"
    assert len(outbox) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"email": "a@example.com", "contract": "2026-000001"},  # no name
        {"name": "A", "email": "kein-at-zeichen", "contract": "2026-000001"},
        {"name": "A", "email": "a@example.com", "contract": ""},
        {"name": "A" * 201, "email": "a@example.com", "contract": "2026-000001"},
    ],
)
def test_incomplete_or_tampered_declarations_get_a_message_and_record_nothing(
    client, run_tasks, outbox, data
):
    with run_tasks():
        response = client.post("/vertrag-widerrufen/", {**data, "confirm": "1"})

    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert not WithdrawalDeclaration.objects.exists() and outbox == []


def test_changing_the_details_goes_back_to_the_form_with_them(client):
    data = {"name": "Alice", "email": "a@example.com", "contract": "2026-000001"}

    response = client.post("/vertrag-widerrufen/", {**data, "edit": "1"})

    page = response.content.decode()
    assert "Weiter zur Bestätigung" in page and 'value="2026-000001"' in page
    assert not WithdrawalDeclaration.objects.exists()


def test_an_article_whose_right_lapsed_with_the_consent_is_recorded_as_not_withdrawable(
    client, run_tasks, stripe_server, outbox
):
    order = bought_through_stripe(
        stripe_server, factories.article().product, consent=legal.LAPSE_CONSENT_VERSION
    )

    declare(client, run_tasks, contract=order.reference)

    declaration = WithdrawalDeclaration.objects.get()
    assert declaration.order == order and not declaration.is_withdrawable
    assert "mit Beginn der Lieferung erloschen" in declaration.assessment
    assert "Fassung 2026-11" in declaration.assessment
    assert "kein Widerrufsrecht mehr" in outbox[0].body


def test_a_custom_ebook_in_assembly_is_no_longer_withdrawable(ebook_product, django_user_model):
    order = factories.paid_order(ebook_product)
    ebook = CustomEbook.objects.get(order_line__order=order)
    ebooks.submit_wish(
        ebook_id=ebook.pk, by=order.buyer, working_title="T", questions="Q", articles=[],
        format="pdf", note="",
    )  # fmt: skip
    assert withdrawals.withdrawal_right(order=order, at=order.paid_at).is_withdrawable

    ebooks.change_state(ebook_id=ebook.pk, to=State.IN_ASSEMBLY, by=None)

    right = withdrawals.withdrawal_right(order=order, at=order.paid_at)
    assert (
        not right.is_withdrawable
        and "Zusammenstellung hat begonnen (Status: In Arbeit)" in right.reason
    )


def test_the_period_ends_fourteen_days_after_the_day_of_the_contract(ebook_product):
    with time_machine.travel(datetime(2026, 11, 2, 23, 50, tzinfo=BERLIN), tick=False):
        order = factories.paid_order(ebook_product)

    last_day = datetime(2026, 11, 16, 23, 59, tzinfo=BERLIN)
    assert withdrawals.withdrawal_right(order=order, at=last_day).is_withdrawable
    too_late = withdrawals.withdrawal_right(order=order, at=last_day + timedelta(minutes=1))
    assert not too_late.is_withdrawable
    assert "Die Widerrufsfrist endete am 16. November 2026" in too_late.reason


@pytest.mark.parametrize(
    ("language", "period_ended", "consent_given"),
    [
        ("de", "Die Widerrufsfrist endete am 16. November 2026.",
         "Zustimmung vom 2. November 2026, 23:50 (Fassung 2026-11)"),
        ("en", "The withdrawal period ended on Nov. 16, 2026.",
         "consent of Nov. 2, 2026, 11:50 p.m. (version 2026-11)"),
    ],
)  # fmt: skip
def test_the_confirmation_writes_the_dates_of_its_assessment_as_its_language_does(
    client, run_tasks, stripe_server, ebook_product, outbox, language, period_ended, consent_given
):
    with time_machine.travel(datetime(2026, 11, 2, 23, 50, tzinfo=BERLIN), tick=False):
        late = factories.paid_order(ebook_product)
        lapsed = bought_through_stripe(
            stripe_server, factories.article().product, consent=legal.LAPSE_CONSENT_VERSION
        )
    client.post("/i18n/setlang/", {"language": language, "next": "/"})

    with time_machine.travel(datetime(2026, 11, 3, 8, 0, tzinfo=BERLIN), tick=False):
        declare(client, run_tasks, contract=lapsed.reference)
    with time_machine.travel(datetime(2026, 11, 17, 8, 0, tzinfo=BERLIN), tick=False):
        declare(client, run_tasks, contract=late.reference)

    lapsed_receipt, late_receipt = receipts(outbox)
    assert [lapsed_receipt.to, late_receipt.to] == [["alice@example.com"]] * 2
    assert consent_given in lapsed_receipt.body and period_ended in late_receipt.body


@time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN), tick=False)
def test_a_declaration_is_assessed_in_its_own_language_whoever_records_it(ebook_product):
    order = factories.paid_order(ebook_product)

    declaration = withdrawals.declare(
        name="Rea Der", email="alice@example.com", contract=order.reference, message="",
        language="en",
    )  # fmt: skip

    assert declaration.assessment.endswith(
        "The editors have not started on the eBook yet (period until Dec. 7, 2026)."
    )


def test_an_order_bought_without_the_consent_keeps_the_ordinary_right():
    order = factories.paid_order(factories.article().product)

    right = withdrawals.withdrawal_right(order=order, at=order.paid_at)

    assert right.is_withdrawable and "Innerhalb der Widerrufsfrist" in right.reason


# Abuse: a stranger learns nothing and withdraws nothing.


@time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN), tick=False)
def test_an_unknown_reference_is_recorded_unmatched_and_the_page_reads_the_same(
    client, run_tasks, ebook_product, outbox
):
    order = factories.paid_order(ebook_product)
    matched = declare(client, run_tasks, contract=order.reference)

    unknown = declare(client, run_tasks, contract="2026-999999")

    assert main(unknown) == main(matched)
    declaration = WithdrawalDeclaration.objects.get(contract="2026-999999")
    assert declaration.order is None and not declaration.is_withdrawable
    assert "Keinem Vertrag zugeordnet" in declaration.assessment
    assert "Wir prüfen Ihre Angaben" in outbox[-1].body


@time_machine.travel(datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN), tick=False)
def test_someone_elses_address_matches_nothing_and_tells_nothing(
    client, run_tasks, ebook_product, outbox
):
    order = factories.paid_order(ebook_product, buyer_email="alice@example.com")
    unknown = declare(client, run_tasks, contract="2026-999999", email="mallory@example.com")

    stranger = declare(client, run_tasks, contract=order.reference, email="mallory@example.com")

    assert main(stranger) == main(unknown)
    declaration = WithdrawalDeclaration.objects.get(contract=order.reference)
    assert declaration.order is None and not declaration.is_withdrawable
    # Each confirmation goes to the address given, never to the order's owner, and both read
    # the same: whether the reference exists is not in them.
    assert [m.to for m in outbox] == [["mallory@example.com"], ["mallory@example.com"]]
    assert outbox[1].body == outbox[0].body.replace("2026-999999", order.reference)
    assert CustomEbook.objects.get(order_line__order=order).state == State.AWAITING_WISH


# The staff's refund.


def test_staff_refund_a_custom_ebook_through_stripe_and_cancel_it(
    client, staff, run_tasks, stripe_server, ebook_product
):
    order = bought_through_stripe(stripe_server, ebook_product)
    declare(client, run_tasks, contract=order.reference, owner_confirms=True)
    declaration = WithdrawalDeclaration.objects.get()

    page = staff.post(
        ADMIN, {"action": "refund", "_selected_action": [declaration.pk]}, follow=True
    )
    again = staff.post(
        ADMIN, {"action": "refund", "_selected_action": [declaration.pk]}, follow=True
    )

    assert "1 Widerruf(e) erstattet und erledigt" in page.content.decode()
    assert "Bereits erledigt" in again.content.decode()
    [refund] = stripe_server.refunds
    assert (refund["payment_intent"], refund["amount"]) == (order.stripe_payment_intent, 7900)
    ebook = CustomEbook.objects.get(order_line__order=order)
    assert ebook.state == State.REFUNDED and ebook.refund_id == refund["id"]
    assert ebook.state_changes.last().changed_by.username == "redaktion"
    declaration.refresh_from_db()
    assert declaration.handled_at and declaration.handled_by.username == "redaktion"
    assert declaration.refund_ids == refund["id"]


def test_staff_refund_an_order_from_before_the_consent_line_by_line(
    client, staff, run_tasks, stripe_server
):
    order = bought_through_stripe(stripe_server, factories.article(price_cents=490).product)
    declare(client, run_tasks, contract=order.reference, owner_confirms=True)
    declaration = WithdrawalDeclaration.objects.get()

    staff.post(ADMIN, {"action": "refund", "_selected_action": [declaration.pk]})

    [refund] = stripe_server.refunds
    assert (refund["payment_intent"], refund["amount"]) == (order.stripe_payment_intent, 490)
    assert WithdrawalDeclaration.objects.get().refund_ids == refund["id"]


def test_a_lapsed_or_unmatched_declaration_is_not_refunded_but_can_be_closed(
    client, staff, run_tasks, stripe_server
):
    order = bought_through_stripe(
        stripe_server, factories.article().product, consent=legal.LAPSE_CONSENT_VERSION
    )
    declare(client, run_tasks, contract=order.reference)
    declare(client, run_tasks, contract="2026-999999")
    ids = list(WithdrawalDeclaration.objects.values_list("pk", flat=True))

    refused = staff.post(ADMIN, {"action": "refund", "_selected_action": ids}, follow=True)

    page = refused.content.decode()
    assert "mit Beginn der Lieferung erloschen" in page and "Keinem Vertrag zugeordnet" in page
    assert stripe_server.refunds == []
    assert not WithdrawalDeclaration.objects.filter(handled_at__isnull=False).exists()

    staff.post(ADMIN, {"action": "close_without_refund", "_selected_action": ids})

    assert not WithdrawalDeclaration.objects.filter(handled_at__isnull=True).exists()
    assert stripe_server.refunds == []


def test_a_refund_stripe_refuses_changes_nothing(
    client, staff, run_tasks, stripe_server, ebook_product
):
    order = factories.paid_order(ebook_product)  # a payment intent Stripe does not know
    Order.objects.filter(pk=order.pk).update(stripe_payment_intent="pi_unknown")
    declare(client, run_tasks, contract=order.reference, owner_confirms=True)
    declaration = WithdrawalDeclaration.objects.get()

    page = staff.post(
        ADMIN, {"action": "refund", "_selected_action": [declaration.pk]}, follow=True
    )

    assert "Die Erstattung bei Stripe ist fehlgeschlagen" in page.content.decode()
    assert WithdrawalDeclaration.objects.get().handled_at is None
    assert CustomEbook.objects.get(order_line__order=order).state == State.AWAITING_WISH


def test_declarations_are_evidence_staff_cannot_add_or_delete_them(staff, client, run_tasks):
    declare(client, run_tasks, contract="2026-000001")
    declaration = WithdrawalDeclaration.objects.get()

    assert staff.get(f"{ADMIN}add/").status_code == 403
    assert staff.get(f"{ADMIN}{declaration.pk}/delete/").status_code == 403
    assert "2026-000001" in staff.get(ADMIN).content.decode()


def test_a_confirmation_whose_task_was_lost_is_sent_by_the_next_beat(run_tasks, outbox):
    declaration = withdrawals.declare(name="Bob", email="bob@example.com", contract="x", message="")
    # No callbacks ran: the task never reached the broker.
    with time_machine.travel(timedelta(minutes=2)), run_tasks():
        assert tasks.resend_missing_withdrawal_receipts.delay().get() == 1

    [message] = outbox
    assert message.to == ["bob@example.com"]
    assert WithdrawalDeclaration.objects.get(pk=declaration.pk).confirmation_sent_at
