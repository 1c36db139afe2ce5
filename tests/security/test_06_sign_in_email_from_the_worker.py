"""Finding 6: the sign-in form must not tell customers from strangers by its time. The request
only asks the worker, the same way for every address; the worker sends to customers only."""

import pytest

from tests.shop.buyer import bought
from tests.worker import worker_runs

pytestmark = pytest.mark.django_db


def test_the_request_sends_nothing_and_asks_the_worker_alike_for_every_address(
    client, outbox, django_capture_on_commit_callbacks
):
    bought("alice@example.com")
    outbox.clear()
    asked = {}
    for email in ["alice@example.com", "mallory@example.com"]:
        with django_capture_on_commit_callbacks() as enqueued:
            response = client.post("/sign-in/", {"email": email})
        assert response.status_code == 200
        asked[email] = len(enqueued)

    # Nothing was sent while the visitor waited, and both requests took the same path.
    assert outbox == []
    assert asked == {"alice@example.com": 1, "mallory@example.com": 1}


def test_the_worker_sends_the_link_to_a_customer_only_in_the_language_asked_in(client, outbox):
    bought("alice@example.com")
    outbox.clear()
    client.cookies["django_language"] = "en"
    with worker_runs():
        client.post("/sign-in/", {"email": "ALICE@example.com"})
        client.post("/sign-in/", {"email": "mallory@example.com"})

    [message] = outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Your sign-in link for your library"
