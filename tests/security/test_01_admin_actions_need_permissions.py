"""Issue 12, finding 1: admin actions ignored model permissions. A staff member allowed only to
look posted "Stornieren und erstatten" on the custom-eBook list and a real Stripe refund went out.
Now every action states the right it needs; refunding and sending the newsletter to every
subscriber are rights of their own, which the demo content gives its staff group."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from courses.models import Course, Lesson
from newsletter.models import Issue
from shop.ebooks import services as ebooks
from shop.models import CustomEbook, Order, WithdrawalDeclaration
from shop.orders import services
from tests import factories
from tests.admin_login import PASSWORD, sign_in_to_admin
from tests.courses import factories as course_factories
from tests.newsletter import factories as newsletter_factories

pytestmark = pytest.mark.django_db


def staff_member(django_user_model, username: str, *rights: str):
    """Staff who may look at every list of the admin, and do `rights` ("app.codename")."""
    user = django_user_model.objects.create_user(
        username, f"{username}@example.com", PASSWORD, is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    for right in rights:
        app_label, codename = right.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return django_user_model.objects.get(pk=user.pk)  # without the cached permissions


def offered(model, user) -> set[str]:
    """The actions the model's change list offers `user`."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return set(admin.site._registry[model].get_actions(request))


def every_action(superuser) -> list[tuple[type, str]]:
    """Every action of every registered admin: all a superuser is offered."""
    return [(model, name) for model in admin.site._registry for name in offered(model, superuser)]


def every_row() -> dict[str, list[dict]]:
    """The whole database but the sessions (a page's messages live there)."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models()
        if model is not Session
    }


@pytest.fixture
def ebook(stripe_server):
    """A custom eBook with its wish, paid through the Stripe stand-in: a refund would reach it."""
    url = services.start_checkout(product=factories.custom_ebook_product(), email="a@example.com")
    session = stripe_server.complete(url.rsplit("/", 1)[-1])["data"]["object"]
    services.complete_checkout(session=session)
    ebook = CustomEbook.objects.get(order_line__order__stripe_session_id=session["id"])
    return ebooks.submit_wish(
        ebook_id=ebook.pk, by=ebook.buyer, working_title="Mein Weg", questions="Wie?",
        articles=[], format=CustomEbook.Format.PDF, note="",
    )  # fmt: skip


@pytest.fixture
def something_for_every_action(ebook):
    """A row each action could act on: the eBook's order, a withdrawal of it staff could refund,
    a published and a draft course with lessons, a learner, a newsletter issue and a reader,
    and a failed admin login."""
    order = ebook.order_line.order
    WithdrawalDeclaration.objects.create(
        name="Alice Beispiel", email=order.email, contract=order.reference, order=order,
        is_withdrawable=True, assessment="Innerhalb der Frist.",
    )  # fmt: skip
    course_factories.course(lessons=2)
    course_factories.course(lessons=1, published=False)
    course_factories.learner("lea@example.com")
    Issue.objects.create(subject="Neu im November", body="Drei neue Texte.")
    newsletter_factories.subscriber("leser@example.com")
    Client().post("/admin/login/", {"username": "mallory", "password": "geraten"})


def test_a_view_only_staff_member_is_offered_no_action_and_running_one_changes_nothing(
    client, django_user_model, something_for_every_action, stripe_server,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    looker = staff_member(django_user_model, "praktikum")
    sign_in_to_admin(client, looker)
    actions = every_action(django_user_model.objects.create_superuser("chef", "c@example.com"))
    course = Course.objects.first().pk
    assert {"move_to_cancelled", "refund", "send", "build_private_course"} <= {
        name for _, name in actions
    }
    before, stripe_calls = every_row(), len(stripe_server.requests)

    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        for model, name in actions:
            rows = list(model._base_manager.values_list("pk", flat=True))
            assert rows or name == "delete_selected", f"give the walk a {model._meta.label}"
            changelist = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
            )
            assert client.get(changelist).status_code == 200, changelist
            # Everything the action's own form page would ask for, and delete's confirmation.
            response = client.post(changelist, {
                "action": name, "_selected_action": rows, "apply": "1", "post": "yes",
                "target": course, "title": "Für Lea", "email": "lea@example.com",
            })  # fmt: skip
            assert response.status_code in {200, 302}, (changelist, name)
            assert b'name="apply"' not in response.content, f"{name} showed its form page"

    assert stripe_server.refunds == [] and len(stripe_server.requests) == stripe_calls
    assert enqueued == [] and mail.outbox == []
    assert every_row() == before
    assert [(m._meta.label, name) for m, name in actions if name in offered(m, looker)] == []


def test_the_refund_right_lets_staff_cancel_and_refund_a_custom_ebook_and_nothing_else(
    client, django_user_model, ebook, stripe_server
):
    cashier = staff_member(django_user_model, "kasse", "shop.refund_customebook")
    assert offered(CustomEbook, cashier) == {"move_to_cancelled"}
    sign_in_to_admin(client, cashier)

    page = client.post(
        "/admin/shop/customebook/",
        {"action": "move_to_cancelled", "_selected_action": [ebook.pk]},
        follow=True,
    )

    assert "1 E-Book(s): Storniert und erstattet" in page.content.decode()
    [refund] = stripe_server.refunds
    assert refund["payment_intent"] == Order.objects.get().stripe_payment_intent
    assert CustomEbook.objects.get(pk=ebook.pk).state == CustomEbook.State.REFUNDED


@pytest.mark.parametrize(
    ("model", "rights", "actions"),
    [
        (CustomEbook, ["shop.change_customebook"],
         {"move_to_in_assembly", "move_to_ready_for_review", "move_to_approved",
          "render_preview"}),
        (WithdrawalDeclaration, ["shop.refund_withdrawaldeclaration"], {"refund"}),
        (WithdrawalDeclaration, ["shop.change_withdrawaldeclaration"], {"close_without_refund"}),
        (Issue, ["newsletter.change_issue"], set()),
        (Issue, ["newsletter.send_issue"], {"send"}),
        (Lesson, ["courses.add_lesson"], {"copy_to_course"}),
        (Lesson, ["courses.add_course", "courses.add_enrolment"],
         {"build_private_course"}),
    ],
)  # fmt: skip
def test_each_right_offers_its_own_actions(django_user_model, model, rights, actions):
    assert offered(model, staff_member(django_user_model, "redaktion", *rights)) == actions


def test_the_demo_staff_group_may_refund_and_send_the_newsletter(django_user_model):
    call_command("load_demo_content")
    call_command("load_demo_content")

    group = Group.objects.get(name="Redaktion und Kundendienst")
    member = django_user_model.objects.create_user("kundendienst", is_staff=True)
    member.groups.add(group)
    assert "move_to_cancelled" in offered(CustomEbook, member)
    assert "refund" in offered(WithdrawalDeclaration, member)
    assert "send" in offered(Issue, member)
    assert "build_private_course" in offered(Lesson, member)
    assert not member.has_perm("shop.delete_order") and member.has_perm("shop.view_invoice")
