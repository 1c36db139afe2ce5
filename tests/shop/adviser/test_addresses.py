"""The KI-Berater moved from /ratgeber/ to /ki-berater/; bookmarks and the return addresses of
Stripe sessions opened before the move still arrive."""

import pytest


@pytest.mark.parametrize(
    ("old", "new"),
    [("/ratgeber/", "/ki-berater/"), ("/ratgeber/willkommen/", "/ki-berater/willkommen/")],
)
def test_the_old_address_redirects_permanently_to_the_new_one(client, old, new):
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new
