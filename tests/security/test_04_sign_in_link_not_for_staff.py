"""Finding 4: the e-mailed sign-in link is for customers. Staff and superusers get none (the page
says the same to them as to everyone), and a link made before its owner became staff signs
nobody in, so whoever reads a staff mailbox does not get past the admin's password."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from tests.shop.buyer import bought

pytestmark = pytest.mark.django_db


def ask_for_link(client, run_tasks, email):
    # The link may be sent from the worker: run what the request enqueues.
    with run_tasks():
        return client.post("/sign-in/", {"email": email}).content.decode()


def link_path(message):
    return urlsplit(re.search(r"http://\S+/sign-in/\S+/", message.body).group(0)).path


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_staff_get_no_sign_in_link_and_the_same_page(client, run_tasks, outbox, flag):
    bought("alice@example.com")
    bought("editor@example.com")
    get_user_model().objects.filter(email="editor@example.com").update(**{flag: True})

    staff_page = ask_for_link(client, run_tasks, "editor@example.com")
    customer_page = ask_for_link(client, run_tasks, "alice@example.com")

    assert [m.to for m in outbox] == [["alice@example.com"]]
    assert staff_page.replace("editor", "X") == customer_page.replace("alice", "X")


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_link_made_before_becoming_staff_signs_nobody_in(client, run_tasks, outbox, flag):
    bought("editor@example.com")
    ask_for_link(client, run_tasks, "editor@example.com")
    path = link_path(outbox[-1])
    get_user_model().objects.filter(email="editor@example.com").update(**{flag: True})

    assert client.get(path).status_code == 400
    response = client.post(path)

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert client.get("/library/").status_code == 302  # still asked to sign in


def test_customer_link_still_signs_in(client, run_tasks, outbox):
    bought("alice@example.com")
    ask_for_link(client, run_tasks, "alice@example.com")

    response = client.post(link_path(outbox[-1]))

    assert response.status_code == 302 and response["Location"] == "/library/"
