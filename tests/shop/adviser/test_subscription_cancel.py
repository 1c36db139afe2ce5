"""The cancel button (§ 312k BGB): a footer link on every page, no sign-in, a confirmation step,
the notice recorded; for an Abo-Nummer and address that fit, the worker tells Stripe to end at
period end and e-mails the confirmation at once; a stranger gets the very same answer. (A notice
that names the address alone: tests/security/test_02_cancel_button_and_subscribe_tell_nobody.py.)"""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from shop.models import CancellationNotice, Subscription
from tests import factories
from tests.admin_login import sign_in_to_admin
from tests.shop.adviser.subscriber import subscribe_by_link

pytestmark = pytest.mark.django_db

EMAIL = "leserin@example.com"
FORM = {"name": "Lea Leserin", "email": EMAIL, "contract": "", "kind": "ordinary",
        "effective": "next_possible", "reason": ""}  # fmt: skip


@pytest.fixture
def running(client, stripe_server, post_event):
    """A paid, running subscription of EMAIL, its events sent as Stripe sends them."""
    factories.adviser_product()
    subscribe_by_link(client, EMAIL)
    subscription = Subscription.objects.get()
    made = len(stripe_server.events)
    for event in [
        stripe_server.complete(subscription.stripe_session_id),
        *stripe_server.events[made:],
    ]:
        assert post_event(event).status_code == 200
    mail.outbox.clear()
    subscription.refresh_from_db()
    return subscription


def local_time(notice: CancellationNotice) -> str:
    return timezone.localtime(notice.received_at).strftime("%H:%M")


def confirmed(client, data: dict):
    """Both steps as a browser takes them: the form, then "jetzt kündigen"."""
    step_one = client.post("/vertraege-kuendigen/", data)
    assert step_one.status_code == 200
    assert "jetzt kündigen" in step_one.content.decode()
    return client.post("/vertraege-kuendigen/", {**data, "confirm": "1"})


def test_every_page_links_to_the_cancel_page_which_needs_no_sign_in(client):
    factories.article()
    for url in ["/", "/sign-in/"]:
        assert 'href="/vertraege-kuendigen/"' in client.get(url).content.decode()
    page = client.get("/vertraege-kuendigen/")
    assert page.status_code == 200
    assert "zum nächstmöglichen Zeitpunkt" in page.content.decode()


def test_the_first_step_only_asks_for_confirmation_and_changes_nothing(client, running):
    response = client.post("/vertraege-kuendigen/", FORM)
    assert "Kündigung bestätigen" in response.content.decode()
    assert not CancellationNotice.objects.exists()
    assert not mail.outbox


def test_cancel_records_the_notice_ends_at_period_end_and_confirms_by_email_at_once(
    client, running, stripe_server, run_tasks
):
    with run_tasks():
        response = confirmed(client, {**FORM, "contract": running.reference.lower()})
    assert response.status_code == 200

    notice = CancellationNotice.objects.get()
    assert notice.subscription == running and notice.received_at and notice.confirmed_at
    assert stripe_server.subscription(running.stripe_subscription_id)["cancel_at_period_end"]
    running.refresh_from_db()
    assert running.cancel_at_period_end and running.status == Subscription.Status.ACTIVE
    assert notice.ends_at == running.current_period_end

    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert (
        "Ordentliche Kündigung" in message.body and "zum nächstmöglichen Zeitpunkt" in message.body
    )
    end = date_format(timezone.localtime(notice.ends_at), "j. F Y")
    assert f"Ihr KI-Berater-Abo endet zum {end}." in message.body
    assert f"um {local_time(notice)} Uhr" in message.body
    # The reader reads on to the end of the paid period, and the library says so.
    client.force_login(running.buyer)
    assert "Gekündigt; Sie lesen bis" in client.get("/library/").content.decode()


def test_a_stranger_gets_the_same_answer_and_the_notice_is_still_recorded(
    client, running, run_tasks
):
    with run_tasks():
        ours = confirmed(client, {**FORM, "contract": running.reference}).content.decode()
        theirs = confirmed(
            client, {**FORM, "name": "Fremd", "email": "fremd@example.com", "contract": "A1"}
        )
    assert theirs.status_code == 200

    def without_details(page: str, notice: CancellationNotice) -> str:
        """The page's main part without what the sender typed and the time it arrived."""
        received = timezone.localtime(notice.received_at)
        for detail in (notice.email, local_time(notice), date_format(received, "j. F Y")):
            page = page.replace(detail, "")
        return page.split("<main>")[1].split("</main>")[0]

    first, second = CancellationNotice.objects.order_by("pk")
    assert "Ihre Kündigung ist eingegangen" in ours
    assert without_details(ours, first) == without_details(theirs.content.decode(), second)
    assert second.subscription is None and second.confirmed_at
    assert mail.outbox[-1].to == ["fremd@example.com"]
    assert "gesondert mit" in mail.outbox[-1].body


def test_extraordinary_cancellation_needs_a_reason(client):
    response = client.post("/vertraege-kuendigen/", {**FORM, "kind": "extraordinary"})
    assert response.status_code == 400
    assert "Grund" in response.content.decode()
    assert not CancellationNotice.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {**FORM, "email": "keine-adresse"},
        {**FORM, "name": ""},
        {**FORM, "kind": "sofort"},
        {**FORM, "name": "x" * 201},
    ],
)
def test_bad_input_gets_a_400_and_records_nothing(client, data):
    response = client.post("/vertraege-kuendigen/", {**data, "confirm": "1"})
    assert response.status_code == 400
    assert not CancellationNotice.objects.exists()
    assert not mail.outbox


def test_when_stripe_is_down_the_notice_is_recorded_and_confirmed_for_staff(
    client, running, settings, run_tasks
):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    from shop.payments import stripe_api

    stripe_api._client.cache_clear()
    with run_tasks():
        assert confirmed(client, {**FORM, "contract": running.reference}).status_code == 200
    notice = CancellationNotice.objects.get()
    assert notice.stripe_error and notice.ends_at is None and notice.confirmed_at
    assert "gesondert mit" in mail.outbox[-1].body


def test_staff_see_every_notice_in_the_admin_also_one_that_matched_nothing(
    client, django_user_model
):
    staff = django_user_model.objects.create_superuser("redaktion", "r@example.com", "pw")
    admin_client = sign_in_to_admin(Client(), staff)
    confirmed(client, {**FORM, "name": "Fremd", "email": "fremd@example.com"})
    listed = admin_client.get("/admin/shop/cancellationnotice/?subscription__isempty=1")
    assert listed.status_code == 200
    assert "fremd@example.com" in listed.content.decode()
    notice = CancellationNotice.objects.get()
    assert (
        admin_client.get(f"/admin/shop/cancellationnotice/{notice.pk}/change/").status_code == 200
    )
    assert admin_client.get("/admin/shop/subscription/").status_code == 200
