"""A withdrawal declared as a visitor declares it, on the "Vertrag widerrufen" form without
signing in, confirmed by the contract's owner, and the admin page where staff find the
declarations."""

from urllib.parse import urlsplit

from shop.models import WithdrawalDeclaration
from shop.withdrawals import services as withdrawals

ADMIN = "/admin/shop/withdrawaldeclaration/"
OWNER_LINK_PATH = "/vertrag-widerrufen/bestaetigen/"


def main(response) -> str:
    """The page without the footer, whose form carries a CSRF token new on every page."""
    return response.content.decode().split("<main>")[1].split("</main>")[0]


def declare(
    client, run_tasks, *, contract, email="alice@example.com", owner_confirms=False, **extra
):
    """`owner_confirms`: the contract's owner then follows the link e-mailed to them, which
    staff's refund waits for."""
    data = {"name": "Alice Beispiel", "email": email, "contract": contract, **extra}
    with run_tasks():
        response = client.post("/vertrag-widerrufen/", {**data, "confirm": "1"}, follow=True)
    if owner_confirms:
        declaration = WithdrawalDeclaration.objects.latest("pk")
        assert client.post(urlsplit(withdrawals.owner_link(declaration)).path).status_code == 200
    return response


def receipts(outbox):
    """The confirmations of receipt, without the owners' confirmation links."""
    return [message for message in outbox if OWNER_LINK_PATH not in message.body]
