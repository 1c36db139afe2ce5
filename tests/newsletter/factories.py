"""Plain functions that make subscribers for the newsletter tests, through `newsletter.services`."""

from newsletter import services
from newsletter.models import Subscriber


def subscriber(
    email: str = "leser@example.com", *, language: str = "de", confirmed: bool = True
) -> Subscriber:
    """Signed up on a page in `language`, and confirmed by the link unless `confirmed` is False.
    The confirmation request is started after commit: it goes out only inside `run_tasks`."""
    services.sign_up(email=email, language=language)
    signed_up = Subscriber.objects.get(email=email)
    return services.confirm(subscriber=signed_up) if confirmed else signed_up
