import pytest


@pytest.fixture
def in_english(client):
    """The visitor chooses English with the footer's switch, as a browser would post it."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    return client


# The real-worker fixtures of the end-to-end tests, for the English purchase through a worker.
from tests.e2e.conftest import mail_folder, worker  # noqa: E402, F401
