"""The reader who subscribes in the KI-Berater tests: their address, and whether they read an
article in full."""

from shop.models import Subscription

EMAIL = "leserin@example.com"


def reads_full_text(client, article) -> bool:
    """Whether the reader of the newest subscription, signed in now (a session lasts two weeks,
    shorter than the months these tests travel), sees the article's whole text."""
    subscription = Subscription.objects.order_by("-pk").first()
    if subscription and subscription.buyer:
        client.force_login(subscription.buyer)
    page = client.get(article.get_absolute_url()).content.decode()
    return "Zahlen statt Gefühle" in page
