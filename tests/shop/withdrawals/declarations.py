"""A withdrawal declared as a visitor declares it, on the "Vertrag widerrufen" form without
signing in, and the admin page where staff find the declarations."""

ADMIN = "/admin/shop/withdrawaldeclaration/"


def main(response) -> str:
    """The page without the footer, whose form carries a CSRF token new on every page."""
    return response.content.decode().split("<main>")[1].split("</main>")[0]


def declare(client, run_tasks, *, contract, email="alice@example.com", **extra):
    data = {"name": "Alice Beispiel", "email": email, "contract": contract, **extra}
    with run_tasks():
        return client.post("/vertrag-widerrufen/", {**data, "confirm": "1"}, follow=True)
